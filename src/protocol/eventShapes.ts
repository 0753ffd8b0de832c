/**
 * The required fields of every documented server event and their JSON types (protocol.md §4).
 * The simulator's tests check that every event the simulator sends has this documented shape
 * (`strict`). The client requires less: only the fields it reads. A documented field it can do
 * without ({@link LOOSE_FIELDS}) may be missing; the event is kept and the looseness reported
 * (issue 19: peers such as the Qwen team's own test server leave them out). A field that is
 * present with the wrong type still makes the event malformed.
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

const INDEXES = ['output_index', 'content_index'] as const;

/**
 * Documented fields the SDK never reads, per event type: a peer may leave them out (issue 19).
 * `session.id` is the nested `id`; without a `session` object at all the client substitutes the
 * session it knows (see the client's `peerLeniency.ts`). Everything else in
 * {@link SERVER_EVENT_FIELDS} stays required by the client.
 */
export const LOOSE_FIELDS: Readonly<Partial<Record<ServerEventType, readonly string[]>>> = {
  'session.created': ['session', 'session.id'],
  'session.updated': ['session', 'session.id'],
  'response.text.delta': INDEXES,
  'response.text.done': INDEXES,
  'response.audio.delta': INDEXES,
  // The SDK can do without the item_id of response.audio.done: the deltas named the item, and
  // the transcript's done and response.output_item.done end it too.
  'response.audio.done': [...INDEXES, 'item_id'],
  'response.audio_transcript.delta': INDEXES,
  'response.audio_transcript.done': INDEXES,
  'response.function_call_arguments.delta': ['output_index'],
  'response.function_call_arguments.done': ['output_index'],
  'response.output_item.added': ['output_index'],
  'response.output_item.done': ['output_index'],
  'response.content_part.added': INDEXES,
  'response.content_part.done': INDEXES,
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

/** A field to check: name, JSON type, and whether the client may do without it. */
type Field = readonly [name: string, kind: FieldKind, loose: boolean];
/** A field list, built once per type so that a check allocates nothing. */
type FieldList = ReadonlyArray<Field>;

function toList(fields: Readonly<Record<string, FieldKind>>, loose: readonly string[] = [], prefix = ''): FieldList {
  return Object.entries(fields).map(([name, kind]) => [name, kind, loose.includes(`${prefix}${name}`)] as const);
}

// Every frame the client receives is checked (the receive path runs this ~10 000 times a second
// under load), so the lists are made here once instead of by Object.entries and an object spread
// per call; the order of the checks, and so the first problem reported, is unchanged.
const DOCUMENTED = new Map<ServerEventType, FieldList>();
const STRICT = new Map<ServerEventType, FieldList>();
interface NestedList {
  field: string;
  prefix: string;
  documented: FieldList;
  client: FieldList;
}
const NESTED_LISTS = new Map<ServerEventType, NestedList>();
for (const type of Object.keys(NESTED) as ServerEventType[]) {
  const nested = NESTED[type]!;
  const prefix = `${nested.field}.`;
  NESTED_LISTS.set(type, { field: nested.field, prefix, documented: toList(nested.fields), client: toList(nested.fields, LOOSE_FIELDS[type], prefix) });
}
/** What the client checks of a received event of one type: found with one lookup per frame. */
interface ClientCheck {
  fields: FieldList;
  nested: NestedList | undefined;
}
/** Keyed by any string, so that the lookup also tells a documented type from an unknown one. */
const CLIENT = new Map<string, ClientCheck>();
for (const type of Object.keys(SERVER_EVENT_FIELDS) as ServerEventType[]) {
  DOCUMENTED.set(type, toList(SERVER_EVENT_FIELDS[type]));
  STRICT.set(type, toList({ event_id: 'string', ...SERVER_EVENT_FIELDS[type] }));
  CLIENT.set(type, { fields: toList(SERVER_EVENT_FIELDS[type], LOOSE_FIELDS[type]), nested: NESTED_LISTS.get(type) });
}

/**
 * The first field of `fields` that `obj` lacks or mistypes, as a sentence; `null` when all are
 * right. A loose field that is absent (`undefined`, not `null`) is not a problem: it is added to
 * `missing` instead, when given.
 */
function checkFields(obj: Record<string, unknown>, fields: FieldList, prefix: string, missing?: string[]): string | null {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const actual = kindOf(obj[field[0]]);
    if (actual === field[1]) continue;
    if (missing && field[2] && actual === 'undefined') {
      missing.push(`${prefix}${field[0]}`);
      continue;
    }
    return `${prefix}${field[0]} should be ${field[1] === 'array' || field[1] === 'object' ? 'an' : 'a'} ${field[1]}, got ${actual}`;
  }
  return null;
}

/**
 * Why `event` does not have the documented shape of its `type`, or `null` when it does.
 * Extra fields are always allowed. `strict` also requires `event_id`, which every server event
 * should carry (§4) but one documented example omits (§4.11).
 */
export function describeShapeProblem(type: ServerEventType, event: Record<string, unknown>, strict = false): string | null {
  const top = checkFields(event, (strict ? STRICT : DOCUMENTED).get(type)!, '');
  if (top) return top;
  const nested = NESTED_LISTS.get(type);
  if (!nested) return null;
  return checkFields(event[nested.field] as Record<string, unknown>, nested.documented, nested.prefix);
}

/** What the client found in a received event: see {@link checkReceivedShape}. */
export interface ReceivedShape {
  /** Why the event is malformed (a needed field missing or mistyped), or `null`. */
  problem: string | null;
  /** Documented fields the client can do without that the event left out, e.g. `output_index`. */
  missing: readonly string[];
}

const WELL_FORMED: ReceivedShape = Object.freeze({ problem: null, missing: Object.freeze([]) as readonly string[] });
/** Reused by every check (one at a time: nothing in it awaits), copied only when non-empty. */
const scratch: string[] = [];

/**
 * The client's check of a received event: only the fields the SDK reads are required (no
 * `event_id`, none of {@link LOOSE_FIELDS}); a field present with the wrong type is a problem.
 * `undefined` when `type` is not a documented server event type (one lookup answers both, for
 * every frame the client receives). Allocates nothing for an event that has its documented shape.
 */
export function checkReceivedShape(type: string, event: Record<string, unknown>): ReceivedShape | undefined {
  const check = CLIENT.get(type);
  if (check === undefined) return undefined;
  if (scratch.length > 0) scratch.length = 0;
  let problem = checkFields(event, check.fields, '', scratch);
  const nested = check.nested;
  // A loose nested object that is absent has no fields to check (session.created without session).
  if (problem === null && nested !== undefined && (scratch.length === 0 || !scratch.includes(nested.field))) {
    problem = checkFields(event[nested.field] as Record<string, unknown>, nested.client, nested.prefix, scratch);
  }
  return problem === null && scratch.length === 0 ? WELL_FORMED : { problem, missing: [...scratch] };
}
