/**
 * Client → server events (protocol.md §3). The complete official set; nothing else exists on
 * DashScope (§3.10). Every event is a flat JSON object with `type` and an optional `event_id`.
 */
import type { ClientItem } from './items.js';
import type { Modality, SessionConfig } from './session.js';

/** Fields common to every client event. */
interface ClientEventBase {
  /** Client-chosen id; the server echoes it as `error.event_id` on a failure (§0.1.2). */
  event_id?: string;
}

/** Configure the session; answered by `session.updated` or `error` (§3.1). */
export interface SessionUpdateEvent extends ClientEventBase {
  type: 'session.update';
  session: SessionConfig;
}

/** Append base64 audio in the session's input format (§3.2). No acknowledgement. */
export interface InputAudioBufferAppendEvent extends ClientEventBase {
  type: 'input_audio_buffer.append';
  /** Base64 of PCM s16le (default 16 kHz mono). */
  audio: string;
}

/** Commit the audio (and image) buffer as a user item (§3.3). */
export interface InputAudioBufferCommitEvent extends ClientEventBase {
  type: 'input_audio_buffer.commit';
}

/** Discard uncommitted audio; answered by `input_audio_buffer.cleared` (§3.4). */
export interface InputAudioBufferClearEvent extends ClientEventBase {
  type: 'input_audio_buffer.clear';
}

/** Append a base64 JPEG frame; only after audio was appended (§3.5). */
export interface InputImageBufferAppendEvent extends ClientEventBase {
  type: 'input_image_buffer.append';
  /** Raw base64 (no data-URI prefix), at most 256 KB after encoding. */
  image: string;
}

/** Ask for a response (§3.6). The `response` object is the official SDKs' extension. */
export interface ResponseCreateEvent extends ClientEventBase {
  type: 'response.create';
  response?: {
    /** Per-response instructions; `null` keeps the session's. */
    instructions?: string | null;
    /** Per-response output modalities. */
    modalities?: Modality[] | null;
    [extra: string]: unknown;
  };
}

/** Cancel the response in progress; `error` if there is none (§3.7). */
export interface ResponseCancelEvent extends ClientEventBase {
  type: 'response.cancel';
}

/** Add an item: a function result, a text message, or (qwen3.8) an MCP approval (§3.8). */
export interface ConversationItemCreateEvent extends ClientEventBase {
  type: 'conversation.item.create';
  item: ClientItem;
}

/** End the session; answered by `session.finished` (or an `error` on some models, §0.1.1). */
export interface SessionFinishEvent extends ClientEventBase {
  type: 'session.finish';
}

/** Every client event. */
export type ClientEvent =
  | SessionUpdateEvent
  | InputAudioBufferAppendEvent
  | InputAudioBufferCommitEvent
  | InputAudioBufferClearEvent
  | InputImageBufferAppendEvent
  | ResponseCreateEvent
  | ResponseCancelEvent
  | ConversationItemCreateEvent
  | SessionFinishEvent;

/** The `type` of every client event. */
export type ClientEventType = ClientEvent['type'];

/** The client event with the given `type`. */
export type ClientEventOf<T extends ClientEventType> = Extract<ClientEvent, { type: T }>;

/** All client event types, for runtime checks (the simulator rejects anything else). */
export const CLIENT_EVENT_TYPES: readonly ClientEventType[] = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'input_image_buffer.append',
  'response.create',
  'response.cancel',
  'conversation.item.create',
  'session.finish',
];
