/**
 * The `error` event the relay sends a browser when it refuses a frame, shaped like the service's
 * own (protocol.md §4.1, with `error.event_id` naming the offending client event, §0.1.2), so
 * that the SDK reports it as a `ServerError` and matches it to the request. Type
 * `invalid_request_error`: the session goes on, as after the service's own client errors (§0.1.12).
 */
import { newServerId } from '../protocol/ids.js';

/** Codes of the relay's `error` events. */
export type RelayErrorCode = 'message_too_large' | 'event_not_allowed' | 'session_field_not_allowed' | 'invalid_event';

/** The JSON text of an `error` event for a refused client frame. */
export function relayErrorEvent(code: RelayErrorCode, message: string, param = '', eventId = ''): string {
  return JSON.stringify({
    event_id: newServerId('event'),
    type: 'error',
    error: { type: 'invalid_request_error', code, message, param, event_id: eventId },
  });
}
