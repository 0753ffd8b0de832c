/**
 * Every setting of the simulator in one place, with its default and the protocol.md section it
 * comes from. Where protocol.md marks behaviour as uncertain ([UNK], §9) the default is the most
 * likely behaviour and the alternative is one option away, so users can test their clients
 * against both.
 */
import type { Responder } from './responder.js';
import type { FaultPlan, FaultSelector } from './faults.js';
import type { FrameRecord } from './recorder.js';
import type { ErrorTexts } from './errors.js';

/** Close codes the simulator uses for the closes it initiates (§5.1, §9.1). */
export interface CloseCodes {
  /** After `session.finished` (§3.9). Default 1000. */
  sessionFinished: number;
  /** When the session reaches its duration cap (§2.5). Default 1000: the 3P report only says "closes the socket"; 1000 keeps the SDK's reconnect logic willing to start a new session. */
  sessionLimit: number;
  /** After the inactivity timeout, once its `error` is sent (§0.2.11: server timeouts close with 1011). Default 1011. */
  idleTimeout: number;
  /** After an unknown voice (§2.4, 3P: "the socket is closed"). Default 1008: retrying cannot fix a configuration error. */
  unsupportedVoice: number;
  /** After a `server_error` event (§4.1: "the connection is terminated"). Default 1011. */
  serverError: number;
}

/** The answer to a refused handshake (§1.3, §0.1.3, §9.9). */
export interface HandshakeRefusal {
  /** HTTP status. */
  status: number;
  /** DashScope `code`, e.g. `InvalidApiKey`. */
  code: string;
  /** DashScope `message`. */
  message: string;
}

/** Options of {@link startSimulator}. Every field is optional. */
export interface SimulatorOptions {
  /** Interface to bind. Default `127.0.0.1` (never all interfaces unless asked). */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Pace of responses: 1 real time, 2 twice as fast, 0 as fast as possible (tests). Default 1. */
  speed?: number;

  // --- Handshake (§1) ---
  /** Accepted API keys: a list, or a predicate. Default: any non-empty key (§1.3). The key is never logged or echoed. */
  apiKeys?: readonly string[] | ((key: string) => boolean);
  /** Accept models the catalog does not know, with the capabilities of qwen3.5-omni-plus-realtime. Default false. */
  acceptUnknownModels?: boolean;
  /** Answer to an unknown model (§9.9). Default 400 `InvalidParameter` "Model not exist." (DashScope's answer for a model name it does not know; the status-code table lists 400 `InvalidParameter`, §0.1.3). */
  unknownModelRefusal?: HandshakeRefusal;
  /** Upgrades beyond this many live connections are refused with 429 `Throttling.RateQuota` (§2.8, §9.9). Default: unlimited. */
  maxConnections?: number;

  // --- The simulated model ---
  /** What the model says. Default `defaultResponder`, which describes what it received. */
  responder?: Responder;
  /** The input transcriber (§4.10). Default `describeAudio` (a placeholder such as "(speech, 1.8 s)"). */
  transcribe?: (audio: Int16Array, sampleRate: number) => string | Promise<string>;

  // --- session.update (§3.1) ---
  /** `merge` applies only the top-level keys given (nested `audio` merged per side); `replace` resets the others to the model's defaults (§3.1, §9.3). Default `merge`. */
  sessionUpdateMode?: 'merge' | 'replace';
  /** A field the model lacks (`kind: 'unsupported'`, e.g. `tools` on qwen3-omni-flash, which the official SDK sends): `ignore` accepts it without effect, `error` refuses the update. Default `ignore`. */
  unsupportedFields?: 'ignore' | 'error';
  /** An unknown voice: `error-and-close` (3P-measured, §2.4) or `error` only. Default `error-and-close`. */
  unknownVoice?: 'error-and-close' | 'error';
  /** Refuse a voice change once audio has been produced (3P: `cannot_update_voice`, §2.4, §9.3). Default false. */
  lockVoiceAfterAudio?: boolean;
  /**
   * A voice in the model's `silentFailureVoices` (qwen3.5-omni-flash + `Cherry`, §0.2.2) is
   * accepted, then every turn ends ~11 ms after `speech_stopped` (or at `response.create` after a
   * manual commit) with a close frame without a status code (the client sees 1005), no `error` and
   * no `response.*`, as the live service does. false: such voices answer normally. Default true.
   */
  silentVoiceFailure?: boolean;

