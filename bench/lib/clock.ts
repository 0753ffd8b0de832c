/**
 * The clock shared by the benchmark's processes. `process.hrtime()` reads CLOCK_MONOTONIC, which
 * on Linux is one clock for the whole machine: a timestamp the server process writes into an
 * event can be compared with the client process's reading without calibration. (Each process's
 * `performance.timeOrigin` is sampled separately at start-up, so `timeOrigin + now()` may differ
 * between processes by more than the latencies being measured.)
 */

/** Microseconds on the machine-wide monotonic clock. */
export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time (user + system) of this process in microseconds since `since` (a `process.cpuUsage()`). */
export function cpuUsedUs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}
