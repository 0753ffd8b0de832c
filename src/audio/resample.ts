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
import { designFilter, type FilterTable } from './resampleFilter.js';

/** Tuning of the anti-aliasing filter. */
export interface ResamplerOptions {
  /**
   * Stopband attenuation in dB; default 90. Higher costs more taps (cost grows linearly); 60 is
   * the least that keeps aliasing below 16-bit hearing thresholds.
   */
  attenuationDb?: number;
  /**
   * Passband edge as a fraction of the lower rate's Nyquist frequency; default 0.85 (6.8 kHz of
   * a 16 kHz stream, beyond the speech band). Closer to 1 keeps more treble and costs more taps.
   */
  passband?: number;
}

const MAX_RATE = 1_000_000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
    throw new ValidationError(`${name} must be an integer rate in Hz from 1 to ${MAX_RATE}, got ${rate}`, name);
  }
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

  constructor(fromRate: number, toRate: number, options: ResamplerOptions = {}) {
    checkRate(fromRate, 'fromRate');
    checkRate(toRate, 'toRate');
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    if (fromRate === toRate) {
      this.latency = 0;
      return;
    }
    const attenuationDb = options.attenuationDb ?? 90;
    const passband = options.passband ?? 0.85;
    if (!(attenuationDb >= 20 && attenuationDb <= 200)) throw new ValidationError(`attenuationDb must be 20 to 200, got ${attenuationDb}`, 'attenuationDb');
    if (!(passband > 0 && passband < 1)) throw new ValidationError(`passband must be between 0 and 1 (exclusive), got ${passband}`, 'passband');
    this.filter = designFilter(fromRate, toRate, this.up, attenuationDb, passband);
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
  }

  /** Resampled output for the next chunk of input (possibly empty while the filter fills). */
  process(chunk: Float32Array): Float32Array {
    if (this.filter === undefined) return chunk.slice();
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
    if (this.filter === undefined) return new Float32Array(0);
    const end = this.received;
    this.append(new Float32Array(this.filter.half));
    const out = this.produce(end + this.filter.half);
    this.reset();
    return out;
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
    this.buf.set(chunk, this.head + this.length);
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
    for (let k = 0; k < count; k++) {
      const b = pos + offset;
      let acc = 0;
      if (exact) {
        // Four partial sums let the CPU overlap the multiply-adds (taps is a multiple of 4).
        const r = phase * taps;
        let a1 = 0, a2 = 0, a3 = 0;
        for (let t = 0; t < taps; t += 4) {
          acc += table[r + t]! * buf[b + t]!;
          a1 += table[r + t + 1]! * buf[b + t + 1]!;
          a2 += table[r + t + 2]! * buf[b + t + 2]!;
          a3 += table[r + t + 3]! * buf[b + t + 3]!;
        }
        acc = acc + a1 + (a2 + a3);
      } else {
        const x = phase * scale;
        const row = Math.floor(x);
        const w = x - row;
        const r0 = row * taps;
        const r1 = r0 + taps;
        let acc1 = 0;
        for (let t = 0; t < taps; t++) {
          const s = buf[b + t]!;
          acc += table[r0 + t]! * s;
          acc1 += table[r1 + t]! * s;
        }
        acc += w * (acc1 - acc);
      }
      out[k] = acc;
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
