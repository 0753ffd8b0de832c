/**
 * What the protocol logic of one connection may do to its socket. The connection implements it;
 * the session logic only emits events and asks for closes, so it can be reasoned about (and
 * tested) without a socket. Events are typed against the protocol's server events
 * (`src/protocol/serverEvents.ts`), so the compiler checks every event the simulator sends.
 */
import type { ErrorDetail, ServerEventOf, ServerEventType } from '../protocol/index.js';

/** The fields of server event `T` the simulator fills in; the outbox adds `type` and `event_id`. */
export type EventFields<T extends ServerEventType> = Omit<ServerEventOf<T>, 'type' | 'event_id'>;

/** Sends typed server events. */
export interface EventSink {
  /** Sends a server event; `event_id` is added. No-op once the connection is closing. */
  emit<T extends ServerEventType>(type: T, fields: EventFields<T>): void;
}

/** The outgoing side of one connection. */
export interface Outbox extends EventSink {
  /** Sends an `error` event (§4.1). */
  error(detail: ErrorDetail): void;
  /**
   * Closes with a close frame after the events already sent, `afterMs` later (default 0); nothing
   * more is sent from now on. `code` undefined: a close frame without a status (the peer sees
   * 1005, §0.2.2).
   */
  close(code: number | undefined, reason: string, afterMs?: number): void;
  /** Sends a `server_error` and closes (§4.1: the connection is terminated). */
  fatal(message: string): void;
  /** Resolves when the socket's send buffer is low again (backpressure). */
  drained(): Promise<void>;
  /** Whether the connection is closing or closed. */
  readonly closed: boolean;
}
