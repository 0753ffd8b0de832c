/**
 * A bounded queue behind `for await (const event of client)`. When a reader falls more than
 * `limit` events behind, it asks the transport to stop reading (`onFull`), and to resume once
 * it has caught up to half of that (`onDrained`): a slow reader slows the server down instead of
 * buffering without bound. Where the transport cannot pause, the reader gets a typed error.
 */
import { ProtocolError } from '../errors.js';

/** Async-iterable, bounded event queue. */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #waitingReject: ((error: unknown) => void) | undefined;
  #ended = false;
  #failure: unknown;
  #full = false;
  #consumed = 0;

  constructor(
    private readonly limit: number,
    private readonly hooks: { onFull(): boolean; onDrained(): void; onReturn(): void },
  ) {}

  /** Events handed to the reader so far (a reader that makes progress is not stalled). */
  get consumed(): number {
    return this.#consumed;
  }

  /** Events waiting to be read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an event; wakes a waiting reader. */
  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = this.#waitingReject = undefined;
      this.#consumed++;
      resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (!this.#full && this.size >= this.limit) {
      this.#full = true;
      if (!this.hooks.onFull()) {
        this.fail(new ProtocolError(`The application read events slower than the server sent them: more than ${this.limit} events were waiting. Read faster or raise maxQueuedEvents.`, 'queue_overflow'));
      }
    }
  }

  /** Ends the iteration after the queued events have been read. */
  end(): void {
    this.#ended = true;
    if (this.#waiting && this.size === 0) {
      const resolve = this.#waiting;
      this.#waiting = this.#waitingReject = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the iteration with `error` once the queued events have been read. */
  fail(error: unknown): void {
    this.#failure = error;
    this.#items.length = 0;
    this.#head = 0;
    this.#ended = true;
    if (this.#waitingReject) {
      const reject = this.#waitingReject;
      this.#waiting = this.#waitingReject = undefined;
      this.#failure = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.#items[this.#head++] as T;
      this.#consumed++;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items.splice(0, this.#head);
        this.#head = 0;
      }
      if (this.#full && this.size <= this.limit / 2) {
        this.#full = false;
        this.hooks.onDrained();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#failure !== undefined) {
      const error = this.#failure;
      this.#failure = undefined;
      return Promise.reject(error);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#waitingReject = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#items.length = 0;
    this.#head = 0;
    this.#failure = undefined;
    if (this.#full) {
      this.#full = false;
      this.hooks.onDrained();
    }
    this.end();
    this.hooks.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
