/**
 * Never two `response.create` at once: the service refuses one while a response is active
 * (protocol.md §3.6, §5.2). Requests wait their turn and are sent when the active response ends;
 * the function-call continuation is the one exception the service queues itself (§0.1.7), but
 * waiting for `response.done` is always safe, so the sequencer waits in every case.
 */

/** Serialises response requests. */
export class ResponseSequencer {
  #active = false;
  #queue: Array<() => void> = [];

  /** True while a response is in progress (between `response.created`/request and `response.done`). */
  get active(): boolean {
    return this.#active;
  }

  /** Requests waiting their turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Runs `send` now if no response is active, else when the active one ends. */
  request(send: () => void): void {
    if (this.#active) {
      this.#queue.push(send);
      return;
    }
    this.#active = true;
    send();
  }

  /** A response started without a request of ours (VAD, idle re-engagement). */
  started(): void {
    this.#active = true;
  }

  /** The active response ended: the next request, if any, is sent. */
  ended(): void {
    this.#active = false;
    const next = this.#queue.shift();
    if (next) {
      this.#active = true;
      next();
    }
  }

  /** Drops waiting requests and forgets the active response (after a reconnect). */
  reset(): void {
    this.#active = false;
    this.#queue = [];
  }
}
