/**
 * The resampler's options and limits: the two filter profiles, the rates it takes, and the
 * checks that refuse a bad option or an unreasonable rate pair with a ValidationError that says
 * what is supported.
 */
import { ValidationError } from '../errors.js';
import type { FilterSpec } from './resampleFilter.js';

/**
 * Named filter designs. `high` (the default) is flat to 0.9 of the lower rate's Nyquist frequency
 * (−0.1 dB at most), under 3 dB down at 0.95 and ≥ 100 dB down from the Nyquist frequency on
 * (sox `rate -h` class); `fast` ends its passband at 0.85 with 90 dB, for about half the taps,
 * when many streams are converted at once. Measured figures: docs/audio.md.
 */
export type ResamplerQuality = 'high' | 'fast';

/** The two profiles' filter shapes (see {@link ResamplerQuality}). */
export const RESAMPLER_PROFILES: Readonly<Record<ResamplerQuality, Readonly<FilterSpec>>> = {
  high: { passband: 0.915, attenuationDb: 100 },
  fast: { passband: 0.85, attenuationDb: 90 },
};

/** Tuning of the anti-aliasing filter. */
export interface ResamplerOptions {
  /** Filter profile; default `'high'`. `attenuationDb` and `passband` override its figures. */
  quality?: ResamplerQuality;
  /**
   * Stopband attenuation in dB, 20 to 200; default from `quality` (100, or 90 for `fast`).
   * Higher costs more taps (cost grows linearly).
   */
  attenuationDb?: number;
  /**
   * Passband edge as a fraction of the lower rate's Nyquist frequency, above 0 and below 1;
   * default from `quality` (0.915, or 0.85 for `fast`). Closer to 1 keeps more treble and costs
   * more taps (cost grows as 1 / (1 − passband)).
   */
  passband?: number;
  /**
   * Where a warning goes when float input holds NaN or ±Infinity (they are replaced by silence,
   * never passed on). Called on the first such sample of a signal and at flush() with the total
   * if more followed. Default `console.warn`.
   */
  onWarning?: (message: string) => void;
}

/** Lowest rate the resampler takes, in Hz (below it no audio use is plausible and filters grow). */
export const MIN_RESAMPLER_RATE = 1000;
/** Highest rate the resampler takes, in Hz. */
export const MAX_RESAMPLER_RATE = 1_000_000;
/**
 * Largest ratio between the two rates. The filter's length grows with the ratio (about 160 taps
 * per unit of ratio for `high`): at 64 it is ~10,000 taps per output sample, where a two-step
 * conversion is the better tool.
 */
export const MAX_RESAMPLER_RATIO = 64;

export const SUPPORTED_RATES = `Supported: integer rates from ${MIN_RESAMPLER_RATE} to ${MAX_RESAMPLER_RATE} Hz, the higher at most ${MAX_RESAMPLER_RATIO}× the lower (e.g. 8000 ↔ 48000, 44100 → 16000).`;

export function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate < MIN_RESAMPLER_RATE || rate > MAX_RESAMPLER_RATE) {
    throw new ValidationError(`${name} must be an integer rate in Hz from ${MIN_RESAMPLER_RATE} to ${MAX_RESAMPLER_RATE}, got ${rate}. ${SUPPORTED_RATES}`, name);
  }
}

/** The filter shape for `options`, checked. */
export function filterSpec(options: ResamplerOptions): FilterSpec {
  const quality = options.quality ?? 'high';
  const profile = RESAMPLER_PROFILES[quality];
  if (profile === undefined) throw new ValidationError(`quality must be "high" or "fast", got ${String(quality)}`, 'quality', ['high', 'fast']);
  const attenuationDb = options.attenuationDb ?? profile.attenuationDb;
  const passband = options.passband ?? profile.passband;
  if (!(attenuationDb >= 20 && attenuationDb <= 200)) throw new ValidationError(`attenuationDb must be 20 to 200, got ${attenuationDb}`, 'attenuationDb');
  if (!(passband > 0 && passband < 1)) throw new ValidationError(`passband must be between 0 and 1 (exclusive), got ${passband}`, 'passband');
  return { attenuationDb, passband };
}
