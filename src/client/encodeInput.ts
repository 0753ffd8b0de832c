/**
 * Audio and image inputs of the senders → the base64 the wire carries (protocol.md §3.2, §3.5),
 * checked first: nothing invalid is sent, and every error says what to fix.
 */
import { decodeBase64, encodeBase64 } from '../audio/base64.js';
import { checkImage, MAX_IMAGE_BASE64_BYTES } from '../audio/image.js';
import { ValidationError } from '../errors.js';

/** Audio accepted by `appendAudio`: PCM16 bytes or samples, or base64 of PCM16 bytes. */
export type AudioInput = Int16Array | Float32Array | Uint8Array | ArrayBuffer | string;

/** Describes audio that is not yet in the session's input format. */
export interface AudioInputFormat {
  /** Sample rate of `data` in Hz. */
  sampleRate: number;
  /** Interleaved channels in `data`. Default 1. */
  channels?: number;
}

/** Image accepted by `appendImage`: JPEG bytes or their base64. */
export type ImageInput = Uint8Array | ArrayBuffer | string;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesOf(data: Uint8Array | ArrayBuffer | Int16Array, where = 'appendAudio'): Uint8Array {
  checkAttached(data, where);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Throws a {@link ValidationError} for a buffer that was transferred away (postMessage, a
 * worker, `structuredClone` with `transfer`): viewing it would throw a raw TypeError. Node 20 has
 * no `ArrayBuffer.prototype.detached`; a detached buffer is the one that cannot be viewed.
 */
function checkAttached(data: ArrayBuffer | ArrayBufferView, where: string): void {
  const buffer = data instanceof ArrayBuffer ? data : data.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength > 0) return;
  try {
    new Uint8Array(buffer);
  } catch {
    throw new ValidationError(`${where}: the buffer was transferred (detached), e.g. by postMessage or structuredClone with transfer; pass a copy that is still attached.`, `${where}(data)`);
  }
}

/**
 * Throws a {@link ValidationError} naming the first value JSON cannot carry (a BigInt, a cycle),
 * so that `updateSession({ temperature: 1n })` is a typed error, not `JSON.stringify`'s TypeError.
 */
