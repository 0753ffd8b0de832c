/**
 * Small statistics and formatting helpers shared by the benchmarks. Percentiles use the
 * nearest-rank method on a sorted copy, so p99 of 100 values is the 99th value, never an
 * interpolation that no event actually had.
 */

/** Sorted copy of `values` (numeric order). */
export function sorted(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Nearest-rank percentile `p` (0–100) of already sorted values; NaN when empty. */
export function percentile(sortedValues: ArrayLike<number>, p: number): number {
  const n = sortedValues.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sortedValues[rank - 1]!;
}

/** Median of `values` (unsorted). */
export function median(values: readonly number[]): number {
  return percentile(sorted(values), 50);
}

/** p50, p99 and max of `values` (unsorted). */
export function summarize(values: ArrayLike<number>): { count: number; p50: number; p99: number; max: number } {
  const s = sorted(values);
  return { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length === 0 ? Number.NaN : s[s.length - 1]! };
}

/** `x` with `digits` significant digits (at least as many as the integer part needs). */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}

/** `sdk / baseline` as `1.23×`; for a cost (time, CPU, bytes) above 1 is worse. */
export function ratio(sdk: number, baseline: number): string {
  if (!Number.isFinite(sdk) || !Number.isFinite(baseline) || baseline === 0) return 'n/a';
  return `${(sdk / baseline).toFixed(2)}×`;
}

/** Mebibytes of `bytes`, formatted. */
export function mib(bytes: number): string {
  return `${fmt(bytes / 1048576)} MiB`;
}

/** Kibibytes of `bytes`, formatted. */
export function kib(bytes: number): string {
  return `${fmt(bytes / 1024)} KiB`;
}
