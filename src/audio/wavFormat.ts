/**
 * The WAV (RIFF/WAVE) header layout shared by the reader and both writers: format tags, the
 * WAVE_FORMAT_EXTENSIBLE sub-format GUID, and the header builder.
 */
import { ValidationError } from '../errors.js';

/** Integer PCM. */
export const WAVE_FORMAT_PCM = 0x0001;
/** IEEE float. */
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
/** The extensible header; the real format is the first two bytes of its sub-format GUID. */
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID used in WAV (the first two hold the tag). */
export const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71] as const;

/**
 * Names of compressed format tags people meet in practice, so an error can say "MP3 in a WAV
 * container" instead of "format 85". Not exhaustive: other tags are reported by number.
 */
const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM', 0x0006: 'A-law', 0x0007: 'µ-law', 0x0011: 'IMA ADPCM', 0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM', 0x0050: 'MPEG audio', 0x0055: 'MP3', 0x0064: 'G.726 ADPCM', 0x00ff: 'AAC', 0x0161: 'WMA',
  0x1610: 'HE-AAC', 0x2000: 'AC-3', 0x674f: 'Ogg Vorbis', 0xf1ac: 'FLAC',
};

/** A human-readable name for a WAV format tag, e.g. `0x0055 (MP3)`. */
export function formatTagName(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(4, '0')}`;
  const name = FORMAT_NAMES[tag];
  return name === undefined ? hex : `${hex} (${name})`;
}

/** What a WAV header describes. */
export interface WavSpec {
  /** Frames per second. */
  sampleRate: number;
  /** Interleaved channels. */
  channels: number;
  /** Bits per sample: 8, 16, 24 or 32 for integers, 32 or 64 for float. */
  bitsPerSample: number;
  /** IEEE float samples instead of integers. */
  float: boolean;
  /**
   * Write WAVE_FORMAT_EXTENSIBLE instead of the plain format tag. Default false: the plain tag
   * is read by every tool, while some simple readers reject the extensible header.
   */
  extensible?: boolean;
}

/** A header and where its size fields are, so a streaming writer can patch them on close. */
export interface WavHeader {
  /** The header bytes, ending with the `data` chunk's id and size. */
  bytes: Uint8Array;
  /** Byte offset of the `data` chunk size field. */
  dataSizeOffset: number;
  /** Byte offset of the `fact` chunk's frame count (float formats only). */
  factOffset: number | undefined;
}

/** Largest data size a RIFF header can hold once the header itself is counted. */
export const MAX_WAV_DATA_BYTES = 0xffffffff - 80;

/** Throws a ValidationError unless `spec` describes a WAV file the writers can produce. */
export function validateWavSpec(spec: WavSpec): void {
  if (!Number.isInteger(spec.sampleRate) || spec.sampleRate < 1 || spec.sampleRate > 0xffffffff) {
    throw new ValidationError(`sampleRate must be a positive integer, got ${spec.sampleRate}`, 'sampleRate');
  }
  if (!Number.isInteger(spec.channels) || spec.channels < 1 || spec.channels > 0xffff) {
    throw new ValidationError(`channels must be an integer from 1 to 65535, got ${spec.channels}`, 'channels');
  }
  const allowed = spec.float ? [32, 64] : [8, 16, 24, 32];
  if (!allowed.includes(spec.bitsPerSample)) {
    throw new ValidationError(`${spec.float ? 'Float' : 'Integer PCM'} WAV must have ${allowed.join(', ')} bits per sample, got ${spec.bitsPerSample}`, 'bitsPerSample', allowed);
  }
  if (spec.channels * (spec.bitsPerSample / 8) > 0xffff) {
    throw new ValidationError(`${spec.channels} channels of ${spec.bitsPerSample}-bit samples do not fit a WAV frame (block align over 65535 bytes)`, 'channels');
  }
}

/** A standard speaker mask for common channel counts (0 = unassigned, valid for any count). */
function channelMask(channels: number): number {
  return ({ 1: 0x4, 2: 0x3, 4: 0x33, 6: 0x3f, 8: 0x63f } as Record<number, number>)[channels] ?? 0;
}

/** The header for `dataBytes` bytes of audio (pad byte included in the RIFF size when odd). */
export function buildWavHeader(spec: WavSpec, dataBytes: number): WavHeader {
  const extensible = spec.extensible === true;
  const tag = spec.float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  // Plain PCM uses the 16-byte fmt; other tags carry cbSize (18); extensible adds 22 more bytes.
  const fmtSize = extensible ? 40 : spec.float ? 18 : 16;
  // Non-PCM formats must carry a `fact` chunk with the frame count (RIFF spec).
  const hasFact = spec.float;
  const length = 12 + 8 + fmtSize + (hasFact ? 12 : 0) + 8;
  const bytes = new Uint8Array(length);
  const v = new DataView(bytes.buffer);
  const ascii = (at: number, s: string): void => { for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i); };
  const blockAlign = spec.channels * (spec.bitsPerSample / 8);
  ascii(0, 'RIFF');
  v.setUint32(4, length - 8 + dataBytes + (dataBytes & 1), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  v.setUint16(22, spec.channels, true);
  v.setUint32(24, spec.sampleRate, true);
  v.setUint32(28, spec.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, spec.bitsPerSample, true);
  if (fmtSize > 16) v.setUint16(36, fmtSize - 18, true);
  if (extensible) {
    v.setUint16(38, spec.bitsPerSample, true);
    v.setUint32(40, channelMask(spec.channels), true);
    v.setUint16(44, tag, true);
    bytes.set(SUBFORMAT_GUID_TAIL, 46);
  }
  let at = 20 + fmtSize;
  let factOffset: number | undefined;
  if (hasFact) {
    ascii(at, 'fact');
    v.setUint32(at + 4, 4, true);
    factOffset = at + 8;
    v.setUint32(factOffset, Math.floor(dataBytes / blockAlign), true);
    at += 12;
  }
  ascii(at, 'data');
  v.setUint32(at + 4, dataBytes, true);
  return { bytes, dataSizeOffset: at + 4, factOffset };
}
