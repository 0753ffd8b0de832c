/**
 * Benchmark 3, added latency: time from the server writing an event (stamped with the machine's
 * monotonic clock, lib/clock.ts) to the application's handler, at 1, 100 and 1,000 concurrent
 * sessions each receiving the recorded reply at real time from the replay server in its own
 * process. Raw client and SDK, one fresh client process per point.
 */
import { waitForQuiet } from './lib/machineLoad.js';
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

/** The median of the repetitions' figures (each repetition is one fresh client process). */
function medianPoint(reps: Point[]): Point {
  const mid = <T>(values: T[], key: (v: T) => number): number => {
    const sorted = values.map(key).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const first = reps[0]!;
  return {
    ...first,
    events: reps.reduce((n, r) => n + r.events, 0),
    cpuShare: mid(reps, (r) => r.cpuShare),
    latencyUs: {
      count: reps.reduce((n, r) => n + r.latencyUs.count, 0),
      p50: mid(reps, (r) => r.latencyUs.p50),
      p99: mid(reps, (r) => r.latencyUs.p99),
      max: Math.max(...reps.map((r) => r.latencyUs.max)),
    },
    server: first.server,
  };
}

export const latencyBench: Bench = {
  name: 'latency',
  title: 'Added latency',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const counts = ctx.quick ? [1, 100] : [1, 100, 1000];
    const warmMs = ctx.quick ? 1500 : 2000;
    const measureMs = ctx.quick ? 3000 : 5000;
    // Tails move with whatever else the machine does for a moment (a collection, another
    // process): each point is run `reps` times, the clients interleaved, and the median taken.
    const reps = ctx.quick ? 1 : 3;
    const server = startChild('server', 'servers/replayServer.ts');
    const runs: Point[] = [];
    try {
      const { url } = await server.next<{ url: string }>('ready');
      for (const sessions of counts) {
        for (let rep = 0; rep < reps; rep++) {
          for (let i = 0; i < VARIANTS.length; i++) {
            const variant = VARIANTS[(i + rep) % VARIANTS.length]!;
            ctx.log(`latency: ${sessions} session(s), ${variant}, repetition ${rep + 1}/${reps} (${(warmMs + measureMs) / 1000} s)…`);
            await waitForQuiet(ctx.log);
            await server.request({ type: 'mark' });
            const point = await runWorker<Point>('workers/latencyClient.ts', ['--url', url, '--sessions', String(sessions), '--variant', variant, '--warm-ms', String(warmMs), '--measure-ms', String(measureMs)]);
            point.server = (await server.request<{ stats: ServerStats }>({ type: 'stats' })).stats;
            ctx.log(`  p50 ${ms(point.latencyUs.p50)} ms, p99 ${ms(point.latencyUs.p99)} ms, max ${ms(point.latencyUs.max)} ms over ${point.latencyUs.count} events; client CPU ${fmt(point.cpuShare * 100)} %`);
            runs.push(point);
          }
        }
      }
    } finally {
      await server.stop();
    }
    const points = counts.flatMap((n) => VARIANTS.map((v) => medianPoint(runs.filter((r) => r.sessions === n && r.variant === v))));
    const find = (variant: Variant, sessions: number): Point => points.find((p) => p.variant === variant && p.sessions === sessions)!;
    const lateTicks = (variant: Variant, sessions: number): number => runs.filter((r) => r.sessions === sessions && r.variant === variant).reduce((n, r) => n + (r.server?.counters.lateTicks ?? 0), 0);
    const table: Table = {
      title: `Added latency: server write → handler, ${measureMs / 1000} s windows after ${warmMs / 1000} s warm-up, ~12.5 events/s per session; median of ${reps} interleaved repetition(s) (max: the largest of all)`,
      columns: ['sessions', 'client', 'events', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'added at p50 (µs)', 'p50 ÷ baseline', 'p99 ÷ baseline', 'client CPU % of a core', 'server late ticks'],
      rows: [],
      note: 'Added at p50: the client\'s p50 minus the baseline\'s. A server tick is late when it went out more than 50 ms after its schedule: a late server inflates every client alike.',
    };
    for (const sessions of counts) {
      const base = find('raw', sessions);
      for (const variant of VARIANTS) {
        const p = find(variant, sessions);
        table.rows.push([sessions, LABELS[variant], p.latencyUs.count, ms(p.latencyUs.p50), ms(p.latencyUs.p99), ms(p.latencyUs.max), variant === 'raw' ? '' : fmt(p.latencyUs.p50 - base.latencyUs.p50), ratio(p.latencyUs.p50, base.latencyUs.p50), ratio(p.latencyUs.p99, base.latencyUs.p99), fmt(p.cpuShare * 100), lateTicks(variant, sessions)]);
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
    return { tables: [table], charts: [chart], notes: [], data: { points, runs } };
  },
};
