/**
 * The long soak (`npm run soak`, not part of `npm test`): issue 7's resource checks at full size.
 *
 * 1. `--cycles N` (default 10000) connect/close cycles of a RealtimeClient against the embedded
 *    simulator, with the heap (after a forced GC) and the active handles compared before/after.
 * 2. `--minutes N` (default 30) of a RealtimeSession streaming 16 kHz speech in real time with
 *    server VAD against the simulator at real-time pace: speech, then silence until the reply has
 *    been heard, over and over, as a microphone would. Memory is sampled each minute.
 *
 * The client and the simulator share this process, so the figures are the whole system's. It
 * exits non-zero when a turn failed, an error or an unhandled rejection was seen, the heap grew
 * past a bound, or a handle was left behind. `--json FILE` also writes the figures as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readWav } from '../../src/audio/wav.js';
import { float32ToInt16 } from '../../src/audio/pcm.js';
import { RealtimeClient, RealtimeSession, type Turn } from '../../src/index.js';
import { startSimulator } from '../../src/simulator/index.js';

interface Args {
  minutes: number;
  cycles: number;
  json: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { minutes: 30, cycles: 10_000, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[i + 1];
    if (name === '--minutes' || name === '--cycles') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${name} takes a number ≥ 0, got ${String(value)}`);
      if (name === '--minutes') args.minutes = n;
      else args.cycles = Math.floor(n);
      i++;
    } else if (name === '--json' && value) {
      args.json = value;
      i++;
    } else {
      throw new Error(`unknown argument ${String(name)}; use --minutes N, --cycles N, --json FILE`);
    }
  }
  return args;
}

// Exposes gc() without a node flag (the npm script cannot pass one): heap figures are only
// comparable after a full collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const rejections: unknown[] = [];
process.on('unhandledRejection', (reason) => rejections.push(reason));
process.on('uncaughtException', (error) => rejections.push(error));

/** Active resources by type, without the one stdout/stderr write streams and timers of this script. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function handleTotal(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([type]) => type !== 'TTYWrap' && type !== 'PipeWrap' && type !== 'FSReqCallback')
    .reduce((n, [, c]) => n + c, 0);
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().heapUsed;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cyclePhase(cycles: number) {
  const sim = await startSimulator({ speed: 0 });
  const base = { url: sim.url, apiKey: 'sk-soak', logger: { warn: () => {} } };
  // Warm up: the first connects load ws and JIT the paths; they must not count as growth.
  for (let i = 0; i < 50; i++) {
    const c = new RealtimeClient(base);
    await c.connect();
    await c.close();
  }
  const heapBefore = await settledHeap();
  const handlesBefore = handles();
  const started = performance.now();
  for (let i = 0; i < cycles; i++) {
    const c = new RealtimeClient(base);
    await c.connect();
    await c.close();
  }
  const ms = performance.now() - started;
  // The server side of the last sockets finishes closing a moment after the client's close.
  for (let i = 0; i < 100 && sim.connections.length > 0; i++) await sleep(10);
  const heapAfter = await settledHeap();
  const handlesAfter = handles();
  await sim.close();
  return { cycles, ms: Math.round(ms), perCycleMs: +(ms / Math.max(1, cycles)).toFixed(2), heapBeforeMB: +(heapBefore / MB).toFixed(2), heapAfterMB: +(heapAfter / MB).toFixed(2), handlesBefore, handlesAfter, liveServerConnections: sim.connections.length };
}

interface Sample {
  minute: number;
  heapMB: number;
  rssMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  handles: number;
  turns: number;
}

async function streamPhase(minutes: number) {
  const wav = readWav(new Uint8Array(readFileSync(new URL('../fixtures/speech/weather.wav', import.meta.url))));
  const speech = float32ToInt16(wav.samples);
  const chunk = 1600; // 100 ms at 16 kHz
  const sim = await startSimulator({ speed: 1 });
  const session = new RealtimeSession({
    url: sim.url,
    apiKey: 'sk-soak',
    logger: { warn: () => {} },
    session: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } },
  });
  const turns: Turn[] = [];
  const results = { completed: 0, interrupted: 0, rejected: 0, failed: 0 };
  const firstAudio: number[] = [];
  const errors: string[] = [];
  let reconnects = 0;
  let pendingTurn: Promise<unknown> | undefined;
  session.on('turn', (turn) => {
    turns.push(turn);
    pendingTurn = turn.done.then((r) => {
      results[r.status]++;
      if (r.latency.firstAudioMs !== undefined) firstAudio.push(r.latency.firstAudioMs);
      if (r.status === 'failed') errors.push(`turn failed: ${r.error?.message ?? ''}`);
    });
    // Only the last few are kept, as an application that forgets old turns would.
    if (turns.length > 4) turns.shift();
  });
  session.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  session.on('reconnected', () => reconnects++);
  await session.connect();

  const samples: Sample[] = [];
  const total = () => results.completed + results.interrupted + results.failed;
  const sample = async (minute: number) => {
    const heap = await settledHeap();
    const m = process.memoryUsage();
    const s: Sample = { minute, heapMB: +(heap / MB).toFixed(2), rssMB: +(m.rss / MB).toFixed(1), externalMB: +(m.external / MB).toFixed(2), arrayBuffersMB: +(m.arrayBuffers / MB).toFixed(2), handles: handleTotal(handles()), turns: total() };
    samples.push(s);
    console.log(JSON.stringify({ sample: s }));
  };
  await sample(0);

  const start = performance.now();
  const end = start + minutes * 60_000;
  let sent = 0; // chunks sent: the real-time clock is start + sent × 100 ms, so pacing never drifts
  let nextSample = 1;
  const send = async (pcm: Int16Array) => {
    const due = start + sent * 100;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await session.appendAudio(pcm);
    sent++;
    if (performance.now() >= start + nextSample * 60_000) await sample(nextSample++);
  };
  const silence = new Int16Array(chunk);
  while (performance.now() < end) {
    const before = total();
    for (let i = 0; i < speech.length && performance.now() < end; i += chunk) await send(speech.subarray(i, i + chunk));
    // Silence until the reply has been answered in full (bounded: 30 s), then one more second.
    for (let i = 0; i < 300 && total() === before && performance.now() < end; i++) await send(silence);
    for (let i = 0; i < 10 && performance.now() < end; i++) await send(silence);
  }
  await pendingTurn;
  if (samples.at(-1)!.minute < minutes) await sample(+((performance.now() - start) / 60_000).toFixed(2));
  const metrics = session.metrics;
  await session.close();
  await sim.close();
  firstAudio.sort((a, b) => a - b);
  const pct = (p: number) => (firstAudio.length ? Math.round(firstAudio[Math.min(firstAudio.length - 1, Math.floor(p * firstAudio.length))]!) : undefined);
  return {
    minutes,
    audioSentSeconds: sent / 10,
    turns: total(),
    ...results,
    reconnects,
    errors,
    firstAudioMs: { p50: pct(0.5), p95: pct(0.95), max: firstAudio.at(-1) === undefined ? undefined : Math.round(firstAudio.at(-1)!) },
    replyAudioSeconds: +(metrics.estimated?.outputAudioSeconds ?? 0).toFixed(1),
    outputAudioTokens: metrics.totals.outputAudioTokens,
    samples,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  console.log(JSON.stringify({ soak: args, node: process.version }));
  const handlesAtStart = handleTotal(handles());
  const cycles = args.cycles > 0 ? await cyclePhase(args.cycles) : undefined;
  if (cycles) console.log(JSON.stringify({ cycles }));
  const stream = args.minutes > 0 ? await streamPhase(args.minutes) : undefined;
  await sleep(200);
  const handlesAtEnd = handleTotal(handles());
  const problems: string[] = [];
  if (rejections.length) problems.push(`${rejections.length} unhandled rejections/exceptions: ${rejections.map(String).join('; ').slice(0, 500)}`);
  if (cycles && cycles.heapAfterMB - cycles.heapBeforeMB > 8) problems.push(`heap grew ${(cycles.heapAfterMB - cycles.heapBeforeMB).toFixed(2)} MB over ${cycles.cycles} cycles`);
  if (cycles && handleTotal(cycles.handlesAfter) > handleTotal(cycles.handlesBefore)) problems.push(`handles left after the cycles: ${JSON.stringify(cycles.handlesAfter)}`);
  if (stream) {
    if (stream.failed > 0 || stream.errors.length > 0) problems.push(`${stream.failed} failed turns, errors: ${stream.errors.slice(0, 5).join('; ')}`);
    if (stream.turns === 0) problems.push('no reply came back');
    // Growth between the first full minute and the end, so that warm-up does not count.
    const first = stream.samples.find((s) => s.minute >= 1) ?? stream.samples[0]!;
    const last = stream.samples.at(-1)!;
    if (last.heapMB - first.heapMB > 16) problems.push(`heap grew ${(last.heapMB - first.heapMB).toFixed(2)} MB while streaming`);
  }
  if (handlesAtEnd > handlesAtStart) problems.push(`handles left at the end: ${JSON.stringify(handles())}`);
  const report = { cycles, stream, handlesAtStart, handlesAtEnd, unhandled: rejections.length, problems, ok: problems.length === 0 };
  console.log(JSON.stringify({ result: report }, null, 2));
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
