/**
 * Band-limited sample-rate conversion between any two integer rates: a polyphase windowed-sinc
 * (Kaiser) FIR with precomputed coefficient tables.
 *
 * Why this design: the service takes 8/16/24/48 kHz (protocol.md §2.3) while files and devices
 * come at 11.025, 22.05, 44.1 kHz and more. Linear interpolation aliases audibly on the way down
 * and leaves images on the way up; a windowed sinc whose stopband starts exactly at the lower
 * Nyquist frequency removes both by ≥ 90 dB by default.
 *
 * Timing: output sample k sits at input time k·from/to exactly (no group delay to compensate);
 * the resampler holds back `latency` input samples until the future samples it needs arrive, and
 * flush() supplies silence for the tail. Streaming is exact: each output is computed from the same
 * input values with the same coefficients in the same order however the input is chunked, so
 * chunked and one-shot results are identical sample for sample.
 */
import { ValidationError } from '../errors.js';
import { designFilter, filterCost, MAX_TABLE_COEFFICIENTS, type FilterSpec, type FilterTable } from './resampleFilter.js';

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

/** Lowest and highest rate the resampler takes, in Hz. */
export const MIN_RESAMPLER_RATE = 1000;
/** Highest rate the resampler takes, in Hz. */
export const MAX_RESAMPLER_RATE = 1_000_000;
/**
 * Largest ratio between the two rates. The filter's length grows with the ratio (about 160 taps
 * per unit of ratio for `high`): at 64 it is ~10,000 taps per output sample, where a two-step
 * conversion is the better tool.
 */
export const MAX_RESAMPLER_RATIO = 64;

const SUPPORTED = `Supported: integer rates from ${MIN_RESAMPLER_RATE} to ${MAX_RESAMPLER_RATE} Hz, the higher at most ${MAX_RESAMPLER_RATIO}× the lower (e.g. 8000 ↔ 48000, 44100 → 16000).`;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate < MIN_RESAMPLER_RATE || rate > MAX_RESAMPLER_RATE) {
    throw new ValidationError(`${name} must be an integer rate in Hz from ${MIN_RESAMPLER_RATE} to ${MAX_RESAMPLER_RATE}, got ${rate}. ${SUPPORTED}`, name);
  }
}

/** The filter shape for `options`, checked. */
function filterSpec(options: ResamplerOptions): FilterSpec {
  const quality = options.quality ?? 'high';
  const profile = RESAMPLER_PROFILES[quality];
  if (profile === undefined) throw new ValidationError(`quality must be "high" or "fast", got ${String(quality)}`, 'quality', ['high', 'fast']);
  const attenuationDb = options.attenuationDb ?? profile.attenuationDb;
  const passband = options.passband ?? profile.passband;
  if (!(attenuationDb >= 20 && attenuationDb <= 200)) throw new ValidationError(`attenuationDb must be 20 to 200, got ${attenuationDb}`, 'attenuationDb');
  if (!(passband > 0 && passband < 1)) throw new ValidationError(`passband must be between 0 and 1 (exclusive), got ${passband}`, 'passband');
  return { attenuationDb, passband };
}

/** A streaming resampler: feed chunks to process(), then call flush() once at the end. */
export class Resampler {
  /** Input rate in Hz. */
  readonly fromRate: number;
  /** Output rate in Hz. */
  readonly toRate: number;
  /** Input samples held back before the first output (half the filter length). */
  readonly latency: number;
  private readonly up: number; // L: output steps per `down` input samples
  private readonly down: number; // M
  private readonly filter: FilterTable | undefined;
  /** Input history, from absolute index `start`. Negative indices are the silence before the signal. */
  private buf = new Float32Array(0);
  private head = 0;
  private length = 0;
  private start = 0;
  /** Position of the next output: input index `pos` plus `phase / up`. */
  private pos = 0;
  private phase = 0;
  /** Input samples received since the last flush. */
  private received = 0;
  /** Non-finite input samples replaced since the last flush, and the count at the first warning. */
  private nonFinite = 0;
  private warned = 0;
  private readonly onWarning: ((message: string) => void) | undefined;

