/**
 * A small typed event emitter. Unlike Node's EventEmitter it never throws for an `error` event
 * without listeners (the wire has an `error` event), and a listener that throws cannot break
 * delivery to the others: the exception goes to `onListenerError`.
 */

import { ValidationError } from '../errors.js';

type Listener<T> = (payload: T) => void;

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

  /** Calls `listener` for the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Removes `listener`. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const current = this.#listeners.get(event);
    if (!current || !current.includes(listener as Listener<never>)) return;
    if (current.length === 1) this.#listeners.delete(event);
    else this.#listeners.set(event, current.filter((l) => l !== listener));
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