  // --- Input (§3.2 to §3.5) ---
  /** Input transcription in Manual mode (§4.10, §9.10: 3P saw none on flash models). Default true. */
  transcriptionInManualMode?: boolean;
  /** `…input_audio_transcription.delta` while the user speaks in VAD mode (§4.9), every this many ms of speech; 0 disables. Default 1000. */
  transcriptionDeltaMs?: number;
  /** Manual mode: send the user's `conversation.item.created` (and transcription) at `commit` (3P order) or at the next `response.create` (official flow, §0.1.9). Default `commit`. */
  manualUserItemAt?: 'commit' | 'response.create';
  /** `input_audio_buffer.commit` while VAD is on (§8.8): `accept` (Java FAQ), `ignore`, or `error` (3P: "Internal service error: null"). Default `accept`. */
  commitInVadMode?: 'accept' | 'ignore' | 'error';
  /**
   * Under `semantic_vad`, speech shorter than this many ms (a cough, an "uh-huh") is not a turn:
   * it is discarded with the non-fatal `error` "Input speech was not accepted by semantic turn
   * detection" without `event_id`, and no response (§0.2.3). 0 accepts every candidate. Default 500.
   */
  semanticMinSpeechMs?: number;
  /**
   * Under `semantic_vad`, where a too-short candidate is rejected (§0.2.3 reports both forms):
   * `speech_stopped` (in its place: the `error` without `event_id`, nothing committed) or
   * `response.create` (the turn is committed as usual, then the response it would get is
   * refused: the client's next `response.create` gets the `error` with its `event_id` and no
   * `response.created`; with `create_response` on, the automatic response is replaced by the
   * `error` without `event_id`). Default `speech_stopped`.
   */
  semanticRejectAt?: 'speech_stopped' | 'response.create';
  /** Under `semantic_vad`: the user item's `conversation.item.created` right after `speech_started` (§0.2.4, §0.2.28) or after `committed` (the `server_vad` order). Default `speech_started`. */
  semanticUserItemAt?: 'speech_started' | 'committed';
  /** Under `semantic_vad`: the final input transcription arrives after the turn's `response.done` (§0.2.5). Default false. */
  semanticLateTranscription?: boolean;
  /** Largest uncommitted audio in ms; past it an append is refused with an `error` and not added. Default 300000 (5 min). */
  maxBufferedAudioMs?: number;
  /** Largest image, in base64 characters (§3.5: ≤ 256 KB after Base64; older docs 500 KB before, §8.5). Default 262144. */
  maxImageBase64Bytes?: number;
  /** Accept PNG frames too (§3.5 says JPEG only). Default false. */
  acceptPng?: boolean;
  /** Accept images on models whose catalog entry has no image input (turbo, §0.1.5). Default false. */
  imagesOnAudioOnlyModels?: boolean;
  /** Images kept per user turn; more are refused with an `error` (memory bound). Default 64. */
  maxImagesPerTurn?: number;

  // --- Responses (§4.12 to §4.21, §5.3) ---
  /** Send `response.done` (status `cancelled`) after `response.cancel` or barge-in (§0.1.4). false: omit it (3P-measured, §4.21). Default true. */
  responseDoneAfterCancel?: boolean;
  /** A `function_call_output` whose `call_id` this session never issued is accepted (for replaying recorded traces) instead of refused with "Unknown function call id: …" (§0.2.10). Default false. */
  acceptUnknownCallIds?: boolean;
  /** In a VAD mode, a `function_call_output` starts the next response by itself (§0.2.9: the docs conflict; no live client saw it). Default false. */
  answerAfterToolOutput?: boolean;
  /** `conversation.item.created` carries the `item.id` the client chose (§3.8). false: a server id instead (§0.2.15, 3P). Default true. */
  echoClientItemIds?: boolean;
  /** A `response.create` (or a VAD turn) while a response streams starts a new response at once; the old one ends without its `.done` events and without `response.done` (§0.2.8). Default false (refused, §3.6). */
  supersedeResponses?: boolean;
  /** Audio per `response.audio.delta`, in ms (§2.3 recommends 100 ms chunks). Default 100. */
  audioChunkMs?: number;
  /** Time between `response.text.delta`s in text-only responses, in ms (scaled by `speed`). Default 30. */
  textDeltaMs?: number;
  /** Time from `response.created` to the first output, in ms (scaled by `speed`). Default 0. */
  firstOutputDelayMs?: number;

