/**
 * Known test signals and measurements shared by the audio tests (not a test file itself).
 */

/** `amplitude · sin(2π f t + phase)` sampled at `rate` for `n` samples. */
export function sine(n: number, rate: number, frequency: number, amplitude = 0.5, phase = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate + phase);
  return out;
}

/** The middle half of an array's index range: away from start-up and flush transients. */
export function middle(length: number): [number, number] {
  return [Math.floor(length * 0.25), Math.floor(length * 0.75)];
}

/**
 * Signal-to-noise ratio in dB of `actual` against an ideal sine at `rate` over [from, to): the
 * "noise" is every difference (aliasing, imaging, ripple, wrong frequency, wrong amplitude).
 */
export function snrAgainstSine(actual: Float32Array, rate: number, frequency: number, amplitude: number, from: number, to: number): number {
  let signal = 0;
  let noise = 0;
  for (let k = from; k < to; k++) {
    const ideal = amplitude * Math.sin((2 * Math.PI * frequency * k) / rate);
    signal += ideal * ideal;
    noise += (actual[k]! - ideal) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

/** Root mean square over [from, to). */
export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let k = from; k < to; k++) sum += x[k]! ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** A seeded pseudo-random generator in [0, 1) (deterministic tests). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Concatenates typed arrays of one kind. */
export function concat<T extends Float32Array | Int16Array | Uint8Array>(parts: readonly T[], make: (n: number) => T): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

/**
 * What is left of `actual` over [from, to) after removing the best-fitting sine at `frequency`
 * (least squares on sine and cosine), in dB relative to a sine of `amplitude`: aliases, images
 * and noise, without the tone's own gain or phase error.
 */
export function residualAfterToneDb(actual: Float32Array, rate: number, frequency: number, amplitude: number, from: number, to: number): number {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let k = from; k < to; k++) {
    const s = Math.sin((2 * Math.PI * frequency * k) / rate);
    const c = Math.cos((2 * Math.PI * frequency * k) / rate);
    ss += s * s; cc += c * c; sc += s * c; ys += actual[k]! * s; yc += actual[k]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let residual = 0;
  for (let k = from; k < to; k++) {
    const fit = a * Math.sin((2 * Math.PI * frequency * k) / rate) + b * Math.cos((2 * Math.PI * frequency * k) / rate);
    residual += (actual[k]! - fit) ** 2;
  }
  return 20 * Math.log10(Math.sqrt(residual / (to - from)) / (amplitude / Math.SQRT2));
}

/** Gain in dB of `actual` over [from, to) against a sine of `amplitude` (RMS ratio). */
export function gainDb(actual: Float32Array, amplitude: number, from: number, to: number): number {
  return 20 * Math.log10(rms(actual, from, to) / (amplitude / Math.SQRT2));
}

const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
const be16 = (n: number): number[] => [n >> 8, n & 255];

/**
 * A JPEG header as encoders write it: SOI, APP0 (JFIF), DQT, DHT (marker C4, inside the SOF range
 * but not a frame header), then the frame header, then the scan, padded to `size` bytes.
 */
export function jpeg(width: number, height: number, options: { sof?: number; fill?: boolean; size?: number } = {}): Uint8Array {
  const bytes = [
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0, ...new Array(64).fill(1)]),
    ...segment(0xc4, [0, ...new Array(16).fill(0), 0x00]),
    ...(options.fill ? [0xff, 0xff] : []),
    ...segment(options.sof ?? 0xc0, [8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
    ...segment(0xda, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]),
  ];
  const out = new Uint8Array(Math.max(options.size ?? 0, bytes.length + 2));
  out.set(bytes);
  out.set([0xff, 0xd9], out.length - 2);
  return out;
}
