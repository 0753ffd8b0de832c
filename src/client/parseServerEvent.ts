/**
 * One text frame from the server → a typed event, an unknown event, or a typed error. A bad
 * frame never throws out of here: it becomes a {@link ProtocolError} whose preview has payloads
 * shortened and the key removed. Only the fields the SDK reads are required: an event that
 * leaves out documented fields it can do without is kept, and `onLoose` hears which (issue 19).
 */
import { ProtocolError } from '../errors.js';
import { previewFrame, type Redactor } from '../internal/redact.js';
import { checkReceivedShape } from '../protocol/eventShapes.js';
import { parseFrame } from '../protocol/parseFrame.js';
import type { AnyServerEvent, ServerEventType } from '../protocol/serverEvents.js';

/** Hears the documented fields `missing` that a kept event of `type` lacks, with its (redacted) `frame`. */
export type LooseHandler = (type: ServerEventType, missing: readonly string[], frame: string) => void;

/**
 * Parses `frame` (already redacted); `redactor` scrubs any preview again after shortening;
 * `onLoose` hears the documented fields a kept event lacks.
 */
export function parseServerEvent(frame: string, redactor: Redactor | readonly string[], onLoose?: LooseHandler): AnyServerEvent | ProtocolError {
  let value: unknown;
  try {
    // An audio delta's base64 is sliced out of the frame, not walked by the JSON parser.
    value = parseFrame(frame, 'response.audio.delta', 'delta');
  } catch {
    return new ProtocolError('The server sent a frame that is not JSON; it was skipped.', 'invalid_json', previewFrame(frame, redactor));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new ProtocolError('The server sent JSON that is not an event object; it was skipped.', 'invalid_event', previewFrame(frame, redactor));
  }
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || record.type === '') {
    return new ProtocolError('The server sent an event without a string "type"; it was skipped.', 'invalid_event', previewFrame(frame, redactor));
  }
  const type = record.type;
  const shape = checkReceivedShape(type, record);
  if (shape === undefined) return { type: 'unknown', event: record as { type: string } };
  if (shape.problem !== null) {
    return new ProtocolError(`The server sent a malformed ${type} event (${shape.problem}); it was skipped.`, 'invalid_event', previewFrame(frame, redactor));
  }
  if (shape.missing.length > 0) onLoose?.(type as ServerEventType, shape.missing, frame);
  return record as unknown as AnyServerEvent;
}
