/**
 * A small typed event emitter. Unlike Node's EventEmitter it never throws for an `error` event
 * without listeners (the wire has an `error` event), and a listener that throws cannot break
 * delivery to the others: the exception goes to `onListenerError`.
 */

type Listener<T> = (payload: T) => void;

/** Typed `on` / `once` / `off` / `emit` over an event map. */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  /**
   * The listeners of each event as an array, made on the first emit after a change and never
   * mutated: `emit` iterates a snapshot (a listener added during delivery waits for the next event,
   * one removed still gets this one), and caching it spares an array per event on the receive path.
   */
  readonly #snapshots = new Map<keyof Events, ReadonlyArray<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  constructor(onListenerError: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Calls `listener` for every `event`; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    this.#snapshots.delete(event);
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
    const set = this.#listeners.get(event);
    if (!set) return;
    set.delete(listener as Listener<never>);
    this.#snapshots.delete(event);
    if (set.size === 0) this.#listeners.delete(event);
  }

  /** Number of listeners for `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener. */
  removeAll(): void {
    this.#listeners.clear();
    this.#snapshots.clear();
  }

  /** Delivers `payload` to every listener of `event`, in the order they were added. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    let listeners = this.#snapshots.get(event);
    if (listeners === undefined) {
      const set = this.#listeners.get(event);
      if (!set) return;
      listeners = [...set];
      this.#snapshots.set(event, listeners);
    }
    for (const listener of listeners) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
