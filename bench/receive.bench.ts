/**
 * Benchmark 1, receive path: a realistic reply stream (recorded once from the simulator: 204
 * frames, ~1 MB, 15.2 s of 24 kHz audio, lib/replyStream.ts) replayed from a local `ws` server
 * in its own process as fast as the socket takes it. Events per second and MB/s of JSON through
 * each client, every event delivered to a handler and every audio delta decoded to an
 * Int16Array, plus this client's CPU time per event. Variants alternate round by round; the
 * figure of each is the median round, and its CPU is also divided by the baseline's of the same
 * round (the median of those ratios is the steadiest figure on a shared machine).
 */
import { waitForQuiet } from './lib/machineLoad.js';
import type { ReceiveVariant as Variant } from './lib/clients.js';
import { runWorker, startChild } from './lib/proc.js';
import type { Bench, BenchContext, BenchResult } from './lib/report.js';
import { fmt, median, ratio } from './lib/stats.js';
import type { ReceiveRun as Run } from './lib/runs.js';


const LABELS: Record<Variant, string> = {
  raw: 'raw ws + JSON.parse + Buffer base64 (baseline)',
  sdk: 'RealtimeClient + audio kit decode (pcm16FromBase64)',
  'sdk-buffer': 'RealtimeClient + Buffer base64 decode',
  openai: 'openai-node OpenAIRealtimeWS + Buffer base64 decode',
};

export const receiveBench: Bench = {
  name: 'receive',
  title: 'Receive path',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const repeats = ctx.quick ? 30 : 150;
    const rounds = ctx.quick ? 3 : 15;
    const variants: Variant[] = ['raw', 'sdk', 'sdk-buffer', 'openai'];
    const server = startChild('server', 'servers/replayServer.ts');
    try {
      const ready = await server.next<{ url: string; reply: { frames: number; bytes: number; durationMs: number; audioDeltas: number } }>('ready');
      ctx.log(`receive: ${rounds} rounds × ${variants.length} clients, each ${repeats} replies (${fmt((repeats * ready.reply.bytes) / 1e6)} MB, ${repeats * ready.reply.frames} events)…`);
      await waitForQuiet(ctx.log);
      const runs = await runWorker<Run[]>('workers/receiveClient.ts', ['--url', ready.url, '--repeats', String(repeats), '--rounds', String(rounds), '--variants', variants.join(',')]);
      // Each round ran every client once, back to back: a client's CPU ÷ the baseline's in the same
      // round cancels the machine's drift between rounds (another tenant, the CPU clock).
      const perEvent = (r: Run) => r.cpuUs / r.events;
      const roundsOf = Array.from({ length: runs.length / variants.length }, (_, i) => runs.slice(i * variants.length, (i + 1) * variants.length));
      const figures = variants.map((variant) => {
        const mine = runs.filter((r) => r.variant === variant);
        const paired = roundsOf.map((round) => perEvent(round.find((r) => r.variant === variant)!) / perEvent(round.find((r) => r.variant === 'raw')!));
        return {
          variant,
          eventsPerSecond: median(mine.map((r) => (r.events * 1e6) / r.wallUs)),
          mbPerSecond: median(mine.map((r) => r.bytes / r.wallUs)),
          cpuUsPerEvent: median(mine.map(perEvent)),
          pairedCpuRatio: median(paired),
          pairedCpuRange: [Math.min(...paired), Math.max(...paired)] as const,
          rounds: mine.length,
        };
      });
      const base = figures[0]!;
      const table = {
        title: `Receive path: ${repeats} recorded replies per round (${repeats * ready.reply.frames} events, ${fmt((repeats * ready.reply.bytes) / 1e6)} MB of JSON, ${repeats * ready.reply.audioDeltas} audio deltas), median of ${rounds} rounds`,
        columns: ['client', 'events/s', 'MB/s', 'CPU µs / event', 'throughput ÷ baseline', 'CPU ÷ baseline', 'CPU ÷ baseline, same round: median (range)'],
        rows: figures.map((f) => [
          LABELS[f.variant],
          fmt(f.eventsPerSecond),
          fmt(f.mbPerSecond),
          fmt(f.cpuUsPerEvent),
          ratio(f.eventsPerSecond, base.eventsPerSecond),
          ratio(f.cpuUsPerEvent, base.cpuUsPerEvent),
          `${f.pairedCpuRatio.toFixed(2)}× (${f.pairedCpuRange[0].toFixed(2)}–${f.pairedCpuRange[1].toFixed(2)})`,
        ]),
        note: 'Throughput ÷ baseline: below 1.00× the client is slower. CPU ÷ baseline: above 1.00× it costs more; the last column divides by the baseline of the same round, then takes the median over rounds.',
      };
      for (const row of table.rows) ctx.log(`  ${row.join('  ')}`);
      return { tables: [table], charts: [], notes: [], data: { reply: ready.reply, repeats, rounds, figures, runs } };
    } finally {
      await server.stop();
    }
  },
};
