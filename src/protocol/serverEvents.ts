/**
 * Server → client events (protocol.md §4). Every documented event as a member of one
 * discriminated union keyed by `type`; anything else arrives as {@link UnknownServerEvent}.
 */
import type { ConversationItem, FunctionCallItem, MessageItem, Response } from './items.js';
import type { Session } from './session.js';

/** Fields common to every server event. */
interface ServerEventBase {
  /** Server-generated id (opaque). */
  event_id: string;
}

/** The `error` object of an {@link ErrorEvent} (§4.1). */
export interface ErrorDetail {
  /** `invalid_request_error` (session continues) or `server_error` (connection terminated). */
  type: 'invalid_request_error' | 'server_error' | string;
  /** Machine code such as `invalid_value`; may be `""`, and is absent on some refusals (§0.2.3, §0.2.14). */
  code?: string;
  /** Human-readable message. */
  message: string;
  /** Offending parameter path such as `session.modalities`; may be `""`. */
  param?: string | null;
  /** The client `event_id` that caused the error, or `""` (§0.1.2). */
  event_id?: string | null;
}

/** A request failed; most errors leave the session usable (§4.1, §0.1.12). */
export interface ErrorEvent extends ServerEventBase {
  type: 'error';
  error: ErrorDetail;
}

/** First event after the upgrade, with the model's defaults (§4.2). */
export interface SessionCreatedEvent extends ServerEventBase {
  type: 'session.created';
  session: Session;
}

/** A `session.update` was applied; carries the complete effective session (§4.3). */
export interface SessionUpdatedEvent extends ServerEventBase {
  type: 'session.updated';
  session: Session;
}

/** VAD detected speech; also the barge-in signal (§4.4, §5.3). */
export interface InputAudioBufferSpeechStartedEvent extends ServerEventBase {
  type: 'input_audio_buffer.speech_started';
  /** Milliseconds on the session's audio timeline where speech began. */
  audio_start_ms: number;
  /** Id of the user item that will be created when speech stops. */
  item_id: string;
}

/** VAD detected the end of speech; a commit follows (§4.5). */
export interface InputAudioBufferSpeechStoppedEvent extends ServerEventBase {
  type: 'input_audio_buffer.speech_stopped';
  /** Milliseconds on the session's audio timeline where speech ended. */
  audio_end_ms: number;
  item_id: string;
}

/** The buffer became a user item (manual commit or VAD) (§4.6). */
export interface InputAudioBufferCommittedEvent extends ServerEventBase {
  type: 'input_audio_buffer.committed';
  item_id: string;
  previous_item_id?: string | null;
}

/** Answer to `input_audio_buffer.clear` (§4.7). */
export interface InputAudioBufferClearedEvent extends ServerEventBase {
  type: 'input_audio_buffer.cleared';
}

/** An item was added to the conversation (§4.8). */
export interface ConversationItemCreatedEvent extends ServerEventBase {
  type: 'conversation.item.created';
  item: ConversationItem;
  previous_item_id?: string | null;
}

/**
 * Live input transcription (qwen3-asr models, §4.9). There is no `delta` field: the preview is
 * `text + stash`, where `text` is confirmed and `stash` may still change.
 */
export interface InputAudioTranscriptionDeltaEvent extends ServerEventBase {
  type: 'conversation.item.input_audio_transcription.delta';
  item_id: string;
  content_index: number;
  /** Confirmed prefix of the current sentence. */
  text: string;
  /** Provisional suffix. */
  stash: string;
  language?: string;
  emotion?: string;
  obfuscation?: string;
}

/** Final input transcription of a user item (§4.10). */
export interface InputAudioTranscriptionCompletedEvent extends ServerEventBase {
  type: 'conversation.item.input_audio_transcription.completed';
  item_id: string;
  content_index: number;
  transcript: string;
}

/** Input transcription failed; its `error` has no `type` (§4.11). */
export interface InputAudioTranscriptionFailedEvent extends ServerEventBase {
  type: 'conversation.item.input_audio_transcription.failed';
  item_id: string;
  content_index: number;
  error: { code?: string; message?: string; param?: string | null };
}

/** A response started (§4.12); may be spontaneous with `idle_timeout_ms`. */
export interface ResponseCreatedEvent extends ServerEventBase {
  type: 'response.created';
  response: Response;
}

/** A response ended; `response.output` has the items without audio, plus usage (§4.21). */
export interface ResponseDoneEvent extends ServerEventBase {
  type: 'response.done';
  response: Response;
}

/** Fields shared by the per-content streaming events. */
interface ContentEventBase extends ServerEventBase {
  response_id: string;
  item_id: string;
  /** Currently always 0. DashScope always sends it; a looser peer may not (the SDK never reads it, issue 19). */
  output_index?: number;
  /** Currently always 0. DashScope always sends it; a looser peer may not (the SDK never reads it, issue 19). */
  content_index?: number;
}

/** Text delta, text-only modality (§4.15). */
export interface ResponseTextDeltaEvent extends ContentEventBase {
  type: 'response.text.delta';
  delta: string;
}

/** Whole text; sent also when interrupted or cancelled (§4.15). */
export interface ResponseTextDoneEvent extends ContentEventBase {
  type: 'response.text.done';
  text: string;
}

/** Base64 audio delta in the session's output format (§4.17). */
export interface ResponseAudioDeltaEvent extends ContentEventBase {
  type: 'response.audio.delta';
  delta: string;
}