  constructor(fromRate: number, toRate: number, options: ResamplerOptions = {}) {
    checkRate(fromRate, 'fromRate');
    checkRate(toRate, 'toRate');
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.onWarning = options.onWarning;
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    if (fromRate === toRate) {
      this.latency = 0;
      return;
    }
    const spec = filterSpec(options);
    // Refused before anything is allocated: the filter grows with the ratio (and a narrow
    // passband), and a pair like 1 MHz → 1 kHz would take seconds and gigabytes to design.
    if (Math.max(fromRate, toRate) > MAX_RESAMPLER_RATIO * Math.min(fromRate, toRate)) {
      throw new ValidationError(`Cannot resample ${fromRate} → ${toRate} Hz in one step: the ratio is over ${MAX_RESAMPLER_RATIO}. ${SUPPORTED}`, 'toRate');
    }
    const cost = filterCost(fromRate, toRate, this.up, spec);
    if (cost.coefficients > MAX_TABLE_COEFFICIENTS) {
      throw new ValidationError(`The ${fromRate} → ${toRate} Hz filter with passband ${spec.passband} would need ${cost.taps} taps in ${cost.rows} rows; widen the transition (a lower passband) or resample in two steps. ${SUPPORTED}`, 'passband');
    }
    this.filter = designFilter(fromRate, toRate, this.up, spec);
    this.latency = this.filter.half;
    this.reset();
  }

  /** Forgets all input: the next process() starts a new signal at time 0. */
  reset(): void {
    const half = this.filter?.half ?? 0;
    // The window of output 0 reaches back half-1 samples before the signal: keep them as silence.
    this.buf = new Float32Array(Math.max(1024, 4 * 2 * half));
    this.head = 0;
    this.length = Math.max(0, half - 1);
    this.start = -this.length;
    this.pos = 0;
    this.phase = 0;
    this.received = 0;
    this.nonFinite = 0;
    this.warned = 0;
  }

  /**
   * NaN and ±Infinity samples replaced by silence since the last flush (a float source that
   * divided by zero, a corrupt file): one NaN would otherwise spread over a whole filter length
   * of output.
   */
  get nonFiniteSamples(): number {
    return this.nonFinite;
  }

  /** Resampled output for the next chunk of input (possibly empty while the filter fills). */
  process(chunk: Float32Array): Float32Array {
    if (!(chunk instanceof Float32Array)) throw new ValidationError('Resampler.process expects a Float32Array of samples in [-1, 1]', 'chunk');
    if (this.filter === undefined) {
      const copy = chunk.slice();
      this.scrub(copy, 0, copy.length);
      return copy;
    }
    this.append(chunk);
    this.received += chunk.length;
    return this.produce(this.received);
  }

  /**
   * The remaining output, as if the signal were followed by silence, ending at the last output
   * whose time falls inside the input (ceil(n·to/from) outputs in all for n inputs). Then resets,
   * so the resampler can take a new signal.
   */
  flush(): Float32Array {
    if (this.nonFinite > this.warned && this.warned > 0) this.warn(`${this.nonFinite} NaN or infinite input samples in all were replaced by silence`);
    if (this.filter === undefined) {
      this.nonFinite = 0;
      this.warned = 0;
      return new Float32Array(0);
    }
    const end = this.received;
    this.append(new Float32Array(this.filter.half));
    const out = this.produce(end + this.filter.half);
    this.reset();
    return out;
  }

  /** Replaces non-finite samples of `x[from, to)` by 0, counting them (warns on the first). */
  private scrub(x: Float32Array, from: number, to: number): void {
    let found = 0;
    for (let i = from; i < to; i++) {
      const v = x[i]!;
      // v - v is NaN exactly for NaN and ±Infinity.
      if (v - v !== 0) {
        x[i] = 0;
        found++;
      }
    }
    if (found === 0) return;
    this.nonFinite += found;
    if (this.warned === 0) {
      this.warned = this.nonFinite;
      this.warn(`${found} NaN or infinite input sample(s) replaced by silence (check the audio source); later ones are counted in nonFiniteSamples`);
    }
  }

  private warn(message: string): void {
    try {
      (this.onWarning ?? console.warn)(`dashscope-realtime: Resampler ${this.fromRate} → ${this.toRate} Hz: ${message}`);
    } catch {
      // A warning sink that throws must not break the audio path.
    }
  }

