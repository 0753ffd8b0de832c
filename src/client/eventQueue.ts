/**
 * A bounded queue behind `for await (const event of client)`. When a reader falls more than
 * `limit` events behind, it asks the transport to stop reading (`onFull`), and to resume once
 * it has caught up to half of that (`onDrained`): a slow reader slows the server down instead of
 * buffering without bound. Where the transport cannot pause, the reader gets a typed error; a
 * reader that holds reading paused and reads nothing for `stallMs` is ended with one, so that a
 * forgotten iterator cannot stop every other listener, the close handshake and the keepalive.
 */
import { ProtocolError } from '../errors.js';

/** What the queue asks of its owner. */
export interface EventQueueHooks {
  /** The queue is full: pause reading and return true, or return false if reading cannot pause. */
  onFull(): boolean;
  /** The hold taken by a successful `onFull` is over: reading may resume. */
  onDrained(): void;
  /** The queue will take no more events (the reader left, or it was ended for stalling). */
  onReturn(): void;
}

/** Async-iterable, bounded event queue. */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #waitingReject: ((error: unknown) => void) | undefined;
  #ended = false;
  #failure: unknown;
  /** Holding reading paused (a successful `onFull` not yet followed by `onDrained`). */
  #full = false;
  #consumed = 0;
  #stall: ReturnType<typeof setTimeout> | undefined;
  /** Size at which the queue asks to pause: `limit`, or more for a while after {@link release} with room. */
  #pauseAt: number;

  constructor(
    private readonly limit: number,
    private readonly stallMs: number,
    private readonly hooks: EventQueueHooks,
  ) {
    this.#pauseAt = limit;
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
    if (!this.#full && this.size >= this.#pauseAt) {
      if (this.hooks.onFull()) {
        this.#full = true;
        this.#armStall();
      } else {
        this.fail(new ProtocolError(`The application read events slower than the server sent them: more than ${this.limit} events were waiting. Read faster or raise maxQueuedEvents.`, 'queue_overflow'));
      }
    }
  }

  /** A reader that made progress keeps its hold; one that read nothing for `stallMs` is ended. */
  #armStall(): void {
    if (!Number.isFinite(this.stallMs)) return;
    const consumed = this.#consumed;
    this.#stall = setTimeout(() => {
      this.#stall = undefined;
      if (!this.#full) return;
      if (this.#consumed !== consumed) return this.#armStall();
      this.release();
      this.fail(new ProtocolError(`An event iterator read nothing for ${this.stallMs} ms while ${this.limit} events waited, holding the connection's reading paused; it was ended so that the connection keeps working. Read it, or leave the for-await loop (break) when you stop reading.`, 'queue_overflow'));
      this.hooks.onReturn();
    }, this.stallMs);
  }

  /**
   * Gives up the hold on reading now (the queue keeps its events and may take it again when full).
   * With `room`, it takes up to `limit` more events before holding again (until the reader catches
   * up): enough for an answer the owner waits for (`session.finished`) to get past a full queue,
   * still bounded.
   */
  release(room = false): void {
    if (room) this.#pauseAt = this.size + this.limit;
    clearTimeout(this.#stall);
    this.#stall = undefined;
    if (!this.#full) return;
    this.#full = false;
    this.hooks.onDrained();
  }

  /** Forgets the hold without `onDrained` (the connection it held is gone). */
  #drop(): void {
    clearTimeout(this.#stall);
    this.#stall = undefined;
    this.#full = false;
  }

  /** Ends the iteration after the queued events have been read. */
  end(): void {
    this.#drop();
    this.#ended = true;
    if (this.#waiting && this.size === 0) {
      const resolve = this.#waiting;
      this.#waiting = this.#waitingReject = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the iteration with `error` once the queued events have been read. */
  fail(error: unknown): void {
    this.#drop();
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
      if (this.size <= this.limit / 2) {
        this.#pauseAt = this.limit;
        if (this.#full) this.release();
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
    this.release();
    this.end();
    this.hooks.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
