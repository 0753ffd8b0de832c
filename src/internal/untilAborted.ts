/**
 * `promise`, or an {@link AbortError} as soon as `signal` aborts. A value that arrives after the
 * abort goes to `onLate` (a socket that opened too late is closed there, not leaked).
 */
import { AbortError } from '../errors.js';

function noop(): void {}

/** Races `promise` against `signal`; see the file comment. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, operation: string, onLate: (value: T) => void = noop): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(onLate, noop);
      reject(new AbortError(operation));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
