/**
 * Waiting for the session to be open: `whenReady()`, and the `ask()`/`updateSession()` calls made
 * while it (re)connects. Every wait is bounded (a timeout, an abort signal) and ends at once,
 * with the session's error, when the session closes for good.
 */
import { AbortError, TimeoutError } from '../errors.js';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** The waits for "open". */
export class Readiness {
  readonly #waiters = new Set<Waiter>();

  /** Waits in progress. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Resolves at the next {@link open}; rejects at {@link fail}, after `timeoutMs`, or when `signal` aborts. */
  wait(operation: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError(operation));
      const done = () => {
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(new AbortError(operation));
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => waiter.reject(new TimeoutError(operation, timeoutMs)), timeoutMs) : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** The session is open: every wait resolves, oldest first. */
  open(): void {
    for (const waiter of [...this.#waiters]) waiter.resolve();
  }

  /** The session closed for good: every wait rejects with `error`. */
  fail(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }
}
