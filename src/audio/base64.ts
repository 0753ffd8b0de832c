/**
 * Base64 for audio and image payloads (`input_audio_buffer.append.audio`,
 * `input_image_buffer.append.image`, `response.audio.delta.delta`; protocol.md §3.2, §3.5, §4.17).
 *
 * Every 100 ms audio chunk is base64-encoded before it is sent, so this is on the hot path. Node,
 * Bun and Deno's Node compatibility expose `Buffer`, whose native codec is the fastest; browsers
 * and plain Deno get the portable table-driven codec below, which needs only typed arrays.
 */
import { ValidationError } from '../errors.js';

/** The subset of Node's `Buffer` used here; looked up at run time so browsers never need it. */
interface BufferView {
  readonly buffer: ArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
  toString(encoding: 'base64'): string;
  write(s: string, offset: number, length: number, encoding: 'base64'): number;
}
interface BufferLike {
  byteLength(s: string, encoding: 'utf8'): number;
  from(data: ArrayBuffer, byteOffset: number, length: number): BufferView;
  from(data: string, encoding: 'base64'): BufferView;
  allocUnsafeSlow?(size: number): BufferView;
  poolSize?: number;
}

const NodeBuffer: BufferLike | undefined = (globalThis as { Buffer?: BufferLike }).Buffer;
/**
 * Bytes of their own (offset 0, outside Node's shared pool) and not zero-filled: the decoder
 * overwrites every one of them (a short write is refused), so zeroing ~5 KB per audio delta first
 * (`new Uint8Array(n)`) was pure cost, about a tenth of the decode.
 */
const ownBytes: ((size: number) => BufferView) | undefined = typeof NodeBuffer?.allocUnsafeSlow === 'function' ? NodeBuffer.allocUnsafeSlow.bind(NodeBuffer) : undefined;
/**
 * From this decoded size up `Buffer.from(string, 'base64')` allocates the bytes outside the shared
 * pool (Node: half the pool), in one native call: the fastest decode of a 100 ms audio delta
 * (4,800 bytes at 24 kHz). Whether it did is checked on the result, never assumed.
 */
const OWN_FROM_STRING = typeof NodeBuffer?.poolSize === 'number' ? NodeBuffer.poolSize >>> 1 : Infinity;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 61; // '='

/** Character codes of the alphabet, by 6-bit value. */
const ENCODE = new Uint8Array(64);
/** 6-bit value by character code, 255 for characters outside the alphabet. */
const DECODE = new Uint8Array(256).fill(255);
/** Two output characters (as one little-endian 16-bit code pair) for each 12-bit value. */
const ENCODE_PAIRS = new Uint16Array(4096);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
for (let i = 0; i < 4096; i++) ENCODE_PAIRS[i] = (ENCODE[i >> 6]! | (ENCODE[i & 63]! << 8));

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Turns ASCII bytes into a string in one call; `null` where the runtime lacks the label. */
const latin1: TextDecoder | null = (() => {
  try {
    return new TextDecoder('latin1');
  } catch {
    return null; // Node built without ICU: fall back to String.fromCharCode below
  }
})();

/** A string of the ASCII bytes of `codes`. */
function asciiToString(codes: Uint8Array): string {
  if (latin1 !== null) return latin1.decode(codes);
  let s = '';
  // Chunks keep the argument count of fromCharCode under engines' limits.
  for (let i = 0; i < codes.length; i += 8192) s += String.fromCharCode.apply(null, codes.subarray(i, i + 8192) as unknown as number[]);
  return s;
}

/** Base64 (standard alphabet, padded) of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return encodeBase64Portable(bytes);
}

/**
 * The bytes of a base64 string (standard alphabet; padding optional). Throws
 * {@link ValidationError} on anything else, because Node's own decoder silently skips bad
 * characters and would turn a corrupted payload into shorter, wrong audio.
 */
export function decodeBase64(b64: string): Uint8Array {
  if (NodeBuffer !== undefined && typeof b64 === 'string') {
    const length = groupedLength(b64);
    if (length >= 0) {
      // Writing into our own ArrayBuffer (not Buffer.from(string)) keeps the result out of Node's
      // shared pool, so `new Int16Array(result.buffer)` sees only these bytes.
      const whole = length >= OWN_FROM_STRING ? NodeBuffer.from(b64, 'base64') : undefined;
      const decoded = whole !== undefined && whole.byteOffset === 0 && whole.buffer.byteLength === length;
      const target = decoded ? whole : ownBytes?.(length);
      const out = target ? new Uint8Array(target.buffer, 0, length) : new Uint8Array(length);
      const written = decoded ? whole.length : length === 0 ? 0 : (target ?? NodeBuffer.from(out.buffer, 0, length)).write(b64, 0, length, 'base64');
      // Checked after decoding instead of character by character (6× faster on audio deltas):
      // Node skips a character outside the alphabet, which leaves the output short; it also
      // takes the URL-safe '-' and '_', and reads a non-ASCII character by its low byte.
      if (written === length && b64.indexOf('-') < 0 && b64.indexOf('_') < 0 && NodeBuffer.byteLength(b64, 'utf8') === b64.length) return out;
    }
  }
  // The validating path: the precise error for a bad string, and the decoder without Buffer.
  const out = new Uint8Array(validateBase64(b64));
  decodeInto(b64, out);
  return out;
}