/** End of the audio of a content part; sent also when interrupted (§4.17). */
export interface ResponseAudioDoneEvent extends Omit<ContentEventBase, 'item_id'> {
  type: 'response.audio.done';
  /** DashScope always sends it; a looser peer may not (the deltas named the item, issue 19). */
  item_id?: string;
}

/** Transcript delta of the spoken reply (§4.16). */
export interface ResponseAudioTranscriptDeltaEvent extends ContentEventBase {
  type: 'response.audio_transcript.delta';
  delta: string;
}

/** Whole transcript of the spoken reply (§4.16). */
export interface ResponseAudioTranscriptDoneEvent extends ContentEventBase {
  type: 'response.audio_transcript.done';
  transcript: string;
}

/** Function-call argument delta; no `content_index`, no `name` (§4.18). */
export interface ResponseFunctionCallArgumentsDeltaEvent extends ServerEventBase {
  type: 'response.function_call_arguments.delta';
  response_id: string;
  item_id: string;
  /** DashScope always sends it; a looser peer may not (the SDK never reads it, issue 19). */
  output_index?: number;
  call_id: string;
  delta: string;
}

/** Complete function call: use these `arguments`, trimmed, not the deltas (§4.18). */
export interface ResponseFunctionCallArgumentsDoneEvent extends ServerEventBase {
  type: 'response.function_call_arguments.done';
  response_id: string;
  item_id: string;
  /** DashScope always sends it; a looser peer may not (the SDK never reads it, issue 19). */
  output_index?: number;
  call_id: string;
  name: string;
  arguments: string;
}

/** An output item started (§4.13). */
export interface ResponseOutputItemAddedEvent extends ServerEventBase {
  type: 'response.output_item.added';
  response_id: string;
  /** DashScope always sends it; a looser peer may not (the SDK never reads it, issue 19). */
  output_index?: number;
  item: MessageItem | FunctionCallItem;
}

/** An output item finished (§4.20). */
export interface ResponseOutputItemDoneEvent extends ServerEventBase {
  type: 'response.output_item.done';
  response_id: string;
  /** DashScope always sends it; a looser peer may not (the SDK never reads it, issue 19). */
  output_index?: number;
  item: MessageItem | FunctionCallItem;
}

/** A content part started; `part.type` is `audio` or `text` (§4.14). */
export interface ResponseContentPartAddedEvent extends ContentEventBase {
  type: 'response.content_part.added';
  part: { type: 'audio' | 'text'; text?: string; transcript?: string };
}

/** A content part finished (§4.19). */
export interface ResponseContentPartDoneEvent extends ContentEventBase {
  type: 'response.content_part.done';
  part: { type: 'audio' | 'text'; text?: string; transcript?: string };
}

/** Answer to `session.finish` once pending work is done; the client then closes (§4.22). */
export interface SessionFinishedEvent extends ServerEventBase {
  type: 'session.finished';
}

/** Every documented server event. */
export type ServerEvent =
  | ErrorEvent
  | SessionCreatedEvent
  | SessionUpdatedEvent
  | InputAudioBufferSpeechStartedEvent
  | InputAudioBufferSpeechStoppedEvent
  | InputAudioBufferCommittedEvent
  | InputAudioBufferClearedEvent
  | ConversationItemCreatedEvent
  | InputAudioTranscriptionDeltaEvent
  | InputAudioTranscriptionCompletedEvent
  | InputAudioTranscriptionFailedEvent
  | ResponseCreatedEvent
  | ResponseDoneEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseAudioDeltaEvent
  | ResponseAudioDoneEvent
  | ResponseAudioTranscriptDeltaEvent
  | ResponseAudioTranscriptDoneEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseOutputItemAddedEvent
  | ResponseOutputItemDoneEvent
  | ResponseContentPartAddedEvent
  | ResponseContentPartDoneEvent
  | SessionFinishedEvent;

/** The `type` of every documented server event. */
export type ServerEventType = ServerEvent['type'];

/** The server event with the given `type`. */
export type ServerEventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;

/**
 * A server event whose `type` this SDK does not know (a newer server, another model on the same
 * endpoint), delivered untouched inside `event`, never thrown. The wrapper keeps `type`
 * narrowing of {@link ServerEvent} working: `'unknown'` is not a DashScope event name.
 */
export interface UnknownServerEvent {
  /** Always `'unknown'`; the server's own type is `event.type`. */
  type: 'unknown';
  /** The event exactly as received. */
  event: { type: string; event_id?: string; [field: string]: unknown };
}

/** What the client delivers: a documented event or an unknown one. */
export type AnyServerEvent = ServerEvent | UnknownServerEvent;

/** Every documented server event type, for runtime checks. */
export const SERVER_EVENT_TYPES: readonly ServerEventType[] = [
  'error',
  'session.created',
  'session.updated',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'conversation.item.created',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.failed',
  'response.created',
  'response.done',
  'response.text.delta',
  'response.text.done',
  'response.audio.delta',
  'response.audio.done',
  'response.audio_transcript.delta',
  'response.audio_transcript.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'session.finished',
];

const KNOWN_SERVER_TYPES: ReadonlySet<string> = new Set(SERVER_EVENT_TYPES);

/** True when `type` is one of the documented server event types. */
export function isServerEventType(type: string): type is ServerEventType {
  return KNOWN_SERVER_TYPES.has(type);
}
