/**
 * What a server process reports to the benchmark: its CPU time and event-loop delay since the
 * last `mark`, its memory, and its live connections. A server whose CPU approaches one core or
 * whose event loop lags by more than a chunk (100 ms) cannot keep real time: the benchmarks use
 * this to tell a saturated server from a slow client.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveParent } from './proc.js';

/** The stats a server sends back for `{ type: 'stats' }`. */
export interface ServerStats {
  /** CPU (user + system) since the last mark, µs. */
  cpuUs: number;
  /** Wall time since the last mark, µs. */
  wallUs: number;
  /** Event-loop delay since the last mark, ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Resident set size now, bytes. */
  rss: number;
  /** Live connections now. */
  connections: number;
  /** Extra per-server counters. */
  counters: Record<string, number>;
}

/** Serves `mark` and `stats` requests (and `extra` ones) from the parent. */
export function serveStats(connections: () => number, counters: () => Record<string, number> = () => ({}), extra?: (message: Record<string, unknown>) => Record<string, unknown> | undefined): void {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpu = process.cpuUsage();
  let wall = process.hrtime.bigint();
  serveParent((message) => {
    if (message.type === 'mark') {
      cpu = process.cpuUsage();
      wall = process.hrtime.bigint();
      loop.reset();
      return { type: 'marked' };
    }
    if (message.type === 'stats') {
      const used = process.cpuUsage(cpu);
      const stats: ServerStats = {
        cpuUs: used.user + used.system,
        wallUs: Number(process.hrtime.bigint() - wall) / 1000,
        loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        rss: process.memoryUsage.rss(),
        connections: connections(),
        counters: counters(),
      };
      return { type: 'stats', stats };
    }
    return extra?.(message) ?? { type: 'unknown-request' };
  });
}
