/**
 * One bounded wait for the next event of a typed emitter that passes a filter: a timeout, an
 * abort signal, a closing event and a throwing filter each end it with a typed error, and every
 * listener and timer it added is removed however it ends.
 */
import { checkTimerMs } from '../client/options.js';
import { AbortError, RealtimeError, TimeoutError, ValidationError } from '../errors.js';

/** Options of a `waitFor` (the client's, the WebRTC transport's and the session's). */
export interface WaitForOptions<E> {
  /** Only resolve for events that pass this test. */
  filter?: (event: E) => boolean;
  /** Reject with a TimeoutError after this long. Default 60000; `Infinity` waits until close. */
  timeoutMs?: number;
  /** Reject with an AbortError when aborted. */
  signal?: AbortSignal;
}

/** Something with `on(type, listener)` returning an unsubscribe function. */
export interface Subscribable<Events> {
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void;
}

/**
 * Resolves with the next `type` event of `emitter` passing `options.filter`. `closed(payload)`
 * of the `closeType` event gives the error that ends the wait when the emitter closes;
 * `alreadyClosed()`, checked once the arguments are, the error for a wait begun after the close.
 */
export function waitForEvent<Events, K extends keyof Events, C extends keyof Events>(
  emitter: Subscribable<Events>,
  type: K,
  options: WaitForOptions<Events[K]>,
  closeType: C,
  closed: (payload: Events[C]) => Error,
  alreadyClosed?: () => Error | undefined,
): Promise<Events[K]> {
  const what = `waitFor(${String(type)})`;
  if (typeof options !== 'object' || options === null) return Promise.reject(new ValidationError(`${what}: options must be an object.`, 'waitFor(options)'));
  const { filter, timeoutMs = 60_000, signal } = options;
  try {
    checkTimerMs(`${what} options.timeoutMs`, timeoutMs, 0, true);
  } catch (error) {
    return Promise.reject(error);
  }
  if (filter !== undefined && typeof filter !== 'function') return Promise.reject(new ValidationError(`${what}: filter must be a function.`, 'waitFor(options.filter)'));
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
    return Promise.reject(new ValidationError(`${what}: signal must be an AbortSignal.`, 'waitFor(options.signal)'));
  }
  const closedError = alreadyClosed?.();
  if (closedError) return Promise.reject(closedError);
  if (signal?.aborted) return Promise.reject(new AbortError(what));
  return new Promise((resolve, reject) => {
    const finish = (settle: () => void) => {
      offEvent();
      offClose();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(new AbortError(what)));
    const offEvent = emitter.on(type, (event) => {
      let match: boolean;
      try {
        match = !filter || filter(event);
      } catch (error) {
        // A throwing filter ends the wait with its error instead of leaving it to time out.
        finish(() => reject(new RealtimeError(`${what}: the filter threw: ${error instanceof Error ? error.message : String(error)}`, 'listener_error', { cause: error })));
        return;
      }
      if (match) finish(() => resolve(event));
    });
    const offClose = emitter.on(closeType, (payload) => finish(() => reject(closed(payload))));
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => finish(() => reject(new TimeoutError(what, timeoutMs))), timeoutMs) : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