  // --- Limits (§2.2, §2.5, §1.5) ---
  /** Session duration cap in ms. Default: the model's `limits.sessionMinutes` (120 min, §2.5). */
  maxSessionMs?: number;
  /** Send an `error` before closing at the duration cap. Default false (3P: "says so by closing the socket"). */
  errorBeforeSessionLimitClose?: boolean;
  /**
   * Close after this many ms without a response generated (§0.2.11): client frames, even
   * streamed silence, do not reset it; the end of every response does, and no close happens
   * while a response streams. The `error` "Your session was closed because no response was
   * generated for N seconds." comes first, then the close (`closeCodes.idleTimeout`, 1011).
   * 0 disables. Default 180000.
   */
  idleTimeoutMs?: number;
  /** Frames above this many bytes get an `error` and are skipped; the session goes on. Default 16 MiB (the Java doc's "up to 15 MiB per append" plus JSON overhead). */
  maxFrameBytes?: number;
  /** Hard limit: above it `ws` closes with 1009. Default 32 MiB. */
  maxPayloadBytes?: number;
  /** History entries kept at most (memory bound, on top of the model's §2.2 limits). Default 1000. */
  maxHistoryEntries?: number;
  /** How `session.finish` is answered (§0.1.1): `per-model` follows the catalog's `sessionFinish`. Default `per-model`. */
  sessionFinish?: 'per-model' | 'session.finished' | 'error';
  /** Close codes of server-initiated closes (§9.1). */
  closeCodes?: Partial<CloseCodes>;
  /** Error messages the simulator chooses where none is documented (§9.4). */
  errorTexts?: Partial<ErrorTexts>;

  // --- Testing and observability ---
  /** Faults per connection, for tests: one plan for every connection, or a function choosing per connection. Default: none. */
  faults?: FaultPlan | FaultSelector;
  /** Log lines (redacted, never the key). Default: silent. */
  logger?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Every frame in both directions, redacted (base64 as `"<base64 len=N>"`). */
  onFrame?: (record: FrameRecord) => void;
  /** Append every frame to this JSONL file (same records as `onFrame`). */
  recordPath?: string;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  host: string;
  port: number;
  speed: number;
  apiKeys: readonly string[] | ((key: string) => boolean) | undefined;
  acceptUnknownModels: boolean;
  unknownModelRefusal: HandshakeRefusal;
  maxConnections: number;
  responder: Responder | undefined;
  transcribe: ((audio: Int16Array, sampleRate: number) => string | Promise<string>) | undefined;
  sessionUpdateMode: 'merge' | 'replace';
  unsupportedFields: 'ignore' | 'error';
  unknownVoice: 'error-and-close' | 'error';
  lockVoiceAfterAudio: boolean;
  silentVoiceFailure: boolean;
  semanticMinSpeechMs: number;
  semanticUserItemAt: 'speech_started' | 'committed';
  semanticRejectAt: 'speech_stopped' | 'response.create';
  semanticLateTranscription: boolean;
  acceptUnknownCallIds: boolean;
  answerAfterToolOutput: boolean;
  echoClientItemIds: boolean;
  supersedeResponses: boolean;
  transcriptionInManualMode: boolean;
  transcriptionDeltaMs: number;
  manualUserItemAt: 'commit' | 'response.create';
  commitInVadMode: 'accept' | 'ignore' | 'error';
  maxBufferedAudioMs: number;
  maxImageBase64Bytes: number;
  acceptPng: boolean;
  imagesOnAudioOnlyModels: boolean;
  maxImagesPerTurn: number;
  responseDoneAfterCancel: boolean;
  audioChunkMs: number;
  textDeltaMs: number;
  firstOutputDelayMs: number;
  maxSessionMs: number | undefined;
  errorBeforeSessionLimitClose: boolean;
  idleTimeoutMs: number;
  maxFrameBytes: number;
  maxPayloadBytes: number;
  maxHistoryEntries: number;
  sessionFinish: 'per-model' | 'session.finished' | 'error';
  closeCodes: CloseCodes;
  errorTexts: Partial<ErrorTexts>;
  faults: FaultPlan | FaultSelector | undefined;
  logger: ((level: 'info' | 'warn' | 'error', message: string) => void) | undefined;
  onFrame: ((record: FrameRecord) => void) | undefined;
  recordPath: string | undefined;
}