export function checkJsonValue(value: unknown, param: string): void {
  try {
    JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${param}: ${firstBigIntPath(value, param) ?? 'a value'} cannot be sent as JSON (${reason}); use numbers, strings, booleans, arrays and plain objects.`, firstBigIntPath(value, param) ?? param);
  }
}

/** Where the first BigInt is, e.g. `session.temperature` (bounded walk, cycles skipped). */
function firstBigIntPath(value: unknown, path: string): string | undefined {
  const work: Array<[unknown, string]> = [[value, path]];
  const seen = new Set<object>();
  for (let visits = 0; work.length > 0 && visits < 10_000; visits++) {
    const [v, p] = work.pop()!;
    if (typeof v === 'bigint') return p;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    for (const [k, child] of Object.entries(v).reverse()) work.push([child, Array.isArray(v) ? `${p}[${k}]` : `${p}.${k}`]);
  }
  return undefined;
}

/**
 * Checks samples given with their format (`appendAudio(samples, { sampleRate, channels })`) and
 * returns them; the caller converts them to the session's input format. `where` names the call
 * in the error messages.
 */
export function checkFormattedAudio(data: AudioInput, format: AudioInputFormat, where = 'appendAudio'): Int16Array | Float32Array {
  if (typeof format !== 'object' || format === null) {
    throw new ValidationError(`${where}: the format of the samples is { sampleRate, channels }.`, `${where}(format)`);
  }
  const { sampleRate, channels = 1 } = format;
  if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384_000) {
    throw new ValidationError(`${where}: sampleRate must be a whole number of Hz between 1000 and 384000, got ${String(sampleRate)}.`, `${where}(format.sampleRate)`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 32) {
    throw new ValidationError(`${where}: channels must be an integer from 1 to 32, got ${String(channels)}.`, `${where}(format.channels)`);
  }
  if (!(data instanceof Int16Array) && !(data instanceof Float32Array)) {
    throw new ValidationError(`${where}: with { sampleRate, channels } pass samples as an Int16Array or a Float32Array.`, `${where}(data)`);
  }
  checkAttached(data, where);
  if (data.length === 0) throw new ValidationError(`${where}: the audio is empty; pass at least one sample.`, `${where}(data)`);
  if (data.length % channels !== 0) {
    throw new ValidationError(`${where}: ${data.length} samples do not divide into ${channels} interleaved channels.`, `${where}(data)`);
  }
  if (data instanceof Float32Array && data.some((v) => !Number.isFinite(v))) {
    throw new ValidationError(`${where}: the samples contain NaN or Infinity.`, `${where}(data)`);
  }
  return data;
}

/** Base64 of PCM16 bytes, samples or base64 already in the session's input format (checked). */
export function encodeAudio(data: AudioInput): string {
  if (typeof data === 'string') {
    if (data.length === 0) throw new ValidationError('appendAudio: the audio is empty; pass base64 of PCM16 bytes.', 'appendAudio(data)');
    if (data.length % 4 !== 0 || !BASE64.test(data)) {
      throw new ValidationError('appendAudio: the string is not valid base64 (pass raw base64 of PCM16 little-endian bytes, no data: prefix).', 'appendAudio(data)');
    }
    const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
    if (((data.length / 4) * 3 - padding) % 2 !== 0) {
      throw new ValidationError('appendAudio: the base64 decodes to an odd number of bytes; PCM16 needs 2 bytes per sample.', 'appendAudio(data)');
    }
    return data;
  }
  if (data instanceof Float32Array) {
    throw new ValidationError(`appendAudio: Float32Array samples need their format: appendAudio(samples, { sampleRate, channels }).`, 'appendAudio(data)');
  }
  if (!(data instanceof Int16Array) && !(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
    throw new ValidationError('appendAudio: pass an Int16Array, a Uint8Array/Buffer or ArrayBuffer of PCM16 bytes, or a base64 string.', 'appendAudio(data)');
  }
  const bytes = bytesOf(data);
  if (bytes.length === 0) throw new ValidationError('appendAudio: the audio is empty; pass at least one sample.', 'appendAudio(data)');
  if (bytes.length % 2 !== 0) {
    throw new ValidationError(`appendAudio: ${bytes.length} bytes is an odd count; PCM16 needs 2 bytes per sample.`, 'appendAudio(data)');
  }
  return encodeBase64(bytes);
}

/** Base64 of a JPEG frame, checked by its bytes and against the size limit (§3.5). */
export function encodeImage(data: ImageInput, options: { mimeType?: string; maxBase64Bytes?: number } = {}): string {
  let bytes: Uint8Array;
  if (typeof data === 'string') {
    if (data.startsWith('data:')) {
      throw new ValidationError('appendImage: pass raw base64 or bytes, not a data: URI.', 'appendImage(data)');
    }
    // Refused before decoding: a string of 100 MB must not be decoded only to be refused.
    const limit = options.maxBase64Bytes ?? MAX_IMAGE_BASE64_BYTES;
    if (data.length > limit) {
      throw new ValidationError(`appendImage: the image is ${Math.round(data.length / 1024)} KB of base64; the limit is ${Math.round(limit / 1024)} KB after base64 (protocol.md §3.5): lower the JPEG quality or the resolution.`, 'image', undefined, 'image_too_large');
    }
    bytes = decodeBase64(data);
  } else if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    bytes = bytesOf(data, 'appendImage');
  } else {
    throw new ValidationError('appendImage: pass JPEG bytes (Uint8Array, Buffer, ArrayBuffer) or their base64.', 'appendImage(data)');
  }
  const mime = options.mimeType?.toLowerCase();
  if (mime !== undefined && mime !== 'image/jpeg' && mime !== 'image/jpg') {
    throw new ValidationError(`appendImage: mimeType '${options.mimeType}' is not accepted; the service takes JPEG (image/jpeg) frames only.`, 'appendImage(mimeType)', ['image/jpeg']);
  }
  checkImage(bytes, options.maxBase64Bytes === undefined ? {} : { maxBase64Bytes: options.maxBase64Bytes });
  return typeof data === 'string' ? data : encodeBase64(bytes);
}

/** Rates a model outside the catalog may announce: the ones any DashScope model uses (§3.1.2). */
const KNOWN_RATES: readonly number[] = [8000, 16000, 24000, 48000];

/**
 * The sample rate a session announced for one direction, if the model allows it; otherwise the
 * model's default. A peer's number is bounded before use: a server announcing 7 Hz must not make
 * `appendAudio` design a resampling filter for 16 kHz → 7 Hz (seconds of CPU, gigabytes).
 */
export function allowedRate(announced: unknown, allowed: readonly number[] | undefined, fallback: number): number {
  return typeof announced === 'number' && (allowed ?? KNOWN_RATES).includes(announced) ? announced : fallback;
}
