/**
 * The seam under `RealtimeSession`: one Qwen-Omni-Realtime connection, whatever carries it. The
 * session knows a connection only through this interface; `RealtimeClient` (WebSocket),
 * `WebRTCTransport` (browser, protocol.md §6) and the `/testing` scripted client implement it.
 * Events go in as client events (§3) and come out as typed server events (§4) plus three of the
 * transport's own: `close`, `client_error` and `unknown`.
 *
 * Liveness is the transport's job: it finds a dead peer itself (the WebSocket client pings,
 * `keepaliveMs`; WebRTC watches the peer connection) and reports it as a `close` carrying a
 * retryable {@link ConnectionError}, which is all a session needs to reconnect.
 */
import type { ConnectionError, RealtimeError } from '../errors.js';
import type { ClientEvent } from '../protocol/clientEvents.js';
import type { ModelInfo } from '../protocol/models.js';
import type { AnyServerEvent, ServerEventOf, ServerEventType, UnknownServerEvent } from '../protocol/serverEvents.js';
import type { Modality, Session, SessionConfig } from '../protocol/session.js';

/** How a connection closed. */
export interface CloseInfo {
  /** WebSocket close code (1006: dropped without a close frame; WebRTC reports 1000 or 1006 alike). */
  code: number;
  /** Close reason. */
  reason: string;
  /** Set when the close was not asked for by this side or by `session.finish`: the connection dropped. */
  error?: ConnectionError;
}

/** Everything a transport emits: each server event type, plus its own events. */
export type RealtimeTransportEvents = { [K in ServerEventType]: ServerEventOf<K> } & {
  /** Every server event, documented or not. */
  '*': AnyServerEvent;
  /** A server event whose type this SDK does not know. */
  unknown: UnknownServerEvent;
  /** The connection closed (once per connect). */
  close: CloseInfo;
  /** A problem inside the transport: a bad frame from the server, a listener that threw. */
  client_error: RealtimeError;
};

/** Connection state of a transport. */
export type TransportState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/** A client event as `send` takes it: a typed one, or any `{ type }` object (the escape hatch). */
export type OutgoingEvent = ClientEvent | ({ type: string; event_id?: string } & Record<string, unknown>);

/** Audio input accepted by `appendAudio` (see `AudioInput` for the forms). */
export type TransportAudio = Int16Array | Float32Array | Uint8Array | ArrayBuffer | string;

/** Per-response options of `createResponse` (the official SDKs' `response` object, §3.6). */
export interface CreateResponseOptions {
  /** Instructions for this response only. */
  instructions?: string | null;
  /** Output modalities for this response only: `["text"]` or `["text","audio"]`. */
  modalities?: Modality[];
}

/** How `finish()` ended. */
export interface FinishResult {
  /** `session.finished` arrived (or the connection closed cleanly after the request). */
  finished: boolean;
  /** What ended the wait. */
  reason: 'session.finished' | 'error' | 'timeout' | 'closed';
}

/** What stopping a transport's own playback found (see {@link RealtimeTransport.mediaPlayback}). */
export interface MediaPlaybackStop {
  /** The assistant item that was playing, if any. */
  itemId: string | undefined;
  /** How much of it was heard, in ms. */
  heardMs: number;
  /** How much of it had been played or was playing when stopped, in ms: what `heardMs` is a share of. */
  streamedMs: number;
  /** True when the item was still arriving: the stop cut something. */
  cut: boolean;
}

/** One realtime connection, as the session sees it. */
export interface RealtimeTransport {
  /** The model of this connection. */
  readonly model: string;
  /** The catalog entry of the model, if known. */
  readonly modelInfo: ModelInfo | undefined;
  /** Connection state. */
  readonly state: TransportState;
  /** True while open and `session.created` has arrived. */
  readonly isConnected: boolean;
  /** The effective session of the last `session.created` / `session.updated`. */
  readonly session: Session | undefined;
  /** The input sample rate the session expects (§3.1.2). */
  readonly inputSampleRate: number;
  /** The sample rate of reply audio (§3.1.2). */
  readonly outputSampleRate: number;
  /**
   * How user audio travels: `events` (`input_audio_buffer.append`, through `appendAudio`) or
   * `media` (a WebRTC microphone track, §6.2: `appendAudio` and `commitAudio` throw there).
   */
  readonly audioInput: 'events' | 'media';
  /**
   * Present on transports that play the reply themselves (WebRTC: the reply's media track, §6.2),
   * where no `response.audio.delta` reaches the session's player. On a barge-in or `interrupt()`
   * the session stops it and learns which item was playing and how much of it was heard.
   */
  readonly mediaPlayback?: { stop(): MediaPlaybackStop };

  /** Opens the connection; resolves with the session of `session.created`. */
  connect(): Promise<Session>;
  /** Listens to an event; returns the function that removes the listener. */
  on<K extends keyof RealtimeTransportEvents>(type: K, listener: (event: RealtimeTransportEvents[K]) => void): () => void;
  /** Sends a client event, adding an `event_id` when it has none; returns the event id. */
  send(event: OutgoingEvent): string;
  /** Sends `session.update`; resolves with the session of this request's `session.updated`, or rejects with its error. */
  updateSession(config: SessionConfig): Promise<Session>;
  /** Appends audio (§3.2); resolves once the transport has room for more (backpressure). */
  appendAudio(data: TransportAudio, format?: { sampleRate: number; channels?: number }): Promise<string>;
  /** Appends a JPEG frame (§3.5); resolves like `appendAudio`. */
  appendImage(data: Uint8Array | ArrayBuffer | string, options?: { mimeType?: string }): Promise<string>;
  /** Commits the audio buffer as a user turn (§3.3, Manual mode). */
  commitAudio(): string;
  /** Asks for a response (§3.6). */
  createResponse(options?: CreateResponseOptions): string;
  /** Cancels the response in progress (§3.7). */
  cancelResponse(): string;
  /** Ends politely (§3.9): `session.finish`, the wait for `session.finished`, then close. Never throws for the server's answer. */
  finish(options?: { timeoutMs?: number }): Promise<FinishResult>;
  /** Closes and resolves once closed (always settles). */
  close(code?: number, reason?: string): Promise<void>;
  /** Drops the connection at once; `close` then reports it as unexpected. */
  terminate(): void;
}
