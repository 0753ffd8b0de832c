/**
 * Benchmark 4, scale: 10, 100, 500 and 1,000 concurrent sessions, each streaming 16 kHz audio in
 * and receiving 24 kHz audio out at real time from the simulator in its own process (pinned to
 * the other core). For the raw client and the SDK at each point: client CPU and memory per
 * session, whether every session kept real time, and the simulator's own CPU, which tells a
 * saturated server from a slow client. Each point runs in a fresh client and a fresh simulator
 * process, so memory figures are not inherited from the previous point.
 */
import type { Variant } from './lib/clients.js';
import { waitForQuiet } from './lib/machineLoad.js';
import { runWorker, startChild } from './lib/proc.js';
import type { Bench, BenchContext, BenchResult, Chart, Table } from './lib/report.js';
import type { ServerStats } from './lib/serverStats.js';
import { fmt, kib, ratio } from './lib/stats.js';

/** What the scale worker reports. */
export interface ScalePoint {
  variant: Variant;
  sessions: number;
  connectMs: number;
  cpuShare: number;
  machineShare: number;
  cpuPerSessionPct: number;
  rssPerSession: number;
  heapPerSession: number;
  rss: number;
  receivedRealtime: { min: number; p50: number };
  lagGrowthMs: { p50: number; max: number };
  sendLateMs: { maxP50: number; max: number; endMeanMax: number };
  maxBuffered: number;
  errors: number;
  server?: ServerStats;
}

/** Whether every session kept real time both ways over the window. */
export function keptRealTime(p: ScalePoint): boolean {
  return p.receivedRealtime.min >= 0.95 && p.lagGrowthMs.max < 100 && p.sendLateMs.endMeanMax < 100 && p.errors === 0;
}

/**
 * Runs one point: a fresh server (the simulator, or the replay server as the baseline server), a
 * fresh client worker; the server's stats over the worker's window.
 */
export async function scalePoint(variant: Variant, sessions: number, warmMs: number, measureMs: number, server: 'simulator' | 'replay' = 'simulator'): Promise<ScalePoint> {
  const sim =
    server === 'simulator'
      ? startChild('server', 'servers/simServer.ts', ['--reply-seconds', String(Math.ceil((warmMs + measureMs) / 1000) + 60)])
      : startChild('server', 'servers/replayServer.ts');
  try {
    const { url } = await sim.next<{ url: string }>('ready');
    let stats: Promise<{ stats: ServerStats }> | undefined;
    const result = await runWorker<ScalePoint>('workers/scaleClient.ts', ['--url', url, '--sessions', String(sessions), '--variant', variant, '--warm-ms', String(warmMs), '--measure-ms', String(measureMs)], ['--expose-gc'], (message) => {
      if (message.type !== 'window') return;
      if (message.edge === 'start') void sim.request({ type: 'mark' });
      else stats = sim.request<{ stats: ServerStats }>({ type: 'stats' });
    });
    if (stats) result.server = (await stats).stats;
    return result;
  } finally {
    await sim.stop();
  }
}

function serverCpuPct(p: ScalePoint): number {
  return p.server ? (100 * p.server.cpuUs) / p.server.wallUs : Number.NaN;
}

/** CPU that processes other than the client and the server took during the window, % of one core. */
export function otherCpuPct(p: ScalePoint): number {
  return Math.max(0, 100 * p.machineShare - 100 * p.cpuShare - serverCpuPct(p));
}

/** Other processes above this share of a core during a window make the point worthless: it is run again. */
const NOISY_PCT = 25;

/**
 * {@link scalePoint} on a quiet machine: waits for quiet first, and runs the point again (up to
 * twice) when other processes took more than 25 % of a core during its window. The last attempt
 * is kept either way; its "other processes" column says how quiet it was.
 */
export async function quietScalePoint(ctx: BenchContext, variant: Variant, sessions: number, warmMs: number, measureMs: number, server: 'simulator' | 'replay' = 'simulator'): Promise<ScalePoint> {
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet(ctx.log);
    const p = await scalePoint(variant, sessions, warmMs, measureMs, server);
    if (otherCpuPct(p) <= NOISY_PCT || attempt === 3) return p;
    ctx.log(`  other processes took ${fmt(otherCpuPct(p))} % of a core during the window: running the point again`);
  }
}

export const scaleBench: Bench = {
  name: 'scale',
  title: 'Scale: concurrent real-time sessions',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const counts = ctx.quick ? [10, 100] : [10, 100, 500, 1000];
    const warmMs = ctx.quick ? 3000 : 5000;
    const measureMs = ctx.quick ? 5000 : 20_000;
    const points: ScalePoint[] = [];
    for (const sessions of counts) {
      for (const variant of ['raw', 'sdk'] as const) {
        ctx.log(`scale: ${sessions} sessions, ${variant} client (${(warmMs + measureMs) / 1000} s)…`);
        const p = await quietScalePoint(ctx, variant, sessions, warmMs, measureMs);
        ctx.log(`  client CPU ${fmt(p.cpuShare * 100)} % of a core, RSS +${kib(p.rssPerSession)}/session, received ${fmt(p.receivedRealtime.min)}× real time (worst session), simulator CPU ${fmt(serverCpuPct(p))} %, other processes ${fmt(otherCpuPct(p))} %`);
        points.push(p);
      }
    }
    return scaleReport(points, warmMs, measureMs);
  },
};

