/**
 * What the protocol logic of one connection may do to its socket. The connection implements it;
 * the session logic only emits events and asks for closes, so it can be reasoned about (and
 * tested) without a socket.
 */
import type { ErrorDetail } from '../protocol/index.js';

/** The outgoing side of one connection. */
export interface Outbox {
  /** Sends a server event; `event_id` is added. No-op once the connection is closing. */
  emit(type: string, fields: Record<string, unknown>): void;
  /** Sends an `error` event (§4.1). */
  error(detail: ErrorDetail): void;
  /** Closes with a close frame. */
  close(code: number, reason: string): void;
  /** Sends a `server_error` and closes (§4.1: the connection is terminated). */
  fatal(message: string): void;
  /** Resolves when the socket's send buffer is low again (backpressure). */
  drained(): Promise<void>;
  /** Whether the connection is closing or closed. */
  readonly closed: boolean;
}
