/**
 * Band-limited sample-rate conversion between any two integer rates: a polyphase windowed-sinc
 * (Kaiser) FIR with precomputed coefficient tables.
 *
 * Why this design: the service takes 8/16/24/48 kHz (protocol.md §2.3) while files and devices
 * come at 11.025, 22.05, 44.1 kHz and more. Linear interpolation aliases audibly on the way down
 * and leaves images on the way up; a windowed sinc whose stopband starts exactly at the lower
 * Nyquist frequency removes both, by ≥ 100 dB with the default `high` profile (flat to 0.9 of
 * that frequency; sox `rate -h` class) or ≥ 90 dB with `fast` (see resamplerOptions.ts).
 *
 * Timing: output sample k sits at input time k·from/to exactly (no group delay to compensate);
 * the resampler holds back `latency` input samples until the future samples it needs arrive, and
 * flush() supplies silence for the tail. Streaming is exact: each output is computed from the same
 * input values with the same coefficients in the same order however the input is chunked, so
 * chunked and one-shot results are identical sample for sample.
 */
import { ValidationError } from '../errors.js';
import { designFilter, filterCost, MAX_TABLE_COEFFICIENTS, type FilterTable } from './resampleFilter.js';
import { checkRate, filterSpec, MAX_RESAMPLER_RATIO, SUPPORTED_RATES, type ResamplerOptions } from './resamplerOptions.js';

export { RESAMPLER_PROFILES, type ResamplerOptions, type ResamplerQuality } from './resamplerOptions.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
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
      throw new ValidationError(`Cannot resample ${fromRate} → ${toRate} Hz in one step: the ratio is over ${MAX_RESAMPLER_RATIO}. ${SUPPORTED_RATES}`, 'toRate');
    }
    const cost = filterCost(fromRate, toRate, this.up, spec);
    if (cost.coefficients > MAX_TABLE_COEFFICIENTS) {
      throw new ValidationError(`The ${fromRate} → ${toRate} Hz filter with passband ${spec.passband} would need ${cost.taps} taps in ${cost.rows} rows; widen the transition (a lower passband) or resample in two steps. ${SUPPORTED_RATES}`, 'passband');
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
      // Outputs k, k + up, k + 2·up, … have the same phase (up steps advance exactly `down`
      // inputs), so they use the same coefficients: computing four (or two) together loads each
      // coefficient once for all of them, which is what bounds the speed of long filters. Each
      // output still sums the same products in the same order (two partial sums, even and odd
      // taps), so a result never depends on how the input was chunked.
      if (exact && count - k >= 4 * up) {
        for (let j = 0; j < up; j++) {
          const b0 = pos + offset;
          const b1 = b0 + down;
          const b2 = b1 + down;
          const b3 = b2 + down;
          const r = phase * taps;
          let p0 = 0, q0 = 0, p1 = 0, q1 = 0, p2 = 0, q2 = 0, p3 = 0, q3 = 0;
          for (let t = 0; t < taps; t += 2) {
            const h0 = table[r + t]!;
            const h1 = table[r + t + 1]!;
            p0 += h0 * buf[b0 + t]!;
            q0 += h1 * buf[b0 + t + 1]!;
            p1 += h0 * buf[b1 + t]!;
            q1 += h1 * buf[b1 + t + 1]!;
            p2 += h0 * buf[b2 + t]!;
            q2 += h1 * buf[b2 + t + 1]!;
            p3 += h0 * buf[b3 + t]!;
            q3 += h1 * buf[b3 + t + 1]!;
          }
          out[k + j] = p0 + q0;
          out[k + j + up] = p1 + q1;
          out[k + j + 2 * up] = p2 + q2;
          out[k + j + 3 * up] = p3 + q3;
          pos += stepWhole;
          phase += stepFrac;
          if (phase >= up) { phase -= up; pos++; }
        }
        pos += 3 * down; // from output k + up to k + 4·up: 3·down more inputs, same phase
        k += 4 * up;
        continue;
      }
      if (exact && count - k >= 2 * up) {
        for (let j = 0; j < up; j++) {
          const b0 = pos + offset;
          const b1 = b0 + down;
          const r = phase * taps;
          let p0 = 0, q0 = 0, p1 = 0, q1 = 0;
          for (let t = 0; t < taps; t += 2) {
            const h0 = table[r + t]!;
            const h1 = table[r + t + 1]!;
            p0 += h0 * buf[b0 + t]!;
            q0 += h1 * buf[b0 + t + 1]!;
            p1 += h0 * buf[b1 + t]!;
            q1 += h1 * buf[b1 + t + 1]!;
          }
          out[k + j] = p0 + q0;
          out[k + j + up] = p1 + q1;
          pos += stepWhole;
          phase += stepFrac;
          if (phase >= up) { phase -= up; pos++; }
        }
        pos += down;
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
