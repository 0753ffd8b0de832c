/**
 * The receive side of a connection: a frame becomes a typed server event, delivered to listeners
 * (`on`, `once`, `waitFor`) and to each async iterator's bounded queue. Shared by the WebSocket
 * client and the WebRTC transport, so both deliver, wait and fail alike.
 */
import { ConnectionError, RealtimeError, ValidationError } from '../errors.js';
import type { AnyServerEvent, ServerEventType } from '../protocol/serverEvents.js';
import type { CloseInfo, FinishResult, RealtimeTransportEvents } from '../transport/realtimeTransport.js';
import { TypedEmitter } from './emitter.js';
import { EventQueue } from './eventQueue.js';
import { parseServerEvent, type LooseHandler } from './parseServerEvent.js';
import type { Redactor } from '../internal/redact.js';
import { waitForEvent, type WaitForOptions } from '../internal/waitForEvent.js';

export type { WaitForOptions } from '../internal/waitForEvent.js';

/** What the channel needs from its connection. */
export interface ChannelHost {
  /** True once the connection is closed (waits and iterators then end at once). */
  isClosed(): boolean;
  /** Where a problem goes when nobody listens to `client_error`. */
  warn(message: string): void;
  /** Read-side flow control for iterators that fall behind (see `EventQueue`). */
  flow: {
    /** Pause reading; false where the connection cannot pause. */
    pause(): boolean;
    /** A paused reader caught up. */
    resume(): void;
  };
}

/** Typed delivery of server events, waits and iterators for one connection object. */
export class EventChannel<Events extends RealtimeTransportEvents = RealtimeTransportEvents> {
  readonly #emitter: TypedEmitter<Events>;
  readonly #queues = new Set<EventQueue<AnyServerEvent>>();
  readonly #host: ChannelHost;

  constructor(host: ChannelHost) {
    this.#host = host;
    this.#emitter = new TypedEmitter<Events>((error, event) => this.#listenerFailed(error, String(event)));
  }

  /** Calls `listener` for every event of `type`; returns an unsubscribe function. */
  on<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): () => void {
    return this.#emitter.on(type, listener);
  }

  /** Calls `listener` for the next event of `type` only. */
  once<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): () => void {
    return this.#emitter.once(type, listener);
  }

  /** Removes a listener. */
  off<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): void {
    this.#emitter.off(type, listener);
  }

  /** Listeners registered for `type`. */
  listenerCount(type: keyof Events): number {
    return this.#emitter.listenerCount(type);
  }

  /** Emits one of the connection's own events (`close` goes through {@link end}). */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    this.#emitter.emit(type, payload);
  }

  /**
   * Parses a text frame (already redacted) and delivers it; a bad frame is reported, never thrown.
   * `track` runs before listeners, so the connection's bookkeeping is current for them; `onLoose`
   * hears the documented fields a kept event lacks (issue 19).
   */
  receive(text: string, secrets: Redactor | readonly string[], track: (event: AnyServerEvent) => void, onLoose?: LooseHandler): void {
    const parsed = parseServerEvent(text, secrets, onLoose);
    if (parsed instanceof RealtimeError) {
      this.report(parsed);
      return;
    }
    track(parsed);
    // `unknown` events are delivered under that name; every other under its own type.
    this.#emitter.emit(parsed.type as keyof Events, parsed as never);
    this.#emitter.emit('*', parsed as Events['*']);
    if (this.#queues.size > 0) for (const queue of this.#queues) queue.push(parsed);
  }

  /** Reports a problem as `client_error`, or to the logger when nobody listens. */
  report(error: RealtimeError): void {
    if (this.#emitter.listenerCount('client_error') > 0) this.#emitter.emit('client_error', error as Events['client_error']);
    else this.#host.warn(error.message);
  }

  #listenerFailed(error: unknown, event: string): void {
    if (event === 'client_error') {
      this.#host.warn(`a client_error listener threw: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.report(new RealtimeError(`A listener for '${event}' threw: ${error instanceof Error ? error.message : String(error)}`, 'listener_error', { cause: error }));
  }

  /** Ends every iterator and emits `close`. */
  end(info: CloseInfo): void {
    for (const queue of this.#queues) queue.end();
    this.#queues.clear();
    this.#emitter.emit('close', info as Events['close']);
  }

  /** Drops every iterator's hold on reading (closing needs the close frame), with room for one more queue of events: the answer being waited for must get past a full queue. */
  releaseReaders(): void {
    for (const queue of this.#queues) queue.release(true);
  }

  /**
   * Resolves with the next event of `type` that passes `filter`. Rejects with a TimeoutError
   * (default 60 s), an AbortError, or a {@link ConnectionError} if the connection closes.
   */
  waitFor<K extends ServerEventType | 'unknown'>(type: K, options: WaitForOptions<Events[K]> = {}): Promise<Events[K]> {
    return waitForEvent(
      this.#emitter,
      type,
      options,
      'close',
      (info) => info.error ?? new ConnectionError(`waitFor(${type}): the connection closed (code ${info.code}).`, 'connection_closed', { closeCode: info.code, closeReason: info.reason }),
      () => (this.#host.isClosed() ? new ConnectionError(`waitFor(${type}): the client is closed.`, 'not_connected') : undefined),
    );
  }

  /**
   * How the answer to a `session.finish` sent next ends (§3.9): `session.finished`, an `error`
   * (some models refuse it, §0.1.1), the close, or `timeoutMs`. Never rejects.
   */
  finishOutcome(timeoutMs: number): Promise<FinishResult> {
    return new Promise<FinishResult>((resolve) => {
      const timer = setTimeout(() => done({ finished: false, reason: 'timeout' }), timeoutMs);
      const offs = [
        this.#emitter.on('session.finished', () => done({ finished: true, reason: 'session.finished' })),
        this.#emitter.on('error', () => done({ finished: false, reason: 'error' })),
        this.#emitter.on('close', (info) => done({ finished: !info.error, reason: 'closed' })),
      ];
      function done(value: FinishResult) {
        clearTimeout(timer);
        for (const off of offs) off();
        resolve(value);
      }
    });
  }

  /**
   * An async iterator over every server event, ending when the connection closes. A bad frame or
   * a server `error` event never ends it. Each iterator has its own queue of `limit` events.
   */
  events(limit: number, stallMs: number): AsyncIterableIterator<AnyServerEvent> {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new ValidationError(`events: maxQueued must be a whole number of events ≥ 1, got ${String(limit)}.`, 'events(options.maxQueued)');
    }
    const queue: EventQueue<AnyServerEvent> = new EventQueue(limit, stallMs, {
      onFull: () => this.#host.flow.pause(),
      onDrained: () => this.#host.flow.resume(),
      onReturn: () => this.#queues.delete(queue),
    });
    if (this.#host.isClosed()) queue.end();
    else this.#queues.add(queue);
    return queue;
  }
}
