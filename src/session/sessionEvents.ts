/**
 * The event surface of a session: `on`, `once`, `off` and `waitFor` over one emitter that belongs
 * to the session, not to a connection, so that listeners survive reconnects.
 */
import { TypedEmitter } from '../client/emitter.js';
import { ConnectionError } from '../errors.js';
import { waitForEvent, type WaitForOptions } from '../internal/waitForEvent.js';
import type { Logger } from '../client/options.js';
import type { RealtimeSessionEvents } from './sessionOptions.js';

/** `on`/`once`/`off`/`waitFor` of {@link RealtimeSession}. */
export abstract class SessionEvents {
  /** @internal */
  protected readonly emitter: TypedEmitter<RealtimeSessionEvents>;

  /** @param logger told when a listener throws (the others still get the event) */
  constructor(logger: Logger | undefined) {
    this.emitter = new TypedEmitter<RealtimeSessionEvents>((error) => {
      try {
        logger?.warn?.(`dashscope-realtime: a session listener threw: ${String(error)}`);
      } catch {
        // a throwing logger must not break the emit it reports on (it may run inside a close)
      }
    });
  }

  /** True once the session closed: waits are refused. */
  protected abstract get closed(): boolean;

  /** Adds a listener (it survives reconnects); returns a function that removes it. */
  on<K extends keyof RealtimeSessionEvents>(event: K, listener: (payload: RealtimeSessionEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Calls `listener` for the next `event` only; returns a function that removes it. */
  once<K extends keyof RealtimeSessionEvents>(event: K, listener: (payload: RealtimeSessionEvents[K]) => void): () => void {
    return this.emitter.once(event, listener);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof RealtimeSessionEvents>(event: K, listener: (payload: RealtimeSessionEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /**
   * Resolves with the next `event` that passes `options.filter`, across reconnects. Rejects with a
   * TimeoutError (default 60 s), an AbortError, or a ConnectionError when the session closes.
   */
  waitFor<K extends Exclude<keyof RealtimeSessionEvents, 'close'>>(event: K, options: WaitForOptions<RealtimeSessionEvents[K]> = {}): Promise<RealtimeSessionEvents[K]> {
    if (this.closed) return Promise.reject(new ConnectionError(`waitFor(${event}): the session is closed.`, 'not_connected'));
    return waitForEvent(this.emitter, event, options, 'close', (info) => info.error ?? new ConnectionError(`waitFor(${event}): the session closed.`, 'connection_closed'));
  }
}
