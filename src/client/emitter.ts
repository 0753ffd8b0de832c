/**
 * A small typed event emitter. Unlike Node's EventEmitter it never throws for an `error` event
 * without listeners (the wire has an `error` event), and a listener that throws cannot break
 * delivery to the others: the exception goes to `onListenerError`.
 */

import { ValidationError } from '../errors.js';

type Listener<T> = (payload: T) => void;
/** What `once` registers: a listener that removes itself, holding the one it was given (for `off`). */
type OnceWrapper<T> = Listener<T> & { listener: Listener<T> };

/** Typed `on` / `once` / `off` / `emit` over an event map. */
export class TypedEmitter<Events extends object> {
  /**
   * The listeners of each event, in the order added. Each array is replaced, never mutated (copy
   * on write): `emit` iterates the array it found, so a listener added during delivery waits for
   * the next event and one removed still gets this one, without copying on every event (the
   * receive path emits each event twice); and one array per event costs less than a Set.
   */
  readonly #listeners = new Map<keyof Events, ReadonlyArray<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  constructor(onListenerError: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Calls `listener` for every `event`; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    // Checked here, not at the first emit: a non-function would otherwise fail on every event.
    if (typeof listener !== 'function') throw new ValidationError(`on('${String(event)}', listener): the listener must be a function, got ${listener === null ? 'null' : typeof listener}.`, 'listener');
    const current = this.#listeners.get(event);
    // Adding a listener that is already there changes nothing, as with a Set.
    if (!current) this.#listeners.set(event, [listener as Listener<never>]);
    else if (!current.includes(listener as Listener<never>)) this.#listeners.set(event, [...current, listener as Listener<never>]);
    return () => this.off(event, listener);
  }

  /**
   * Calls `listener` for the next `event` only. `off(event, listener)` removes it before then, as
   * with Node's EventEmitter; so does the function returned.
   */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const wrapper: OnceWrapper<Events[K]> = Object.assign(
      (payload: Events[K]) => {
        this.off(event, wrapper);
        listener(payload);
      },
      { listener },
    );
    return this.on(event, wrapper);
  }

  /**
   * Removes `listener`, whether added with `on` or `once`: one registration, the latest one, as
   * Node's EventEmitter does when the same function was added both ways.
   */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const current = this.#listeners.get(event);
    if (!current) return;
    let index = current.length - 1;
    while (index >= 0 && current[index] !== listener && (current[index] as OnceWrapper<never>).listener !== listener) index--;
    if (index < 0) return;
    if (current.length === 1) this.#listeners.delete(event);
    else this.#listeners.set(event, [...current.slice(0, index), ...current.slice(index + 1)]);
  }

  /** Number of listeners for `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Removes every listener. */
  removeAll(): void {
    this.#listeners.clear();
  }

  /** Delivers `payload` to every listener of `event`, in the order they were added. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
