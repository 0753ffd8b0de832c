/**
 * DashScope-shaped `error` events (protocol.md §4.1, §0.1.2) and the handshake refusal bodies
 * (§1.3, §0.1.3). Documented texts are used verbatim; where no text is documented (§9.4) the
 * simulator picks one, and {@link ErrorTexts} lets a user replace it.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorDetail } from '../protocol/index.js';

/**
 * Messages for the errors whose text protocol.md does not give (§9.4). Placeholders in braces
 * are filled in; the defaults follow the style of the documented texts.
 */
export interface ErrorTexts {
  emptyCommit: string;
  responseInProgress: string;
  nothingToCancel: string;
  unknownEventType: string;
  invalidJson: string;
  binaryFrame: string;
  frameTooLarge: string;
  wrongFieldType: string;
  invalidBase64: string;
  oddPcm: string;
  bufferFull: string;
  imageTooLarge: string;
  imageNotJpeg: string;
  imageUnsupported: string;
  tooManyImages: string;
  formatLocked: string;
  voiceLocked: string;
  commitInVad: string;
  invalidItem: string;
  internal: string;
}

/** The default texts; `{x}` placeholders are replaced. */
export const DEFAULT_ERROR_TEXTS: Readonly<ErrorTexts> = Object.freeze({
  emptyCommit: 'Error committing input audio buffer: the buffer is empty.',
  responseInProgress: 'Conversation already has an active response: {response_id}. Wait for response.done before creating a new one.',
  nothingToCancel: 'Cancellation failed: no active response found.',
  // §0.1.1 records the service's wording for session.finish on flash: "invalid event type".
  unknownEventType: "Invalid event type: '{type}'.",
  invalidJson: 'Invalid event: the frame is not valid JSON.',
  binaryFrame: 'Invalid event: binary frames are not supported; send JSON text frames.',
  frameTooLarge: 'Invalid event: the frame has {size} bytes, more than the limit of {limit} bytes.',
  wrongFieldType: "Invalid value for '{param}': expected {expected}.",
  invalidBase64: "Invalid value for '{param}': not valid base64.",
  oddPcm: 'Invalid audio: PCM16 data must hold whole samples ({bytes} bytes is not a multiple of {frame}).',
  bufferFull: 'Input audio buffer is full: at most {limit} ms of uncommitted audio. Commit or clear it first.',
  imageTooLarge: 'Image is too large: {size} bytes after base64, the limit is {limit}.',
  imageNotJpeg: 'Invalid image: only JPEG images are supported.',
  imageUnsupported: 'Model {model} does not support image input.',
  tooManyImages: 'Too many images in one turn: at most {limit}.',
  formatLocked: "Invalid value for '{param}': the input audio format cannot change after audio has started.",
  voiceLocked: 'The voice cannot be changed after audio has been produced.',
  // The one text 3P measured for a manual commit with VAD on (§3.3, §8.8).
  commitInVad: 'Internal service error: null',
  invalidItem: "Invalid value for '{param}': {reason}",
  internal: 'Internal service error: {reason}',
});

/**
 * Texts the live service sends, quoted by protocol.md §0.2 (not replaceable: a client matches
 * on them). `{x}` placeholders are filled with {@link fillText}.
 */
export const LIVE_TEXTS = Object.freeze({
  /** §0.2.10: a `function_call_output` for a call the session never issued. */
  unknownCallId: 'Unknown function call id: {call_id}',
  /** §0.2.11: no response generated for the idle time; the socket then closes with 1011. */
  inactivity: 'Your session was closed because no response was generated for {seconds} seconds.',
  /** §0.2.12: `response.create` while VAD hears the user. */
  userSpeaking: 'Cannot create response while user is speaking.',
  /** §0.2.3: semantic VAD discarded a speech candidate. */
  semanticRejected: 'Input speech was not accepted by semantic turn detection',
  /** §0.2.14, §3.5: an image with no audio in the buffer. */
  imageBeforeAudio: 'Error append image before append audio.',
});

/** `template` with `{name}` placeholders replaced by `values`. */
export function fillText(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}

/** The message for `kind`, from the user's texts or the defaults, with placeholders filled. */
export function errorText(kind: keyof ErrorTexts, custom: Partial<ErrorTexts>, values?: Record<string, string | number>): string {
  return fillText(custom[kind] ?? DEFAULT_ERROR_TEXTS[kind], values);
}

/**
 * An `invalid_request_error` (the session goes on, §4.1, §0.1.12). `code` defaults to
 * `invalid_value`, the only realtime code documented (§0.1.3); `event_id` is the offending
 * client event's id or `""` (§0.1.2).
 */
export function invalidRequest(message: string, opts: { param?: string; code?: string; eventId?: string } = {}): ErrorDetail {
  return {
    type: 'invalid_request_error',
    code: opts.code ?? 'invalid_value',
    message,
    param: opts.param ?? '',
    event_id: opts.eventId ?? '',
  };
}

/** A `server_error` (the connection is then terminated, §4.1). */
export function serverError(message: string, opts: { code?: string; eventId?: string } = {}): ErrorDetail {
  return { type: 'server_error', code: opts.code ?? 'internal_error', message, param: '', event_id: opts.eventId ?? '' };
}

/** A DashScope HTTP error body: `{code, message, request_id}` (§1.3, §0.1.3). */
export function handshakeBody(code: string, message: string): string {
  return JSON.stringify({ code, message, request_id: randomUUID() });
}

/** The refusal for a missing or rejected API key (§1.3: HTTP 401, `InvalidApiKey`). */
export const INVALID_API_KEY = { status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' } as const;

/** The refusal for a missing `model` parameter (§0.1.3: 400 `BadRequest.EmptyModel`). */
export const EMPTY_MODEL = { status: 400, code: 'BadRequest.EmptyModel', message: 'Required parameter "model" missing from request.' } as const;

/** The refusal for a path other than `/api-ws/v1/realtime` (§1.1). */
export const NOT_FOUND = { status: 404, code: 'NotFound', message: 'Not found: the realtime endpoint is /api-ws/v1/realtime?model=<model>.' } as const;

/** The refusal when {@link SimulatorOptions.maxConnections} is reached (§2.8). */
export const THROTTLED = { status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' } as const;