/** Where the data characters of `b64` end: before at most two '=' of padding. */
function dataEnd(b64: string): number {
  let end = b64.length;
  if (end > 0 && b64.charCodeAt(end - 1) === PAD) end--;
  if (end > 0 && b64.charCodeAt(end - 1) === PAD) end--;
  return end;
}

/**
 * The decoded length by the length and padding rules alone (what `validateBase64` checks besides
 * the characters), or -1 when they do not hold.
 */
function groupedLength(b64: string): number {
  const end = dataEnd(b64);
  if (end % 4 === 1 || (end !== b64.length && b64.length % 4 !== 0)) return -1;
  return Math.floor((end * 3) / 4);
}

/**
 * The portable encoder used when `Buffer` is absent (exported for tests and benchmarks): 12 bits
 * at a time through a 4096-entry table of character pairs, written into one byte array and turned
 * into a string once, so no per-character strings are created.
 */
export function encodeBase64Portable(bytes: Uint8Array): string {
  const n = bytes.length;
  const full = n - (n % 3);
  const outLength = Math.ceil(n / 3) * 4;
  const out = new Uint8Array(outLength);
  // Writing 16-bit pairs halves the stores; it needs an even byte offset and a little-endian host.
  const pairs = LITTLE_ENDIAN ? new Uint16Array(out.buffer, 0, outLength >> 1) : undefined;
  let o = 0;
  for (let i = 0; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    if (pairs !== undefined) {
      pairs[o >> 1] = ENCODE_PAIRS[v >> 12]!;
      pairs[(o >> 1) + 1] = ENCODE_PAIRS[v & 4095]!;
    } else {
      out[o] = ENCODE[v >> 18]!;
      out[o + 1] = ENCODE[(v >> 12) & 63]!;
      out[o + 2] = ENCODE[(v >> 6) & 63]!;
      out[o + 3] = ENCODE[v & 63]!;
    }
    o += 4;
  }
  const rest = n - full;
  if (rest > 0) {
    const v = (bytes[full]! << 16) | (rest === 2 ? bytes[full + 1]! << 8 : 0);
    out[o] = ENCODE[v >> 18]!;
    out[o + 1] = ENCODE[(v >> 12) & 63]!;
    out[o + 2] = rest === 2 ? ENCODE[(v >> 6) & 63]! : PAD;
    out[o + 3] = PAD;
  }
  return asciiToString(out);
}

/** The portable decoder used when `Buffer` is absent (exported for tests and benchmarks). */
export function decodeBase64Portable(b64: string): Uint8Array {
  const out = new Uint8Array(validateBase64(b64));
  decodeInto(b64, out);
  return out;
}

/** Decoded byte length of `b64`, or a ValidationError saying what is wrong with it. */
function validateBase64(b64: string): number {
  if (typeof b64 !== 'string') throw new ValidationError(`Expected a base64 string, got ${typeof b64}`, 'base64');
  const end = dataEnd(b64);
  for (let i = 0; i < end; i++) {
    const c = b64.charCodeAt(i);
    if (c > 255 || DECODE[c] === 255) {
      const hint = b64.startsWith('data:') ? ' (strip the "data:…;base64," prefix first)' : '';
      throw new ValidationError(`Invalid base64: character ${JSON.stringify(b64[i])} at position ${i}${hint}`, 'base64');
    }
  }
  const length = groupedLength(b64);
  if (length < 0) throw new ValidationError(`Invalid base64: length ${b64.length} is not a whole number of base64 groups`, 'base64');
  return length;
}

/** Decodes an already validated string into `out` (sized by validateBase64). */
function decodeInto(b64: string, out: Uint8Array): void {
  const length = out.length;
  const fullGroups = Math.floor(length / 3);
  let o = 0;
  let i = 0;
  for (let g = 0; g < fullGroups; g++, i += 4) {
    const v = (DECODE[b64.charCodeAt(i)]! << 18) | (DECODE[b64.charCodeAt(i + 1)]! << 12) | (DECODE[b64.charCodeAt(i + 2)]! << 6) | DECODE[b64.charCodeAt(i + 3)]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  const rest = length - o;
  if (rest > 0) {
    const v = (DECODE[b64.charCodeAt(i)]! << 18) | (DECODE[b64.charCodeAt(i + 1)]! << 12) | (rest === 2 ? DECODE[b64.charCodeAt(i + 2)]! << 6 : 0);
    out[o++] = v >> 16;
    if (rest === 2) out[o] = (v >> 8) & 255;
  }
}
