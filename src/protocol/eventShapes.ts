/**
 * The required fields of every documented server event and their JSON types (protocol.md §4).
 * The client uses it to refuse a mistyped frame with a typed error instead of handing the
 * application an event whose fields are not what its type says; the simulator's tests use it
 * to check that every event the simulator sends has its documented shape.
 */
import type { ServerEventType } from './serverEvents.js';

/** JSON type of a field. */
export type FieldKind = 'string' | 'number' | 'object' | 'array' | 'boolean';

const CONTENT = { response_id: 'string', item_id: 'string', output_index: 'number', content_index: 'number' } as const;

/** Required fields per server event type (beyond `type`; `event_id` is required on all). */
export const SERVER_EVENT_FIELDS: Readonly<Record<ServerEventType, Readonly<Record<string, FieldKind>>>> = {
  error: { error: 'object' },
  'session.created': { session: 'object' },
  'session.updated': { session: 'object' },
  'input_audio_buffer.speech_started': { audio_start_ms: 'number', item_id: 'string' },
  'input_audio_buffer.speech_stopped': { audio_end_ms: 'number', item_id: 'string' },
  'input_audio_buffer.committed': { item_id: 'string' },
  'input_audio_buffer.cleared': {},
  'conversation.item.created': { item: 'object' },
  'conversation.item.input_audio_transcription.delta': { item_id: 'string', text: 'string', stash: 'string' },
  'conversation.item.input_audio_transcription.completed': { item_id: 'string', transcript: 'string' },
  'conversation.item.input_audio_transcription.failed': { item_id: 'string', error: 'object' },
  'response.created': { response: 'object' },
  'response.done': { response: 'object' },
  'response.text.delta': { ...CONTENT, delta: 'string' },
  'response.text.done': { ...CONTENT, text: 'string' },
  'response.audio.delta': { ...CONTENT, delta: 'string' },
  'response.audio.done': { ...CONTENT },
  'response.audio_transcript.delta': { ...CONTENT, delta: 'string' },
  'response.audio_transcript.done': { ...CONTENT, transcript: 'string' },
  'response.function_call_arguments.delta': { response_id: 'string', item_id: 'string', output_index: 'number', call_id: 'string', delta: 'string' },
  'response.function_call_arguments.done': { response_id: 'string', item_id: 'string', output_index: 'number', call_id: 'string', name: 'string', arguments: 'string' },
  'response.output_item.added': { response_id: 'string', output_index: 'number', item: 'object' },
  'response.output_item.done': { response_id: 'string', output_index: 'number', item: 'object' },
  'response.content_part.added': { ...CONTENT, part: 'object' },
  'response.content_part.done': { ...CONTENT, part: 'object' },
  'session.finished': {},
};

/** Nested objects whose own fields are checked too. */
const NESTED: Partial<Record<ServerEventType, { field: string; fields: Readonly<Record<string, FieldKind>> }>> = {
  error: { field: 'error', fields: { type: 'string', message: 'string' } },
  'session.created': { field: 'session', fields: { id: 'string' } },
  'session.updated': { field: 'session', fields: { id: 'string' } },
  'conversation.item.created': { field: 'item', fields: { id: 'string', type: 'string' } },
  'response.created': { field: 'response', fields: { id: 'string', status: 'string' } },
  'response.done': { field: 'response', fields: { id: 'string', status: 'string' } },
  'response.output_item.added': { field: 'item', fields: { id: 'string', type: 'string' } },
  'response.output_item.done': { field: 'item', fields: { id: 'string', type: 'string' } },
  'response.content_part.added': { field: 'part', fields: { type: 'string' } },
  'response.content_part.done': { field: 'part', fields: { type: 'string' } },
};

function kindOf(value: unknown): FieldKind | 'null' | 'undefined' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'number') return Number.isFinite(value) ? 'number' : 'other';
  return t === 'string' || t === 'object' || t === 'boolean' || t === 'undefined' ? t : 'other';
}

/** A field list as `[name, kind]` pairs: built once per type, so a check allocates nothing. */
type FieldList = ReadonlyArray<readonly [string, FieldKind]>;

function toList(fields: Readonly<Record<string, FieldKind>>): FieldList {
  return Object.entries(fields);
}

// Every frame the client receives is checked (the receive path runs this ~10 000 times a second
// under load), so the lists are made here once instead of by Object.entries and an object spread
// per call; the order of the checks, and so the first problem reported, is unchanged.
const LENIENT = new Map<ServerEventType, FieldList>();
const STRICT = new Map<ServerEventType, FieldList>();
for (const type of Object.keys(SERVER_EVENT_FIELDS) as ServerEventType[]) {
  LENIENT.set(type, toList(SERVER_EVENT_FIELDS[type]));
  STRICT.set(type, toList({ event_id: 'string', ...SERVER_EVENT_FIELDS[type] }));
}
const NESTED_LISTS = new Map<ServerEventType, { field: string; fields: FieldList; prefix: string }>();
for (const type of Object.keys(NESTED) as ServerEventType[]) {
  const nested = NESTED[type]!;
  NESTED_LISTS.set(type, { field: nested.field, fields: toList(nested.fields), prefix: `${nested.field}.` });
}

function checkFields(obj: Record<string, unknown>, fields: FieldList, prefix: string): string | null {
  for (let i = 0; i < fields.length; i++) {
    const [name, kind] = fields[i]!;
    const actual = kindOf(obj[name]);
    if (actual !== kind) return `${prefix}${name} should be ${kind === 'array' || kind === 'object' ? 'an' : 'a'} ${kind}, got ${actual}`;
  }
  return null;
}

/**
 * Why `event` does not have the documented shape of its `type`, or `null` when it does.
 * Extra fields are always allowed. `strict` also requires `event_id`, which every server event
 * should carry (§4) but one documented example omits (§4.11): a client stays lenient.
 */
export function describeShapeProblem(type: ServerEventType, event: Record<string, unknown>, strict = false): string | null {
  const required = (strict ? STRICT : LENIENT).get(type) ?? toList(strict ? { event_id: 'string', ...SERVER_EVENT_FIELDS[type] } : SERVER_EVENT_FIELDS[type]);
  const top = checkFields(event, required, '');
  if (top) return top;
  const nested = NESTED_LISTS.get(type);
  if (!nested) return null;
  return checkFields(event[nested.field] as Record<string, unknown>, nested.fields, nested.prefix);
}
