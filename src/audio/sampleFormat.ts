/**
 * Integer and float PCM sample codecs: little-endian bytes to and from 32-bit float samples in
 * [-1, 1]. The WAV reader and writer use these for every format they support.
 *
 * Scaling is the asymmetric "full-scale both ways" scheme for every bit depth: a negative integer
 * is divided by 2^(bits-1) and a positive one by 2^(bits-1) - 1, so the most negative code maps
 * to exactly -1, the most positive to exactly +1, zero stays zero, and integer → float → integer
 * round trips are exact. Encoding clips to [-1, 1] (NaN becomes 0) before scaling, so a float
 * signal that overshoots saturates instead of wrapping around.
 */
import { ValidationError } from '../errors.js';

/**
 * A little-endian sample format: unsigned 8-bit (WAV's only 8-bit format), signed 16/24/32-bit
 * integer, or IEEE float 32/64-bit.
 */
export type SampleFormat = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

const BYTES: Record<SampleFormat, number> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };

/** Bytes one sample of `format` occupies. */
export function bytesPerSample(format: SampleFormat): number {
  return BYTES[format];
}

/** The format of `bitsPerSample` integer (or float) samples; ValidationError for anything else. */
export function sampleFormatOf(bitsPerSample: number, float = false): SampleFormat {
  if (float) {
    if (bitsPerSample === 32) return 'f32';
    if (bitsPerSample === 64) return 'f64';
    throw new ValidationError(`Float samples must be 32 or 64 bits, got ${bitsPerSample}`, 'bitsPerSample', [32, 64]);
  }
  switch (bitsPerSample) {
    case 8: return 'u8';
    case 16: return 's16';
    case 24: return 's24';
    case 32: return 's32';
    default: throw new ValidationError(`Integer PCM must be 8, 16, 24 or 32 bits, got ${bitsPerSample}`, 'bitsPerSample', [8, 16, 24, 32]);
  }
}

/** Clips a float sample to [-1, 1]; NaN becomes silence rather than poisoning the stream. */
function clip(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x === x ? x : 0;
}

/**
 * Float samples in [-1, 1] from little-endian `bytes` of `format`. A trailing partial sample is
 * ignored (the WAV reader trims to whole frames before calling). Float input is clipped to
 * [-1, 1] so every sample the kit hands out honours that range.
 */
export function decodeSamples(bytes: Uint8Array, format: SampleFormat): Float32Array {
  const size = BYTES[format];
  const n = Math.floor(bytes.length / size);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'u8':
      for (let i = 0; i < n; i++) { const v = bytes[i]! - 128; out[i] = v < 0 ? v / 128 : v / 127; }
      break;
    case 's16':
      for (let i = 0; i < n; i++) { const v = view.getInt16(i * 2, true); out[i] = v < 0 ? v / 32768 : v / 32767; }
      break;
    case 's24':
      for (let i = 0, b = 0; i < n; i++, b += 3) {
        const v = ((bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16)) << 8) >> 8; // sign-extend 24 → 32 bits
        out[i] = v < 0 ? v / 8388608 : v / 8388607;
      }
      break;
    case 's32':
      for (let i = 0; i < n; i++) { const v = view.getInt32(i * 4, true); out[i] = v < 0 ? v / 2147483648 : v / 2147483647; }
      break;
    case 'f32':
      for (let i = 0; i < n; i++) out[i] = clip(view.getFloat32(i * 4, true));
      break;
    case 'f64':
      for (let i = 0; i < n; i++) out[i] = clip(view.getFloat64(i * 8, true));
      break;
  }
  return out;
}

/** Little-endian bytes of `samples` (clipped to [-1, 1], rounded to nearest) in `format`. */
export function encodeSamples(samples: Float32Array, format: SampleFormat): Uint8Array {
  const n = samples.length;
  const out = new Uint8Array(n * BYTES[format]);
  const view = new DataView(out.buffer);
  switch (format) {
    case 'u8':
      for (let i = 0; i < n; i++) { const x = clip(samples[i]!); out[i] = 128 + Math.round(x < 0 ? x * 128 : x * 127); }
      break;
    case 's16':
      for (let i = 0; i < n; i++) { const x = clip(samples[i]!); view.setInt16(i * 2, Math.round(x < 0 ? x * 32768 : x * 32767), true); }
      break;
    case 's24':
      for (let i = 0, b = 0; i < n; i++, b += 3) {
        const x = clip(samples[i]!);
        const v = Math.round(x < 0 ? x * 8388608 : x * 8388607);
        out[b] = v & 255; out[b + 1] = (v >> 8) & 255; out[b + 2] = (v >> 16) & 255;
      }
      break;
    case 's32':
      for (let i = 0; i < n; i++) { const x = clip(samples[i]!); view.setInt32(i * 4, Math.round(x < 0 ? x * 2147483648 : x * 2147483647), true); }
      break;
    case 'f32':
      for (let i = 0; i < n; i++) view.setFloat32(i * 4, clip(samples[i]!), true);
      break;
    case 'f64':
      for (let i = 0; i < n; i++) view.setFloat64(i * 8, clip(samples[i]!), true);
      break;
  }
  return out;
}