/** The default close codes (see {@link CloseCodes}). */
export const DEFAULT_CLOSE_CODES: Readonly<CloseCodes> = Object.freeze({
  sessionFinished: 1000,
  sessionLimit: 1000,
  idleTimeout: 1011,
  unsupportedVoice: 1008,
  serverError: 1011,
});

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`startSimulator: option ${name} must be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** Fills in the defaults; throws a RangeError for a nonsensical number. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const maxFrameBytes = nonNegative('maxFrameBytes', options.maxFrameBytes, 16 * 1024 * 1024);
  return {
    host: options.host ?? '127.0.0.1',
    port: nonNegative('port', options.port, 0),
    speed: nonNegative('speed', options.speed, 1),
    apiKeys: options.apiKeys,
    acceptUnknownModels: options.acceptUnknownModels ?? false,
    unknownModelRefusal: options.unknownModelRefusal ?? { status: 400, code: 'InvalidParameter', message: 'Model not exist.' },
    maxConnections: nonNegative('maxConnections', options.maxConnections, Number.POSITIVE_INFINITY),
    responder: options.responder,
    transcribe: options.transcribe,
    sessionUpdateMode: options.sessionUpdateMode ?? 'merge',
    unsupportedFields: options.unsupportedFields ?? 'ignore',
    unknownVoice: options.unknownVoice ?? 'error-and-close',
    lockVoiceAfterAudio: options.lockVoiceAfterAudio ?? false,
    silentVoiceFailure: options.silentVoiceFailure ?? true,
    semanticMinSpeechMs: nonNegative('semanticMinSpeechMs', options.semanticMinSpeechMs, 500),
    semanticUserItemAt: options.semanticUserItemAt ?? 'speech_started',
    semanticRejectAt: options.semanticRejectAt ?? 'speech_stopped',
    semanticLateTranscription: options.semanticLateTranscription ?? false,
    acceptUnknownCallIds: options.acceptUnknownCallIds ?? false,
    answerAfterToolOutput: options.answerAfterToolOutput ?? false,
    echoClientItemIds: options.echoClientItemIds ?? true,
    supersedeResponses: options.supersedeResponses ?? false,
    transcriptionInManualMode: options.transcriptionInManualMode ?? true,
    transcriptionDeltaMs: nonNegative('transcriptionDeltaMs', options.transcriptionDeltaMs, 1000),
    manualUserItemAt: options.manualUserItemAt ?? 'commit',
    commitInVadMode: options.commitInVadMode ?? 'accept',
    maxBufferedAudioMs: nonNegative('maxBufferedAudioMs', options.maxBufferedAudioMs, 300_000),
    maxImageBase64Bytes: nonNegative('maxImageBase64Bytes', options.maxImageBase64Bytes, 256 * 1024),
    acceptPng: options.acceptPng ?? false,
    imagesOnAudioOnlyModels: options.imagesOnAudioOnlyModels ?? false,
    maxImagesPerTurn: nonNegative('maxImagesPerTurn', options.maxImagesPerTurn, 64),
    responseDoneAfterCancel: options.responseDoneAfterCancel ?? true,
    audioChunkMs: Math.max(10, nonNegative('audioChunkMs', options.audioChunkMs, 100)),
    textDeltaMs: nonNegative('textDeltaMs', options.textDeltaMs, 30),
    firstOutputDelayMs: nonNegative('firstOutputDelayMs', options.firstOutputDelayMs, 0),
    maxSessionMs: options.maxSessionMs === undefined ? undefined : nonNegative('maxSessionMs', options.maxSessionMs, 0),
    errorBeforeSessionLimitClose: options.errorBeforeSessionLimitClose ?? false,
    idleTimeoutMs: nonNegative('idleTimeoutMs', options.idleTimeoutMs, 180_000),
    maxFrameBytes,
    maxPayloadBytes: Math.max(maxFrameBytes + 1, nonNegative('maxPayloadBytes', options.maxPayloadBytes, 32 * 1024 * 1024)),
    maxHistoryEntries: Math.max(1, nonNegative('maxHistoryEntries', options.maxHistoryEntries, 1000)),
    sessionFinish: options.sessionFinish ?? 'per-model',
    closeCodes: { ...DEFAULT_CLOSE_CODES, ...options.closeCodes },
    errorTexts: options.errorTexts ?? {},
    faults: options.faults,
    logger: options.logger,
    onFrame: options.onFrame,
    recordPath: options.recordPath,
  };
}
