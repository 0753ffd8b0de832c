/**
 * WAV files in memory: {@link readWav} and {@link writeWav}. The streaming file writer is
 * {@link WavStreamWriter} (re-exported here, Node only).
 *
 * The reader trusts nothing in the header: every size is checked against the bytes actually
 * present before it is used, so a fuzzed or truncated file gives a ValidationError, and the
 * largest allocation is proportional to the input (a header claiming a 4 GB data chunk allocates
 * only what the file holds).
 */
import { ValidationError } from '../errors.js';
import { int16ToFloat32, pcm16ToBytes } from './pcm.js';
import { decodeSamples, encodeSamples, sampleFormatOf } from './sampleFormat.js';
import {
  MAX_WAV_DATA_BYTES, SUBFORMAT_GUID_TAIL, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM,
  buildWavHeader, formatTagName, validateWavSpec,
} from './wavFormat.js';

export { WavStreamWriter, type WavStreamTarget, type WavStreamWriterOptions } from './wavStreamWriter.js';

/** A decoded WAV file. */
export interface WavAudio {
  /** Frames per second. */
  sampleRate: number;
  /** Interleaved channels. */
  channels: number;
  /** Bits per stored sample (the container size: 8, 16, 24, 32, or 64 for float). */
  bitsPerSample: number;
  /** Integer PCM or IEEE float. */
  encoding: 'pcm' | 'float';
  /** Frames (samples per channel). */
  frames: number;
  /** Interleaved samples in [-1, 1]; `frames × channels` long. */
  samples: Float32Array;
  /**
   * The data chunk claimed more bytes than the file holds (a cut-off file, or a streaming writer
   * that never fixed its header) and was read up to the last whole frame present.
   */
  truncated: boolean;
  /**
   * The data chunk's size field was a placeholder (0 or 0xFFFFFFFF, left by a recorder that
   * crashed or a writer streaming to a pipe), so the audio was read from the chunk to the end of
   * the file, as ffmpeg and sox do. `truncated` then only reports a partial last frame.
   */
  dataSizeUnknown: boolean;
}

/** Options of {@link readWav}. */
export interface ReadWavOptions {
  /**
   * Reject a data chunk that claims more bytes than the file holds, instead of reading what is
   * there. Default false: streaming writers (ffmpeg to a pipe, crashed recorders) leave
   * placeholder sizes, and their audio is still good.
   */
  strict?: boolean;
}

/** Options of {@link writeWav}. */
export interface WriteWavOptions {
  /** Frames per second. */
  sampleRate: number;
  /** Interleaved channels in `samples`; default 1. */
  channels?: number;
  /** Bits per stored sample; default 16 (32 when `float`). */
  bitsPerSample?: 8 | 16 | 24 | 32 | 64;
  /** Store IEEE float samples (32- or 64-bit); default false. */
  float?: boolean;
  /** Write a WAVE_FORMAT_EXTENSIBLE header; default false (the plain header is read everywhere). */
  extensible?: boolean;
}

/** Throws the reader's ValidationError (a declaration, so TypeScript narrows after calls). */
function fail(message: string): never {
  throw new ValidationError(message, 'wav');
}

