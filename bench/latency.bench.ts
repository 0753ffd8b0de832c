/**
 * Benchmark 3, added latency: time from the server writing an event (stamped with the machine's
 * monotonic clock, lib/clock.ts) to the application's handler, at 1, 100 and 1,000 concurrent
 * sessions each receiving the recorded reply at real time from the replay server in its own
 * process. Raw client and SDK, one fresh client process per point.
 */
import type { Variant } from './lib/clients.js';
import { runWorker, startChild } from './lib/proc.js';
import type { Bench, BenchContext, BenchResult, Chart, Table } from './lib/report.js';
import type { ServerStats } from './lib/serverStats.js';
import { fmt, ratio } from './lib/stats.js';

interface Point {
  variant: Variant;
  sessions: number;
  connectMs: number;
  events: number;
  eventsPerSecond: number;
  cpuShare: number;
  latencyUs: { count: number; p50: number; p99: number; max: number };
  server?: ServerStats;
}

const VARIANTS: Variant[] = ['raw', 'sdk', 'sdk-buffer'];
const LABELS: Record<Variant, string> = { raw: 'raw ws (baseline)', sdk: 'RealtimeClient + audio kit decode', 'sdk-buffer': 'RealtimeClient + Buffer decode' };

function ms(us: number): string {
  return fmt(us / 1000);
}

export const latencyBench: Bench = {
  name: 'latency',
  title: 'Added latency',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const counts = ctx.quick ? [1, 100] : [1, 100, 1000];
    const warmMs = ctx.quick ? 1500 : 3000;
    const measureMs = ctx.quick ? 3000 : 10_000;
    const server = startChild('server', 'servers/replayServer.ts');
    const points: Point[] = [];
    try {
      const { url } = await server.next<{ url: string }>('ready');
      for (const sessions of counts) {
        for (const variant of VARIANTS) {
          ctx.log(`latency: ${sessions} session(s), ${variant} (${(warmMs + measureMs) / 1000} s)…`);
          await server.request({ type: 'mark' });
          const point = await runWorker<Point>('workers/latencyClient.ts', ['--url', url, '--sessions', String(sessions), '--variant', variant, '--warm-ms', String(warmMs), '--measure-ms', String(measureMs)]);
          point.server = (await server.request<{ stats: ServerStats }>({ type: 'stats' })).stats;
          ctx.log(`  p50 ${ms(point.latencyUs.p50)} ms, p99 ${ms(point.latencyUs.p99)} ms, max ${ms(point.latencyUs.max)} ms over ${point.latencyUs.count} events; client CPU ${fmt(point.cpuShare * 100)} %`);
          points.push(point);
        }
      }
    } finally {
      await server.stop();
    }
    const find = (variant: Variant, sessions: number): Point => points.find((p) => p.variant === variant && p.sessions === sessions)!;
    const table: Table = {
      title: `Added latency: server write → handler, ${measureMs / 1000} s window after ${warmMs / 1000} s warm-up, ~12.6 events/s per session`,
      columns: ['sessions', 'client', 'events', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'p50 ÷ baseline', 'p99 ÷ baseline', 'client CPU % of a core', 'server late ticks'],
      rows: [],
      note: 'A server tick is late when it went out more than 50 ms after its schedule: a late server would inflate both clients alike.',
    };
    for (const sessions of counts) {
      const base = find('raw', sessions);
      for (const variant of VARIANTS) {
        const p = find(variant, sessions);
        table.rows.push([sessions, LABELS[variant], p.latencyUs.count, ms(p.latencyUs.p50), ms(p.latencyUs.p99), ms(p.latencyUs.max), ratio(p.latencyUs.p50, base.latencyUs.p50), ratio(p.latencyUs.p99, base.latencyUs.p99), fmt(p.cpuShare * 100), p.server?.counters.lateTicks ?? 'n/a']);
      }
    }
    const chart: Chart = {
      file: 'latency-p99.svg',
      title: 'Server write → handler, p99',
      xLabel: 'concurrent sessions',
      yLabel: 'ms',
      logX: true,
      series: VARIANTS.map((v) => ({ name: LABELS[v].replace(' (baseline)', ''), points: counts.map((n) => [n, find(v, n).latencyUs.p99 / 1000] as [number, number]) })),
    };
    return { tables: [table], charts: [chart], notes: [], data: points };
  },
};
