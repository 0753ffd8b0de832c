/**
 * The resampler as it was before issue 18 (commit 4d3232d: src/audio/resample.ts and
 * resampleFilter.ts, merged into one file), frozen as the speed and quality baseline of
 * bench/resampler.bench.ts. Not used by the library; do not optimise it.
 */
import { ValidationError } from '../../src/errors.js';

interface FilterTable {
  /** Half the number of taps: input samples the filter reaches on each side of an output. */
  half: number;
  /** Taps per row (2 × half). */
  taps: number;
  /** Exact phases (`up`) or, for interpolated tables, the number of steps between rows. */
  rows: number;
  /** Row-major taps; `rows` rows when exact, `rows + 1` when interpolated. */
  table: Float32Array;
  /**
   * One row per phase of the rate ratio. When the reduced ratio has too many phases (e.g. 44100
   * → 47999 has 47999), a 1024-step table is linearly interpolated instead (error below -100 dB).
   */
  exact: boolean;
}

/** Largest exact table, in coefficients (2 MB). */
const MAX_EXACT_COEFFICIENTS = 1 << 19;
const INTERPOLATED_ROWS = 1024;
const cache = new Map<string, FilterTable>();
const CACHE_SIZE = 16;
const MAX_RATE = 1_000_000;

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * The filter for `fromRate` → `toRate` with `up` output phases per input sample period.
 * Stopband from the lower rate's Nyquist frequency (so nothing above it survives, in either
 * direction), passband up to `passband` of it, `attenuationDb` down in the stopband.
 */
function designFilter(fromRate: number, toRate: number, up: number, attenuationDb: number, passband: number): FilterTable {
  const key = `${fromRate}:${toRate}:${attenuationDb}:${passband}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;

  const nyquist = Math.min(fromRate, toRate) / 2;
  // Frequencies in cycles per input sample.
  const cutoff = (((1 + passband) / 2) * nyquist) / fromRate;
  const transition = ((1 - passband) * nyquist) / fromRate;
  // Kaiser's estimates of the window shape and the length for this attenuation and transition.
  const a = attenuationDb;
  const beta = a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21) : 0;
  const order = (a - 7.95) / (2.285 * 2 * Math.PI * transition);
  // Even, so the tap count is a multiple of 4 for the resampler's unrolled inner loop.
  const half = 2 * Math.ceil((Math.ceil(order / 2) + 1) / 2);
  const taps = 2 * half;
  const exact = up * taps <= MAX_EXACT_COEFFICIENTS;
  const rows = exact ? up : INTERPOLATED_ROWS;
  const rowCount = exact ? rows : rows + 1;
  const table = new Float32Array(rowCount * taps);
  const i0beta = besselI0(beta);
  const row = new Float64Array(taps);
  for (let r = 0; r < rowCount; r++) {
    const frac = r / rows;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      // Distance from the output instant to the input sample this tap multiplies.
      const d = frac + half - 1 - t;
      const x = 2 * cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const u = d / half;
      const w = u * u < 1 ? besselI0(beta * Math.sqrt(1 - u * u)) / i0beta : 0;
      row[t] = 2 * cutoff * sinc * w;
      sum += row[t]!;
    }
    // Unity gain at DC in every phase: without it, phases differ slightly in gain and a constant
    // input comes out with a faint ripple at the phase rate.
    for (let t = 0; t < taps; t++) table[r * taps + t] = row[t]! / sum;
  }
  const filter: FilterTable = { half, taps, rows, table, exact };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, filter);
  return filter;
}
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
export class BaselineResampler {
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

  constructor(fromRate: number, toRate: number, options: { attenuationDb?: number; passband?: number } = {}) {
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
export function baselineResample(samples: Float32Array, fromRate: number, toRate: number, options: { attenuationDb?: number; passband?: number } = {}): Float32Array {
  const r = new BaselineResampler(fromRate, toRate, options);
  const body = r.process(samples);
  const tail = r.flush();
  if (tail.length === 0) return body;
  const out = new Float32Array(body.length + tail.length);
  out.set(body, 0);
  out.set(tail, body.length);
  return out;
}
