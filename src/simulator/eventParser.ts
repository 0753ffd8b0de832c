/**
 * Reads one client frame: JSON, a known event type (§3, nothing else exists on DashScope,
 * §3.10, §8.1) and the JSON types of its fields. Anything else becomes the description of an
 * `invalid_request_error` (§4.1) so that the session carries on; nothing a client sends throws.
 */
import { CLIENT_EVENT_TYPES, type ClientEvent } from '../protocol/index.js';
import type { ErrorTexts } from './errors.js';

/** A frame that could not be used, and why. */
export interface FrameProblem {
  /** Which error text to use. */
  kind: keyof ErrorTexts;
  /** Placeholder values for the text. */
  values: Record<string, string | number>;
  /** `error.param`. */
  param: string;
  /** The offending event's `event_id`, when it could be read (§0.1.2). */
  eventId: string;
}

/** The result of {@link parseClientFrame}. */
export type ParsedFrame =
  | { ok: true; event: ClientEvent; eventId: string }
  /** `data` is the parsed JSON object when the frame was one (for the recording). */
  | { ok: false; problem: FrameProblem; data?: Json };

const KNOWN: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wrongType(param: string, expected: string, eventId: string, data?: Json): ParsedFrame {
  const problem: FrameProblem = { kind: 'wrongFieldType', values: { param, expected }, param, eventId };
  return data === undefined ? { ok: false, problem } : { ok: false, problem, data };
}

function validModalities(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    ((value.length === 1 && value[0] === 'text') || (value.length === 2 && value.includes('text') && value.includes('audio')))
  );
}

/** Parses and type-checks one text frame. */
export function parseClientFrame(text: string): ParsedFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: { kind: 'invalidJson', values: {}, param: '', eventId: '' } };
  }
  if (!isObject(data)) return wrongType('event', 'a JSON object', '');
  const eventId = typeof data.event_id === 'string' ? data.event_id : '';
  if (typeof data.type !== 'string') return wrongType('type', 'a string naming a client event', eventId, data);
  if (!KNOWN.has(data.type)) {
    // Shown shortened: a client's own text is never echoed at length.
    const shown = data.type.length > 64 ? `${data.type.slice(0, 64)}…` : data.type;
    return { ok: false, problem: { kind: 'unknownEventType', values: { type: shown }, param: 'type', eventId }, data };
  }
  switch (data.type) {
    case 'session.update':
      if (!isObject(data.session)) return wrongType('session', 'an object', eventId, data);
      break;
    case 'input_audio_buffer.append':
      if (typeof data.audio !== 'string') return wrongType('audio', 'a base64 string', eventId, data);
      break;
    case 'input_image_buffer.append':
      if (typeof data.image !== 'string') return wrongType('image', 'a base64 string', eventId, data);
      break;
    case 'response.create': {
      const r = data.response;
      if (r === undefined || r === null) break;
      if (!isObject(r)) return wrongType('response', 'an object', eventId, data);
      if (r.instructions !== undefined && r.instructions !== null && typeof r.instructions !== 'string') {
        return wrongType('response.instructions', 'a string or null', eventId, data);
      }
      if (r.modalities !== undefined && r.modalities !== null && !validModalities(r.modalities)) {
        return wrongType('response.modalities', "['text'] or ['text', 'audio']", eventId, data);
      }
      break;
    }
    case 'conversation.item.create':
      if (!isObject(data.item)) return wrongType('item', 'an object', eventId, data);
      if (typeof data.item.type !== 'string') return wrongType('item.type', 'a string', eventId, data);
      break;
    default:
      break;
  }
  return { ok: true, event: data as unknown as ClientEvent, eventId };
}
