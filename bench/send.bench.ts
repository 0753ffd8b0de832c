/**
 * Benchmark 2, send path: `appendAudio` of 100 ms chunks of 16 kHz PCM16 (3,200 bytes) against
 * base64 + `JSON.stringify` + `ws.send` by hand, to a server in its own process that only counts
 * bytes. MB/s of PCM (the clock stops when the server has every byte) and CPU per chunk.
 */
import { waitForQuiet } from './lib/machineLoad.js';
import type { Variant } from './lib/clients.js';
import { runWorker, startChild } from './lib/proc.js';
import type { Bench, BenchContext, BenchResult } from './lib/report.js';
import { fmt, median, ratio } from './lib/stats.js';
import type { SendRun as Run } from './lib/runs.js';


export const sendBench: Bench = {
  name: 'send',
  title: 'Send path',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const chunks = ctx.quick ? 5000 : 30_000;
    const rounds = ctx.quick ? 3 : 9;
    const server = startChild('server', 'servers/replayServer.ts');
    try {
      const ready = await server.next<{ url: string }>('ready');
      ctx.log(`send: ${rounds} rounds × 2 clients, each ${chunks} appends of 3,200 bytes (${fmt((chunks * 3200) / 1e6)} MB of PCM)…`);
      await waitForQuiet(ctx.log);
      const runs = await runWorker<Run[]>('workers/sendClient.ts', ['--url', ready.url, '--chunks', String(chunks), '--rounds', String(rounds), '--variants', 'raw,sdk']);
      const figures = (['raw', 'sdk'] as const).map((variant) => {
        const mine = runs.filter((r) => r.variant === variant);
        return {
          variant,
          pcmMBps: median(mine.map((r) => r.pcmBytes / r.wallUs)),
          chunksPerSecond: median(mine.map((r) => (r.chunks * 1e6) / r.wallUs)),
          cpuUsPerChunk: median(mine.map((r) => r.cpuUs / r.chunks)),
          wireBytesPerChunk: mine[0]!.wireBytes / mine[0]!.chunks,
        };
      });
      const [raw, sdk] = figures as [(typeof figures)[0], (typeof figures)[0]];
      const label = { raw: 'base64 + JSON.stringify + ws.send (baseline)', sdk: 'RealtimeClient.appendAudio(Int16Array)' };
      const table = {
        title: `Send path: ${chunks} appends of 100 ms at 16 kHz per round, median of ${rounds} rounds`,
        columns: ['sender', 'MB/s of PCM', 'appends/s', '× real time (one session)', 'CPU µs / append', 'bytes on the wire / append', 'throughput ÷ baseline', 'CPU ÷ baseline'],
        rows: figures.map((f) => [label[f.variant], fmt(f.pcmMBps), fmt(f.chunksPerSecond), fmt(f.chunksPerSecond / 10), fmt(f.cpuUsPerChunk), fmt(f.wireBytesPerChunk), ratio(f.pcmMBps, raw.pcmMBps), ratio(f.cpuUsPerChunk, raw.cpuUsPerChunk)]),
        note: 'The SDK adds an `event_id` (`event_` + 32 hex, as the official SDKs do): 52 more bytes per append than the minimal event.',
      };
      for (const row of table.rows) ctx.log(`  ${row.join('  ')}`);
      void sdk;
      return { tables: [table], charts: [], notes: [], data: { chunks, rounds, figures, runs } };
    } finally {
      await server.stop();
    }
  },
};
