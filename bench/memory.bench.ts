/**
 * Benchmark 5, memory: heap and RSS after 10,000 connect/close cycles against the simulator (its
 * own process), sampled every 1,000 cycles, and heap and RSS per idle session with 1,000 open.
 * Raw client and SDK, each in a fresh process against a fresh simulator.
 */
import { waitForQuiet } from './lib/machineLoad.js';
import type { Variant } from './lib/clients.js';
import { runWorker, startChild } from './lib/proc.js';
import type { Bench, BenchContext, BenchResult, Chart, Table } from './lib/report.js';
import type { ServerStats } from './lib/serverStats.js';
import { fmt, kib, mib, ratio } from './lib/stats.js';

interface Cycles {
  variant: Variant;
  count: number;
  msPerCycle: number;
  samples: Array<{ cycles: number; heapUsed: number; rss: number; external: number }>;
}

interface Idle {
  variant: Variant;
  count: number;
  heapPerSession: number;
  rssPerSession: number;
  externalPerSession: number;
  simulatorRssPerSession?: number;
}

/** Runs `mode` for `variant` against a fresh simulator; for idle sessions also reads the simulator's RSS. */
async function withSimulator<T>(mode: 'cycles' | 'idle', variant: Variant, count: number, log: (message: string) => void): Promise<T & { server?: { before: ServerStats; after: ServerStats } }> {
  const sim = startChild('server', 'servers/simServer.ts', ['--speed', '0', '--reply-seconds', '1']);
  try {
    const { url } = await sim.next<{ url: string }>('ready');
    const before = (await sim.request<{ stats: ServerStats }>({ type: 'stats' })).stats;
    await waitForQuiet(log);
    const result = await runWorker<T>('workers/memoryClient.ts', ['--url', url, '--mode', mode, '--variant', variant, '--count', String(count)], ['--expose-gc']);
    const after = (await sim.request<{ stats: ServerStats }>({ type: 'stats' })).stats;
    return { ...result, server: { before, after } };
  } finally {
    await sim.stop();
  }
}

export const memoryBench: Bench = {
  name: 'memory',
  title: 'Memory',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const cycleCount = ctx.quick ? 1000 : 10_000;
    const idleCount = ctx.quick ? 200 : 1000;
    const cycles: Cycles[] = [];
    const idle: Idle[] = [];
    for (const variant of ['raw', 'sdk'] as const) {
      ctx.log(`memory: ${cycleCount} connect/close cycles, ${variant}…`);
      const c = await withSimulator<Cycles>('cycles', variant, cycleCount, ctx.log);
      const first = c.samples[0]!;
      const last = c.samples[c.samples.length - 1]!;
      ctx.log(`  heap ${mib(first.heapUsed)} → ${mib(last.heapUsed)}, RSS ${mib(first.rss)} → ${mib(last.rss)}, ${fmt(c.msPerCycle)} ms per cycle`);
      cycles.push(c);
    }
    for (const variant of ['raw', 'sdk'] as const) {
      ctx.log(`memory: ${idleCount} idle sessions, ${variant}…`);
      const i = await withSimulator<Idle>('idle', variant, idleCount, ctx.log);
      if (i.server) i.simulatorRssPerSession = (i.server.after.rss - i.server.before.rss) / idleCount;
      delete i.server;
      ctx.log(`  heap ${kib(i.heapPerSession)} and RSS ${kib(i.rssPerSession)} per idle session`);
      idle.push(i);
    }
    const [rawC, sdkC] = cycles as [Cycles, Cycles];
    const growth = (c: Cycles, key: 'heapUsed' | 'rss'): number => c.samples[c.samples.length - 1]![key] - c.samples[0]![key];
    const cycleTable: Table = {
      title: `Memory after ${cycleCount.toLocaleString('en-US')} sequential connect → session.created → close cycles (after a full GC; start after 20 warm-up cycles)`,
      columns: ['client', 'heap at start', 'heap after', 'heap growth', 'RSS at start', 'RSS after', 'RSS growth', 'ms per cycle'],
      rows: cycles.map((c) => {
        const first = c.samples[0]!;
        const last = c.samples[c.samples.length - 1]!;
        return [c.variant === 'raw' ? 'raw ws (baseline)' : 'RealtimeClient', mib(first.heapUsed), mib(last.heapUsed), kib(growth(c, 'heapUsed')), mib(first.rss), mib(last.rss), mib(growth(c, 'rss')), fmt(c.msPerCycle)];
      }),
      note: `SDK ÷ baseline: heap growth ${ratio(growth(sdkC, 'heapUsed'), growth(rawC, 'heapUsed'))}, RSS growth ${ratio(growth(sdkC, 'rss'), growth(rawC, 'rss'))}, time per cycle ${ratio(sdkC.msPerCycle, rawC.msPerCycle)}. Growth within a few hundred KiB over 10,000 cycles is heap noise, not a leak (a leak of one 1 KiB object per cycle would show as ~10 MiB).`,
    };
    const [rawI, sdkI] = idle as [Idle, Idle];
    const idleTable: Table = {
      title: `Memory per idle session, ${idleCount} open (after a full GC)`,
      columns: ['client', 'heap / session', 'RSS / session', 'external / session', 'heap ÷ baseline', 'RSS ÷ baseline', 'simulator RSS / session'],
      rows: idle.map((i) => [i.variant === 'raw' ? 'raw ws (baseline)' : 'RealtimeClient', kib(i.heapPerSession), kib(i.rssPerSession), kib(i.externalPerSession), ratio(i.heapPerSession, rawI.heapPerSession), ratio(i.rssPerSession, rawI.rssPerSession), kib(i.simulatorRssPerSession ?? Number.NaN)]),
    };
    void sdkI;
    const chart: Chart = {
      file: 'memory-cycles.svg',
      title: `Heap during ${cycleCount.toLocaleString('en-US')} connect/close cycles`,
      xLabel: 'cycles',
      yLabel: 'heap used after GC (MiB)',
      series: cycles.map((c) => ({ name: c.variant === 'raw' ? 'raw ws' : 'RealtimeClient', points: c.samples.map((s) => [s.cycles, s.heapUsed / 1048576] as [number, number]) })),
    };
    return { tables: [cycleTable, idleTable], charts: [chart], notes: [], data: { cycles, idle } };
  },
};
