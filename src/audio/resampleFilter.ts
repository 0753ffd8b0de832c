/**
 * Coefficient tables of the resampler's anti-aliasing filter: a Kaiser-windowed sinc, cut into
 * one row of taps per output phase. Tables are cached, because a session typically creates many
 * resamplers for the same rate pair (one per file, per device restart).
 *
 * Every table is bounded before it is allocated: the taps grow with the ratio of the rates and
 * the rows with the phases, so a rate pair whose table would pass {@link MAX_TABLE_COEFFICIENTS}
 * is refused by the caller (`filterCost`) before any work is done.
 */

/** A polyphase coefficient table. */
export interface FilterTable {
  /** Half the number of taps: input samples the filter reaches on each side of an output. */
  half: number;
  /** Taps per row (2 × half, a multiple of 4). */
  taps: number;
  /** Exact phases (`up`) or, for interpolated tables, the number of steps between rows. */
  rows: number;
  /** Row-major taps; `rows` rows when exact, `rows + 1` when interpolated. */
  table: Float32Array;
  /**
   * One row per phase of the rate ratio. When the reduced ratio has too many phases (e.g. 44100
   * → 47999 has 47999), a finer-than-needed table is linearly interpolated instead (error below
   * −110 dB: see `interpolatedRows`).
   */
  exact: boolean;
}

/** The shape of a filter: where the passband ends and how much the stopband is attenuated. */
export interface FilterSpec {
  /** Stopband attenuation in dB (the design target, met at the stopband edge and beyond). */
  attenuationDb: number;
  /** Passband edge as a fraction of the lower rate's Nyquist frequency; the stopband starts at 1. */
  passband: number;
}

/**
 * Largest table, in coefficients (4 MB of Float32): the exact table is used up to this size, and
 * a rate pair whose smallest table is larger is refused (its design would take more than a few
 * milliseconds and its every output tens of thousands of multiply-adds).
 */
export const MAX_TABLE_COEFFICIENTS = 1 << 20;
/**
 * Rows of an interpolated table for a full-band filter (cutoff at the input's Nyquist frequency).
 * The linear-interpolation error falls with the square of the row spacing and the cube of the
 * bandwidth, so narrower filters (downsampling) need proportionally fewer rows for the same
 * error: rows scale with the cutoff, which keeps interpolated tables about 200 k coefficients
 * whatever the ratio.
 */
const FULL_BAND_ROWS = 1024;
const cache = new Map<string, FilterTable>();
const CACHE_SIZE = 16;

/**
 * Zeroth-order modified Bessel function of the first kind, by the polynomial approximations of
 * Abramowitz & Stegun 9.8.1 and 9.8.2 (relative error under 2e-7). A window that far off moves
 * the stopband by less than −130 dB, and it is ten times cheaper than the power series, which
 * keeps the largest designs within a few milliseconds.
 */
export function besselI0(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3.75) {
    const y = (x / 3.75) ** 2;
    return 1 + y * (3.5156229 + y * (3.0899424 + y * (1.2067492 + y * (0.2659732 + y * (0.0360768 + y * 0.0045813)))));
  }
  const y = 3.75 / ax;
  return (Math.exp(ax) / Math.sqrt(ax)) * (0.39894228 + y * (0.01328592 + y * (0.00225319 + y * (-0.00157565 + y * (0.00916281
    + y * (-0.02057706 + y * (0.02635537 + y * (-0.01647633 + y * 0.00392377))))))));
}

/** Kaiser's window shape β for `a` dB of attenuation. */
function kaiserBeta(a: number): number {
  return a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21) : 0;
}

/** The filter's geometry for a rate pair, computed without building it. */
export interface FilterCost {
  /** Half the number of taps. */
  half: number;
  /** Taps per row. */
  taps: number;
  /** Whether the table has one exact row per phase. */
  exact: boolean;
  /** Rows (exact) or interpolation steps. */
  rows: number;
  /** Coefficients the table holds. */
  coefficients: number;
  /** Cutoff (centre of the transition band) in cycles per input sample. */
  cutoff: number;
}

/**
 * The size of the filter for `fromRate` → `toRate` with `up` output phases per input sample.
 * Stopband from the lower rate's Nyquist frequency (so nothing at or above it survives, in either
 * direction), passband to `spec.passband` of it.
 *
 * Length: Kaiser's estimate (A − 7.95) / (2.285 · Δω) is optimistic by up to 8 % (a 90 dB design
 * measured −89.4 dB); measured over 80–120 dB and transition widths of 0.02–0.08 cycles per
 * sample, 6 % more taps plus 3 on each side always meets the target.
 */
export function filterCost(fromRate: number, toRate: number, up: number, spec: FilterSpec): FilterCost {
  const nyquist = Math.min(fromRate, toRate) / 2;
  // Frequencies in cycles per input sample.
  const cutoff = (((1 + spec.passband) / 2) * nyquist) / fromRate;
  const transition = ((1 - spec.passband) * nyquist) / fromRate;
  const order = (spec.attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transition);
  // Even, so the tap count is a multiple of 4 for the resampler's unrolled inner loop.
  const half = 2 * Math.ceil((Math.ceil((1.06 * order) / 2) + 3) / 2);
  const taps = 2 * half;
  const interpolatedRows = Math.max(16, Math.ceil(FULL_BAND_ROWS * Math.min(1, 2 * cutoff)));
  const exact = up <= interpolatedRows || up * taps <= MAX_TABLE_COEFFICIENTS / 4;
  const rows = exact ? up : interpolatedRows;
  return { half, taps, exact, rows, coefficients: (exact ? rows : rows + 1) * taps, cutoff };
}

/**
 * The filter for `fromRate` → `toRate` with `up` output phases per input sample (see
 * {@link filterCost}). The caller has checked that the table is within bounds.
 */
export function designFilter(fromRate: number, toRate: number, up: number, spec: FilterSpec): FilterTable {
  const key = `${fromRate}:${toRate}:${spec.attenuationDb}:${spec.passband}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;

  const { half, taps, exact, rows, cutoff } = filterCost(fromRate, toRate, up, spec);
  const beta = kaiserBeta(spec.attenuationDb);
  const rowCount = exact ? rows : rows + 1;
  const table = new Float32Array(rowCount * taps);
  const i0beta = besselI0(beta);
  const row = new Float64Array(taps);
  // Row `rows - r` is row r reversed (the sinc and the window are even), so half the rows are
  // computed and the other half mirrored: the design stays within a few milliseconds.
  for (let r = 0; r <= rows / 2; r++) {
    const frac = r / rows;
    const at = r * taps;
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
    // input comes out with a faint ripple at the phase rate. (The division rounds to Float32 once.)
    const mirror = (rows - r) * taps;
    for (let t = 0; t < taps; t++) {
      const h = row[t]! / sum;
      table[at + t] = h;
      if (rows - r < rowCount && rows - r !== r) table[mirror + taps - 1 - t] = h;
    }
  }
  const filter: FilterTable = { half, taps, rows, table, exact };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, filter);
  return filter;
}
