/**
 * Typed errors. Every error the SDK raises is a {@link RealtimeError} with a stable `code`, and
 * carries what a user needs to fix the problem. No message ever contains the API key.
 */
import type { ErrorDetail } from './protocol/serverEvents.js';

/** Base class of every error this SDK raises. */
export class RealtimeError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** What the HTTP upgrade answered, when it failed. */
export interface HandshakeResponse {
  /** HTTP status, e.g. 401. */
  status: number;
  /** Response body (truncated to 4 KiB, key redacted). */
  body: string;
  /**
   * `x-request-id`, `x-dashscope-request-id`, `eagleeye-traceid` and similar headers, plus the
   * body's `request_id` (DashScope error bodies carry one, §0.2.19) under `request_id`.
   */
  requestIds: Record<string, string>;
}

/**
 * The service answered 401 or 403 (at the handshake, or to a temporary-key request): the key is
 * missing, wrong, expired (a temporary `st-` key), or for another region.
 */
export class AuthenticationError extends RealtimeError {
  /** The failed upgrade's response. */
  readonly response: HandshakeResponse;
  constructor(message: string, response: HandshakeResponse) {
    super(message, 'authentication_failed');
    this.response = response;
  }
  /** HTTP status (401 or 403). */
  get status(): number {
    return this.response.status;
  }
}

/** The connection failed or closed unexpectedly. */
export class ConnectionError extends RealtimeError {
  /** WebSocket close code, when the socket closed. */
  readonly closeCode: number | undefined;
  /** WebSocket close reason, when the socket closed. */
  readonly closeReason: string | undefined;
  /** The failed upgrade's response, when the handshake was answered with an HTTP error. */
  readonly response: HandshakeResponse | undefined;
  constructor(
    message: string,
    code: 'connection_failed' | 'connection_closed' | 'handshake_failed' | 'not_connected',
    details: { closeCode?: number; closeReason?: string; response?: HandshakeResponse; cause?: unknown } = {},
  ) {
    super(message, code, { cause: details.cause });
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
    this.response = details.response;
  }
  /** HTTP status of a failed handshake. */
  get status(): number | undefined {
    return this.response?.status;
  }
}

/** The server answered a request with an `error` event (protocol.md §4.1). */
export class ServerError extends RealtimeError {
  /** `invalid_request_error` or `server_error`. */
  readonly type: string;
  /** Offending parameter path, when given. */
  readonly param: string | undefined;
  /** The client `event_id` that caused the error, when given. */
  readonly eventId: string | undefined;
  /** The `event_id` of the server's `error` event. */
  readonly serverEventId: string | undefined;
  constructor(detail: ErrorDetail, serverEventId?: string) {
    // Only strings are taken from the server's object: a mistyped field must not become a
    // non-string `code` or `param` that breaks the application's own checks.
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const code = text(detail.code);
    super(text(detail.message) ?? `Server error${code ? ` ${code}` : ''}`, code ?? text(detail.type) ?? 'server_error');
    this.type = text(detail.type) ?? 'server_error';
    this.param = text(detail.param);
    this.eventId = text(detail.event_id);
    this.serverEventId = text(serverEventId);
  }
}

/** Bad input to the SDK; nothing was sent. */
export class ValidationError extends RealtimeError {
  /** The option or field that was wrong, e.g. `session.voice` or `appendAudio(data)`. */
  readonly param: string;
  /** What is accepted, where it is a list or a range. */
  readonly allowed: readonly (string | number)[] | string | undefined;
  constructor(message: string, param: string, allowed?: readonly (string | number)[] | string, code = 'invalid_input') {
    super(message, code);
    this.param = param;
    this.allowed = allowed;
  }
}

/** An operation did not complete in time. */
export class TimeoutError extends RealtimeError {
  /** What timed out, e.g. `connect` or `waitFor(response.done)`. */
  readonly operation: string;
  /** The limit that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super(`${operation} timed out after ${timeoutMs} ms`, 'timeout');
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A frame from the server could not be understood (not JSON, binary, no `type`), or — code
 * `loose_event`, reported once per connection and kind — it was kept although it lacks what
 * DashScope always sends (a looser peer than the service, issue 19).
 */
export class ProtocolError extends RealtimeError {
  /** The first bytes of the frame, for debugging (at most 200 characters, base64 removed). */
  readonly preview: string;
  constructor(message: string, code: 'invalid_json' | 'binary_frame' | 'invalid_event' | 'queue_overflow' | 'loose_event', preview = '') {
    super(message, code);
    this.preview = preview;
  }
}

/** The operation was aborted through an AbortSignal or by closing the client. */
export class AbortError extends RealtimeError {
  constructor(operation: string) {
    super(`${operation} was aborted`, 'aborted');
  }
}
