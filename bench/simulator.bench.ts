/**
 * Benchmark 6, the simulator's own capacity: how many real-time sessions (16 kHz audio in, one
 * long 24 kHz spoken reply out, the scale workload) it sustains on one core. The simulator runs
 * pinned to core 0; the load comes from raw `ws` clients (the cheapest) pinned to core 1. Steps
 * go up until a step loses real time. The baseline is the replay server (plain `ws`, recorded
 * frames, appended audio parsed and decoded: the least a server of this protocol can do) under
 * the same load at the largest step the simulator passed: its CPU per session is the limit.
 */
import { keptRealTime, otherCpuPct, quietScalePoint, type ScalePoint } from './scale.bench.js';
import { PINNING } from './lib/proc.js';
import type { Bench, BenchContext, BenchResult, Chart, Table } from './lib/report.js';
import { fmt, ratio } from './lib/stats.js';

function serverCpuPct(p: ScalePoint): number {
  return p.server ? (100 * p.server.cpuUs) / p.server.wallUs : Number.NaN;
}

export const simulatorBench: Bench = {
  name: 'simulator',
  title: "The simulator's capacity on one core",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const steps = ctx.quick ? [50, 200] : [250, 500, 750, 1000, 1250, 1500];
    const warmMs = ctx.quick ? 2000 : 3000;
    const measureMs = ctx.quick ? 4000 : 10_000;
    const points: ScalePoint[] = [];
    for (const sessions of steps) {
      ctx.log(`simulator capacity: ${sessions} real-time sessions (${(warmMs + measureMs) / 1000} s)…`);
      const p = await quietScalePoint(ctx, 'raw', sessions, warmMs, measureMs, 'simulator');
      points.push(p);
      ctx.log(`  simulator CPU ${fmt(serverCpuPct(p))} % of its core, worst session received ${fmt(p.receivedRealtime.min)}× real time, lag growth ${fmt(p.lagGrowthMs.max)} ms: ${keptRealTime(p) ? 'kept' : 'LOST'} real time`);
      if (!keptRealTime(p)) break;
    }
    const passed = points.filter(keptRealTime);
    const largest = passed[passed.length - 1];
    const referenceSessions = largest?.sessions ?? steps[0]!;
    ctx.log(`simulator capacity: baseline server (replay) at ${referenceSessions} sessions…`);
    const base = await quietScalePoint(ctx, 'raw', referenceSessions, warmMs, measureMs, 'replay');
    const atReference = points.find((p) => p.sessions === referenceSessions)!;
    const perSession = (p: ScalePoint): number => serverCpuPct(p) / p.sessions;
    const table: Table = {
      title: `Simulator capacity: ${measureMs / 1000} s window per step after ${warmMs / 1000} s warm-up${PINNING ? '; simulator pinned to one core, load generator to the other' : ' (not pinned: taskset missing)'}`,
      columns: ['server', 'sessions', 'server CPU % of its core', 'server CPU % / session', 'loop delay p99 (ms)', 'worst received ÷ real time', 'worst lag growth (ms)', 'real time kept', 'other processes CPU %'],
      rows: [...points, base].map((p) => [
        p === base ? 'replay server (baseline)' : 'simulator',
        p.sessions,
        fmt(serverCpuPct(p)),
        fmt(perSession(p)),
        p.server ? fmt(Math.max(0, p.server.loopDelayMs.p99 - 10)) : 'n/a',
        fmt(p.receivedRealtime.min),
        fmt(p.lagGrowthMs.max),
        keptRealTime(p) ? 'yes' : '**no**',
        fmt(otherCpuPct(p)),
      ]),
      note: `Simulator CPU per session ÷ baseline server at ${referenceSessions} sessions: ${ratio(perSession(atReference), perSession(base))}. Largest step kept at real time: ${largest ? largest.sessions : 'none'}; one core at the measured per-session cost would carry about ${fmt(100 / perSession(largest ?? atReference), 2)} sessions.`,
    };
    const chart: Chart = {
      file: 'simulator-capacity.svg',
      title: 'Simulator CPU on one core vs real-time sessions',
      xLabel: 'concurrent real-time sessions',
      yLabel: '% of one core',
      series: [
        { name: 'simulator', points: points.map((p) => [p.sessions, serverCpuPct(p)] as [number, number]) },
        { name: 'replay server', points: [[base.sessions, serverCpuPct(base)]] },
      ],
    };
    const notes = largest ? [] : ['The simulator lost real time at the first step.'];
    return { tables: [table], charts: [chart], notes, data: { points, baseline: base } };
  },
};