  /** Adds input after the history, compacting or growing the buffer when it runs out of room. */
  private append(chunk: Float32Array): void {
    if (this.head + this.length + chunk.length > this.buf.length) {
      if (this.length + chunk.length > this.buf.length / 2) {
        const grown = new Float32Array(Math.max(this.buf.length * 2, (this.length + chunk.length) * 2));
        grown.set(this.buf.subarray(this.head, this.head + this.length));
        this.buf = grown;
      } else {
        this.buf.copyWithin(0, this.head, this.head + this.length);
      }
      this.head = 0;
    }
    const at = this.head + this.length;
    this.buf.set(chunk, at);
    this.scrub(this.buf, at, at + chunk.length);
    this.length += chunk.length;
  }

  /** Computes every output whose window lies within the first `available` input samples. */
  private produce(available: number): Float32Array {
    const f = this.filter!;
    const { half, taps, rows, table, exact } = f;
    const up = this.up;
    const down = this.down;
    const stepWhole = Math.floor(down / up);
    const stepFrac = down - stepWhole * up;
    // Output at input position `pos` needs samples pos-half+1 … pos+half.
    const last = available - half; // outputs need pos < last
    let count = 0;
    for (let pos = this.pos, phase = this.phase; pos < last; count++) {
      pos += stepWhole;
      phase += stepFrac;
      if (phase >= up) { phase -= up; pos++; }
    }
    const out = new Float32Array(count);
    const buf = this.buf;
    let pos = this.pos;
    let phase = this.phase;
    const offset = this.head - this.start - half + 1; // buffer index of sample pos-half+1 is pos + offset
    const scale = rows / up; // interpolated tables: fractional row per phase step
    let k = 0;
    while (k < count) {
      // Outputs k and k + up have the same phase (up steps advance exactly `down` inputs), so they
      // use the same coefficients: computing them together loads each coefficient once for two
      // outputs. Each output still sums the same products in the same order, so chunking never
      // changes a result.
      const paired = exact && count - k >= 2 * up ? up : 0;
      for (let j = 0; j < paired; j++) {
        const b = pos + offset;
        const c = b + down;
        const r = phase * taps;
        let x0 = 0, x1 = 0, y0 = 0, y1 = 0;
        for (let t = 0; t < taps; t += 2) {
          const h0 = table[r + t]!;
          const h1 = table[r + t + 1]!;
          x0 += h0 * buf[b + t]!;
          x1 += h1 * buf[b + t + 1]!;
          y0 += h0 * buf[c + t]!;
          y1 += h1 * buf[c + t + 1]!;
        }
        out[k + j] = x0 + x1;
        out[k + j + up] = y0 + y1;
        pos += stepWhole;
        phase += stepFrac;
        if (phase >= up) { phase -= up; pos++; }
      }
      if (paired > 0) {
        pos += down; // from output k + up to k + 2·up: `down` more inputs, same phase
        k += 2 * up;
        continue;
      }
      const b = pos + offset;
      if (exact) {
        // The same sums as the paired loop (two partial sums), so a lone output equals a paired one.
        const r = phase * taps;
        let x0 = 0, x1 = 0;
        for (let t = 0; t < taps; t += 2) {
          x0 += table[r + t]! * buf[b + t]!;
          x1 += table[r + t + 1]! * buf[b + t + 1]!;
        }
        out[k] = x0 + x1;
      } else {
        const x = phase * scale;
        const row = Math.floor(x);
        const w = x - row;
        const r0 = row * taps;
        const r1 = r0 + taps;
        let acc = 0;
        let acc1 = 0;
        for (let t = 0; t < taps; t++) {
          const s = buf[b + t]!;
          acc += table[r0 + t]! * s;
          acc1 += table[r1 + t]! * s;
        }
        out[k] = acc + w * (acc1 - acc);
      }
      k++;
      pos += stepWhole;
      phase += stepFrac;
      if (phase >= up) { phase -= up; pos++; }
    }
    this.pos = pos;
    this.phase = phase;
    // Drop history no future output can reach.
    const keepFrom = pos - half + 1;
    const drop = Math.min(this.length, Math.max(0, keepFrom - this.start));
    this.head += drop;
    this.length -= drop;
    this.start += drop;
    return out;
  }
}

/**
 * `samples` at `toRate` (whole signal: one process() and a flush()). Returns a copy when the
 * rates are equal.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, options?: ResamplerOptions): Float32Array {
  const r = new Resampler(fromRate, toRate, options);
  const body = r.process(samples);
  const tail = r.flush();
  if (tail.length === 0) return body;
  const out = new Float32Array(body.length + tail.length);
  out.set(body, 0);
  out.set(tail, body.length);
  return out;
}