/** A 4-byte chunk id as text, with non-printable bytes escaped so error messages stay readable. */
function fourCC(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < at + 4 && i < bytes.length; i++) {
    const c = bytes[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/** What a file that is not RIFF/WAVE probably is, from its first bytes. */
function sniffNonWav(bytes: Uint8Array): string {
  const id = fourCC(bytes, 0);
  if (id === 'OggS') return 'an Ogg file';
  if (id === 'fLaC') return 'a FLAC file';
  if (id.startsWith('ID3') || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'an MP3 file';
  if (id === 'FORM') return 'an AIFF file';
  if (fourCC(bytes, 4) === 'ftyp') return 'an MP4/M4A file';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'a WebM/Matroska file';
  return `data starting with "${id}"`;
}

/**
 * Whether a `data` chunk's `size` is a writer's placeholder rather than a length: 0xFFFFFFFF
 * (unknown length, streaming writers) always; 0 when audio follows rather than another chunk (a
 * recorder that crashed before fixing its header). An empty data chunk followed by a real chunk
 * (`LIST`, `id3 `, …, whose size fits exactly or leaves room) stays empty.
 */
function isPlaceholderSize(bytes: Uint8Array, body: number, size: number, available: number): boolean {
  if (size === 0xffffffff) return available > 0;
  if (size !== 0 || available === 0) return false;
  if (available < 8) return true;
  const next = fourCC(bytes, body);
  const nextSize = new DataView(bytes.buffer, bytes.byteOffset + body + 4, 4).getUint32(0, true);
  const looksLikeChunk = /^[A-Za-z0-9 _]{4}$/.test(next) && nextSize <= available - 8;
  return !looksLikeChunk;
}

interface FmtChunk { tag: number; channels: number; sampleRate: number; blockAlign: number; bitsPerSample: number }

/** Parses and checks a `fmt ` chunk body of `size` bytes at `at`. */
function parseFmt(bytes: Uint8Array, at: number, size: number): FmtChunk {
  if (size < 16) fail(`WAV 'fmt ' chunk is ${size} bytes; at least 16 are needed`);
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, size);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bitsPerSample = v.getUint16(14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes; 40 are needed`);
    tag = v.getUint16(24, true);
    for (let i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) {
      if (bytes[at + 26 + i] !== SUBFORMAT_GUID_TAIL[i]) fail('WAVE_FORMAT_EXTENSIBLE with a sub-format GUID that is not a standard audio format');
    }
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    fail(`WAV is compressed (format ${formatTagName(tag)}); only PCM and IEEE float are supported — convert it, e.g. \`ffmpeg -i in.wav -c:a pcm_s16le out.wav\``);
  }
  if (channels === 0) fail('WAV header says 0 channels');
  if (sampleRate === 0) fail('WAV header says a sample rate of 0 Hz');
  const float = tag === WAVE_FORMAT_IEEE_FLOAT;
  // Integer samples of 12 or 20 valid bits sit in 16- or 24-bit containers; decode the container.
  const container = Math.ceil(bitsPerSample / 8) * 8;
  const ok = float ? container === 32 || container === 64 : container >= 8 && container <= 32;
  if (!ok || bitsPerSample === 0) fail(`WAV ${float ? 'float' : 'PCM'} with ${bitsPerSample} bits per sample is not supported (${float ? '32 or 64' : '8, 16, 24 or 32'})`);
  const expected = channels * (container / 8);
  if (blockAlign !== expected) fail(`WAV block align is ${blockAlign} bytes but ${channels} channel(s) of ${container}-bit samples need ${expected}`);
  return { tag, channels, sampleRate, blockAlign, bitsPerSample: container };
}

/**
 * Decodes a WAV file: integer PCM of 8, 16, 24 or 32 bits, IEEE float of 32 or 64 bits, any
 * channel count, plain or WAVE_FORMAT_EXTENSIBLE headers. Chunks other than `fmt ` and `data`
 * (LIST, fact, bext, JUNK, …) are skipped. Compressed formats, non-WAV files and malformed
 * headers throw a ValidationError that names what was found.
 */
export function readWav(bytes: Uint8Array, options: ReadWavOptions = {}): WavAudio {
  if (!(bytes instanceof Uint8Array)) fail('readWav expects a Uint8Array');
  if (bytes.length < 12) fail(`Not a WAV file: ${bytes.length} bytes is shorter than the 12-byte RIFF header`);
  const riff = fourCC(bytes, 0);
  if (riff === 'RIFX') fail('Big-endian WAV (RIFX) is not supported');
  if (riff === 'RF64' || riff === 'BW64') fail(`${riff} WAV (the over-4-GB variant) is not supported`);
  if (riff !== 'RIFF') fail(`Not a WAV file: found ${sniffNonWav(bytes)}, expected "RIFF"`);
  const form = fourCC(bytes, 8);
  if (form !== 'WAVE') fail(`Not a WAV file: a RIFF file of type "${form}", expected "WAVE"`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: FmtChunk | undefined;
  let dataStart = -1;
  let dataBytes = 0;
  let truncated = false;
  let dataSizeUnknown = false;
  // The RIFF size field is ignored: writers often leave it wrong, and every chunk is bounded by
  // the real length below. Each step advances by at least 8 bytes, so the loop ends.
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = fourCC(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    const available = bytes.length - body;
    if (id === 'data' && dataStart < 0) {
      dataStart = body;
      dataBytes = Math.min(size, available);
      if (isPlaceholderSize(bytes, body, size, available)) {
        if (options.strict === true) fail(`WAV data chunk size is a placeholder (${size === 0 ? '0' : '0xFFFFFFFF'}) with ${available} bytes of audio after it; fix the header, e.g. \`sox in.wav out.wav\``);
        dataSizeUnknown = true;
        dataBytes = available;
        break;
      }
      if (size > available) {
        if (options.strict === true) fail(`WAV data chunk claims ${size} bytes but only ${available} are present (truncated file)`);
        truncated = true;
        break;
      }
    } else if (size > available) {
      // Trailing garbage after a complete file (appended tags, a cut-off last chunk) is harmless.
      if (fmt !== undefined && dataStart >= 0) break;
      fail(`WAV chunk "${id}" at byte ${at} claims ${size} bytes but only ${available} remain (truncated or corrupt file)`);
    } else if (id === 'fmt ' && fmt === undefined) {
      fmt = parseFmt(bytes, body, size);
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  if (fmt === undefined) fail(dataStart >= 0 ? 'WAV has no "fmt " chunk before the end of the file' : 'WAV has no "fmt " chunk (truncated header?)');
  if (dataStart < 0) fail('WAV has no "data" chunk (truncated header?)');
  const f = fmt;

  const frames = Math.floor(dataBytes / f.blockAlign);
  if (frames * f.blockAlign !== dataBytes) {
    // A partial last frame cannot be played; it is dropped like the rest of a cut-off file.
    if (options.strict === true) fail(`WAV data is ${dataBytes} bytes, not a whole number of ${f.blockAlign}-byte frames`);
    truncated = true;
  }
  const format = sampleFormatOf(f.bitsPerSample, f.tag === WAVE_FORMAT_IEEE_FLOAT);
  const samples = decodeSamples(bytes.subarray(dataStart, dataStart + frames * f.blockAlign), format);
  return {
    sampleRate: f.sampleRate,
    channels: f.channels,
    bitsPerSample: f.bitsPerSample,
    encoding: f.tag === WAVE_FORMAT_IEEE_FLOAT ? 'float' : 'pcm',
    frames,
    samples,
    truncated,
    dataSizeUnknown,
  };
}

/**
 * A complete WAV file of interleaved `samples`. Int16 input written as 16-bit is copied
 * bit-exactly; anything else goes through float with clipping (see `sampleFormat.ts`).
 */
export function writeWav(samples: Int16Array | Float32Array, options: WriteWavOptions): Uint8Array {
  const float = options.float === true;
  const spec = {
    sampleRate: options.sampleRate,
    channels: options.channels ?? 1,
    bitsPerSample: options.bitsPerSample ?? (float ? 32 : 16),
    float,
    extensible: options.extensible === true,
  };
  validateWavSpec(spec);
  if (samples.length % spec.channels !== 0) {
    throw new ValidationError(`${samples.length} samples is not a whole number of ${spec.channels}-channel frames`, 'samples');
  }
  const data = samples instanceof Int16Array && spec.bitsPerSample === 16 && !float
    ? pcm16ToBytes(samples)
    : encodeSamples(samples instanceof Int16Array ? int16ToFloat32(samples) : samples, sampleFormatOf(spec.bitsPerSample, float));
  if (data.length > MAX_WAV_DATA_BYTES) throw new ValidationError(`${data.length} bytes of audio do not fit in a WAV file (4 GB limit)`, 'samples');
  const header = buildWavHeader(spec, data.length);
  const out = new Uint8Array(header.bytes.length + data.length + (data.length & 1));
  out.set(header.bytes, 0);
  out.set(data, header.bytes.length);
  return out;
}
