/**
 * Images and video frames for `input_image_buffer.append` (protocol.md §3.5, §5.5): the format is
 * recognised from the bytes (a file name or MIME type can lie), the dimensions are read from the
 * header without decoding, and the service's limits are checked before anything is sent, since
 * the service answers an oversized or non-JPEG frame with an error long after it was sent.
 */
import { ValidationError } from '../errors.js';

export { FrameSampler, sampleFrames, type FrameSamplerOptions } from './frameSampler.js';

/** A recognised image. */
export interface ImageInfo {
  /** Container format. */
  format: 'jpeg' | 'png';
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Options of {@link checkImage}. */
export interface CheckImageOptions {
  /**
   * Largest accepted size in base64 characters; default 262,144 (256 KB after base64, the newer
   * docs' limit, §3.5 and §8.5; about 192 KB of raw JPEG).
   */
  maxBase64Bytes?: number;
  /**
   * Accept PNG too. Default false: the service takes JPEG only (§3.5); set it for a simulator or
   * a future model that takes PNG.
   */
  allowPng?: boolean;
  /** Largest accepted longer side in pixels; default 1920 (1080p, the documented maximum). */
  maxLongSide?: number;
  /** Largest accepted shorter side in pixels; default 1080. */
  maxShortSide?: number;
}

/** A checked image: what {@link detectImage} found plus its base64 length. */
export interface CheckedImage extends ImageInfo {
  /** Characters of its base64 encoding (what the limit is measured in). */
  base64Length: number;
}

/** Default limit: 256 KB after base64 (§3.5). */
export const MAX_IMAGE_BASE64_BYTES = 256 * 1024;

/** Which image container `bytes` start with (by magic number), or null. */
export function sniffImageFormat(bytes: Uint8Array): 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'heif' | null {
  const b = (i: number): number => bytes[i] ?? -1;
  const ascii = (at: number, s: string): boolean => [...s].every((c, i) => b(at + i) === c.charCodeAt(0));
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (ascii(0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(0, 'GIF8')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'BM')) return 'bmp';
  if (ascii(0, 'II*\0') || ascii(0, 'MM\0*')) return 'tiff';
  if (ascii(4, 'ftyp') && (ascii(8, 'hei') || ascii(8, 'mif1') || ascii(8, 'avif'))) return 'heif';
  return null;
}

/** Width and height from a JPEG's first SOFn segment, walking the segments by their lengths. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  const n = bytes.length;
  let i = 2;
  // Each step moves forward by at least one byte, so the walk ends within n steps.
  while (i < n) {
    if (bytes[i] !== 0xff) return null; // segments must start with a marker: corrupt
    while (i < n && bytes[i] === 0xff) i++; // fill bytes
    if (i >= n) return null;
    const marker = bytes[i++]!;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or start of scan before a frame header
    if (i + 2 > n) return null;
    const length = (bytes[i]! << 8) | bytes[i + 1]!;
    if (length < 2) return null;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 7 > n) return null;
      return { height: (bytes[i + 3]! << 8) | bytes[i + 4]!, width: (bytes[i + 5]! << 8) | bytes[i + 6]! };
    }
    i += length;
  }
  return null;
}

/** Width and height from a PNG's IHDR chunk, which the format requires to come first. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(12) !== 0x49484452) return null; // 'IHDR'
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/**
 * Format and dimensions of a JPEG or PNG, read from the header only; null for other formats or
 * when the header is cut off, corrupt, or gives a zero dimension.
 */
export function detectImage(bytes: Uint8Array): ImageInfo | null {
  const format = sniffImageFormat(bytes);
  const size = format === 'jpeg' ? jpegSize(bytes) : format === 'png' ? pngSize(bytes) : null;
  if (format === null || size === null || size.width === 0 || size.height === 0) return null;
  return { format: format as 'jpeg' | 'png', width: size.width, height: size.height };
}

/** Base64 length of `n` bytes. */
function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

/**
 * Checks an image against the service's rules (§3.5): non-empty, JPEG (PNG only with
 * `allowPng`), a readable header, at most 1080p, at most `maxBase64Bytes` after base64. Throws a
 * ValidationError naming the problem and the fix; returns what was found.
 */
export function checkImage(bytes: Uint8Array, options: CheckImageOptions = {}): CheckedImage {
  const limit = options.maxBase64Bytes ?? MAX_IMAGE_BASE64_BYTES;
  if (bytes.length === 0) throw new ValidationError('The image is empty (0 bytes)', 'image', ['jpeg'], 'image_empty');
  const sniffed = sniffImageFormat(bytes);
  if (sniffed === null) throw new ValidationError('The image format is not recognised (neither JPEG nor PNG by its first bytes); the service accepts JPEG only', 'image', ['jpeg'], 'image_format');
  if (sniffed !== 'jpeg' && !(sniffed === 'png' && options.allowPng === true)) {
    const what = sniffed === 'png' ? 'PNG (recognised, but not accepted by the service; pass allowPng: true for a server that takes it)' : sniffed.toUpperCase();
    throw new ValidationError(`The image is ${what}; the service accepts JPEG only (protocol.md §3.5): convert it to JPEG`, 'image', ['jpeg'], 'image_format');
  }
  const info = detectImage(bytes);
  if (info === null) throw new ValidationError(`The ${sniffed.toUpperCase()} header could not be read (truncated or corrupt file, or a zero dimension)`, 'image', undefined, 'image_unreadable');
  const encoded = base64Length(bytes.length);
  if (encoded > limit) {
    throw new ValidationError(
      `The image is ${kb(encoded)} after base64 (${kb(bytes.length)} raw); the limit is ${kb(limit)} after base64 (about ${kb(Math.floor(limit / 4) * 3)} raw): lower the JPEG quality or the resolution`,
      'image', undefined, 'image_too_large',
    );
  }
  const long = Math.max(info.width, info.height);
  const short = Math.min(info.width, info.height);
  const maxLong = options.maxLongSide ?? 1920;
  const maxShort = options.maxShortSide ?? 1080;
  if (long > maxLong || short > maxShort) {
    throw new ValidationError(`The image is ${info.width}×${info.height}; the service takes at most ${maxLong}×${maxShort} (1080p; 480p or 720p recommended): scale it down`, 'image', undefined, 'image_resolution');
  }
  return { ...info, base64Length: encoded };
}