/** The tables, charts and notes of the scale benchmark, from its points (also re-rendered from results.json). */
export function scaleReport(points: ScalePoint[], warmMs: number, measureMs: number): BenchResult {
  const counts = [...new Set(points.map((p) => p.sessions))].sort((a, b) => a - b);
  const find = (variant: Variant, sessions: number): ScalePoint => points.find((p) => p.variant === variant && p.sessions === sessions)!;
  const table: Table = {
    title: `Scale: ${measureMs / 1000} s window after ${warmMs / 1000} s warm-up; per-session figures are the client process's totals ÷ sessions`,
    columns: ['sessions', 'client', 'CPU % of a core / session', 'RSS / session', 'heap / session', 'worst received ÷ real time', 'worst lag growth (ms)', 'worst append lateness (ms)', 'real time kept', 'simulator CPU %', 'simulator loop delay p99 (ms)', 'other processes CPU %'],
    rows: [],
  };
  const ratios: Table = {
    title: 'Scale: memory per added session and SDK ÷ raw (a cost: above 1.00× the SDK uses more)',
    columns: ['sessions', 'raw: marginal RSS / session', 'SDK: marginal RSS / session', 'raw: marginal heap / session', 'SDK: marginal heap / session', 'CPU / session ÷', 'marginal RSS ÷', 'marginal heap ÷'],
    rows: [],
    note: 'Marginal: the growth from the previous point ÷ the sessions added, which leaves out what a process holds whatever its load (code, V8\'s young generation, which grows to tens of MiB under allocation). At the first point it is the growth from the empty process ÷ the sessions.',
  };
  const marginal = (variant: Variant, index: number, key: 'rss' | 'heap'): number => {
    const p = find(variant, counts[index]!);
    const value = (q: ScalePoint): number => (key === 'rss' ? q.rssPerSession : q.heapPerSession) * q.sessions;
    if (index === 0) return value(p) / p.sessions;
    const prev = find(variant, counts[index - 1]!);
    return (value(p) - value(prev)) / (p.sessions - prev.sessions);
  };
  for (const sessions of counts) {
    for (const variant of ['raw', 'sdk'] as const) {
      const p = find(variant, sessions);
      table.rows.push([
        sessions,
        variant,
        fmt(p.cpuPerSessionPct),
        kib(p.rssPerSession),
        kib(p.heapPerSession),
        fmt(p.receivedRealtime.min),
        fmt(p.lagGrowthMs.max),
        fmt(p.sendLateMs.max),
        keptRealTime(p) ? 'yes' : '**no**',
        fmt(serverCpuPct(p)),
        p.server ? fmt(Math.max(0, p.server.loopDelayMs.p99 - 10)) : 'n/a',
        fmt(otherCpuPct(p)),
      ]);
    }
  }
  counts.forEach((sessions, i) => {
    const raw = find('raw', sessions);
    const sdk = find('sdk', sessions);
    const [rr, sr, rh, sh] = [marginal('raw', i, 'rss'), marginal('sdk', i, 'rss'), marginal('raw', i, 'heap'), marginal('sdk', i, 'heap')];
    ratios.rows.push([sessions, kib(rr), kib(sr), kib(rh), kib(sh), ratio(sdk.cpuPerSessionPct, raw.cpuPerSessionPct), ratio(sr, rr), ratio(sh, rh)]);
  });
  const series = (variant: Variant, y: (p: ScalePoint) => number): { name: string; points: Array<[number, number]> } => ({
    name: variant === 'raw' ? 'raw ws (baseline)' : 'RealtimeClient',
    points: counts.map((n) => [n, y(find(variant, n))] as [number, number]),
  });
  const charts: Chart[] = [
    { file: 'scale-cpu.svg', title: 'Client CPU per session', xLabel: 'concurrent sessions', yLabel: '% of one core per session', logX: true, series: [series('raw', (p) => p.cpuPerSessionPct), series('sdk', (p) => p.cpuPerSessionPct)] },
    {
      file: 'scale-memory.svg',
      title: 'Client memory per added session (from 100 sessions)',
      xLabel: 'concurrent sessions',
      yLabel: 'KiB per session (marginal)',
      logX: true,
      series: (['raw', 'sdk'] as const).flatMap((v) =>
        // From the second point: the first is the empty process's growth ÷ a few sessions, mostly fixed cost.
          (['rss', 'heap'] as const).map((key) => ({ name: `${v === 'raw' ? 'raw ws' : 'SDK'}: ${key === 'rss' ? 'RSS' : 'heap'}`, points: counts.slice(1).map((n, i) => [n, marginal(v, i + 1, key) / 1024] as [number, number]) })),
      ),
    },
    {
      file: 'scale-cpu-total.svg',
      title: 'CPU of each process (one core = 100 %)',
      xLabel: 'concurrent sessions',
      yLabel: '% of one core',
      logX: true,
      series: [
        { name: 'client: raw ws', points: counts.map((n) => [n, find('raw', n).cpuShare * 100] as [number, number]) },
        { name: 'client: SDK', points: counts.map((n) => [n, find('sdk', n).cpuShare * 100] as [number, number]) },
        { name: 'simulator (SDK run)', points: counts.map((n) => [n, serverCpuPct(find('sdk', n))] as [number, number]) },
      ],
    },
  ];
  const notes: string[] = [];
  for (const p of points) {
    if (!keptRealTime(p)) {
      const simBusy = serverCpuPct(p) > 90;
      const other = otherCpuPct(p) > 20 ? ` Other processes took ${fmt(otherCpuPct(p))} % of a core during the window: the machine was not quiet.` : '';
      notes.push(`${p.sessions} sessions, ${p.variant}: real time not kept (worst session received ${fmt(p.receivedRealtime.min)}× real time, lag grew ${fmt(p.lagGrowthMs.max)} ms, appends up to ${fmt(p.sendLateMs.max)} ms late); simulator at ${fmt(serverCpuPct(p))} % of its core, client at ${fmt(p.cpuShare * 100)} % of its core${simBusy ? ': the simulator is the bottleneck' : ''}.${other}`);
    }
  }
  return { tables: [table, ratios], charts, notes, data: points };
}
