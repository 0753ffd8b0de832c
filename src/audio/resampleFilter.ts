/**
 * Coefficient tables of the resampler's anti-aliasing filter: a Kaiser-windowed sinc, cut into
 * one row of taps per output phase. Tables are cached, because a session typically creates many
 * resamplers for the same rate pair (one per file, per device restart).
 */

/** A polyphase coefficient table. */
export interface FilterTable {
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
export function designFilter(fromRate: number, toRate: number, up: number, attenuationDb: number, passband: number): FilterTable {
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
