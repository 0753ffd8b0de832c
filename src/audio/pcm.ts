/**
 * 16-bit PCM, the wire format of the service (PCM s16le mono, protocol.md §2.3), and the float
 * samples the resampler works in.
 *
 * Scaling follows {@link ./sampleFormat.ts}: the asymmetric full-scale scheme (-32768 ↔ -1,
 * +32767 ↔ +1), so int16 → float → int16 is exact and ±1.0 reach full scale without clipping
 * distortion on either side.
 */
import { ValidationError } from '../errors.js';
import { decodeBase64 } from './base64.js';

/** Whether typed-array views of this host are little-endian (they are on every common CPU). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float samples in [-1, 1] from 16-bit integers (negative / 32768, positive / 32767). */
export function int16ToFloat32(pcm: Int16Array): Float32Array {
  const n = pcm.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = pcm[i]!;
    out[i] = v < 0 ? v / 32768 : v / 32767;
  }
  return out;
}

/**
 * 16-bit integers from float samples: clipped to [-1, 1] (NaN → 0), negative × 32768, positive ×
 * 32767, rounded to nearest. Clipping first means an overshooting signal saturates instead of
 * wrapping to the opposite sign, which is audible as a loud click.
 */
export function float32ToInt16(samples: Float32Array): Int16Array {
  const n = samples.length;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    if (x >= 1) out[i] = 32767;
    else if (x <= -1) out[i] = -32768;
    else if (x < 0) out[i] = Math.round(x * 32768);
    else if (x > 0) out[i] = Math.round(x * 32767);
    // NaN and 0 stay 0.
  }
  return out;
}

/**
 * 16-bit samples from little-endian bytes (a copy, aligned, independent of `bytes`). Throws a
 * ValidationError on an odd byte count: half a sample means the stream was cut mid-sample or is
 * not 16-bit PCM, and guessing would shift every later sample by one byte.
 */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  if (bytes.length % 2 !== 0) {
    throw new ValidationError(`16-bit PCM needs an even number of bytes, got ${bytes.length}; keep the odd byte for the next chunk`, 'pcm16');
  }
  const n = bytes.length / 2;
  if (LITTLE_ENDIAN) return new Int16Array(bytes.slice().buffer, 0, n);
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/**
 * 16-bit samples of base64 PCM16, e.g. the `delta` of a `response.audio.delta` (§4.17). One copy
 * less than `pcm16FromBytes(decodeBase64(b64))`: the decoded bytes are fresh, so on
 * little-endian hosts the samples are a view of them. Throws a ValidationError on bad base64 or
 * an odd byte count.
 */
export function pcm16FromBase64(b64: string): Int16Array {
  const bytes = decodeBase64(b64);
  // decodeBase64 returns bytes that own their buffer from offset 0: a view is aligned and independent.
  if (LITTLE_ENDIAN && bytes.length % 2 === 0) return new Int16Array(bytes.buffer, 0, bytes.length / 2);
  return pcm16FromBytes(bytes);
}

/**
 * The chunks one after the other, as one array. A single chunk is returned as it is (no copy);
 * `total`, when the caller keeps it, saves adding up the lengths. Internal: not in the audio kit's
 * export list.
 */
export function concatPcm16(chunks: readonly Int16Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Int16Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Int16Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Little-endian bytes of 16-bit samples (a copy, so later changes to `pcm` do not leak in). */
export function pcm16ToBytes(pcm: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength).slice();
  const out = new Uint8Array(pcm.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i]!, true);
  return out;
}

/**
 * Mono from interleaved multichannel samples: the mean of each frame's channels. The mean (not
 * the sum) keeps the result in [-1, 1], so downmixing never clips. One channel gives a copy.
 */
export function downmixToMono(interleaved: Float32Array, channels: number): Float32Array {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new ValidationError(`channels must be a positive integer, got ${channels}`, 'channels');
  }
  if (interleaved.length % channels !== 0) {
    throw new ValidationError(`${interleaved.length} samples is not a whole number of ${channels}-channel frames`, 'channels');
  }
  if (channels === 1) return interleaved.slice();
  const frames = interleaved.length / channels;
  const out = new Float32Array(frames);
  const scale = 1 / channels;
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i++]!;
    out[f] = sum * scale;
  }
  return out;
}
