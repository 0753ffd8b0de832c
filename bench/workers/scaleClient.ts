/**
 * Scale worker: `--sessions` concurrent sessions of one client variant against the simulator (a
 * separate process), each in Manual mode streaming 16 kHz audio in at real time (a 3,200-byte
 * append every 100 ms on its own timer, at a random phase) while it receives one long spoken reply
 * (24 kHz audio deltas every 100 ms, with transcript deltas) at real time.
 *
 * Over a window after a warm-up it measures this process's CPU, its memory against the empty
 * process, and for every session whether it kept real time both ways:
 * - in: how late each append went out against its schedule (timer lag plus backpressure);
 * - out: received audio against wall time, and the lag of each delta against the first delta's
 *   arrival plus 100 ms per delta, averaged over the first and the last two seconds of the
 *   window: a lag that grows means audio piles up somewhere (client or simulator).
 * It tells the parent when the window opens and closes (`window` messages), so the parent can
 * read the simulator's own CPU over the same window.
 */
import { cpuUsedUs, nowUs, sleep } from '../lib/clock.js';
import { inputChunk, newSession, type BenchSession, type Variant } from '../lib/clients.js';
import { finishWorker, toParent, workerArgs } from '../lib/proc.js';
import { machineBusyUs } from '../lib/machineLoad.js';
import { percentile, sorted } from '../lib/stats.js';

const args = workerArgs();
const url = args.url!;
const count = Number(args.sessions);
const variant = args.variant as Variant;
const warmMs = Number(args['warm-ms']);
const measureMs = Number(args['measure-ms']);
const EDGE_MS = Math.min(2000, measureMs / 4);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const chunk = inputChunk();
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.POSITIVE_INFINITY;
let stopping = false;

/** Per-session bookkeeping, O(1) per event. */
class Tracker {
  firstAudioUs = -1;
  deltas = 0;
  audioSamplesInWindow = 0;
  lagStart = { sum: 0, n: 0 };
  lagEnd = { sum: 0, n: 0 };
  maxSendLateMs = 0;
  sendLateEnd = { sum: 0, n: 0 };
  maxBuffered = 0;
  errors = 0;

  onAudio(pcm: Int16Array): void {
    const now = nowUs();
    if (this.firstAudioUs < 0) this.firstAudioUs = now;
    const lagMs = (now - this.firstAudioUs) / 1000 - this.deltas * 100;
    this.deltas++;
    if (now < windowStart || now > windowEnd) return;
    this.audioSamplesInWindow += pcm.length;
    if (now < windowStart + EDGE_MS * 1000) add(this.lagStart, lagMs);
    if (now > windowEnd - EDGE_MS * 1000) add(this.lagEnd, lagMs);
  }
}

function add(acc: { sum: number; n: number }, value: number): void {
  acc.sum += value;
  acc.n++;
}

function mean(acc: { sum: number; n: number }): number {
  return acc.n === 0 ? Number.NaN : acc.sum / acc.n;
}

/** Appends one chunk every 100 ms on an absolute schedule until the run stops. */
async function sendLoop(session: BenchSession, tracker: Tracker, phaseMs: number): Promise<void> {
  const start = performance.now() + phaseMs;
  for (let i = 0; !stopping; i++) {
    const due = start + i * 100;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (stopping) return;
    const lateMs = performance.now() - due;
    const now = nowUs();
    if (now >= windowStart && now <= windowEnd) {
      tracker.maxSendLateMs = Math.max(tracker.maxSendLateMs, lateMs);
      if (now > windowEnd - EDGE_MS * 1000) add(tracker.sendLateEnd, lateMs);
      tracker.maxBuffered = Math.max(tracker.maxBuffered, session.bufferedAmount);
    }
    await session.appendAudio(chunk);
  }
}

gc();
const before = process.memoryUsage();
const sessions: BenchSession[] = [];
const trackers: Tracker[] = [];
const connectStarted = nowUs();
for (let i = 0; i < count; i += 50) {
  const batch = Array.from({ length: Math.min(50, count - i) }, () => newSession(variant));
  await Promise.all(batch.map(async (s) => {
    await s.connect(url);
    await s.manualMode();
  }));
  sessions.push(...batch);
}
const connectMs = (nowUs() - connectStarted) / 1000;

const loops: Promise<void>[] = [];
sessions.forEach((session, index) => {
  const tracker = new Tracker();
  trackers[index] = tracker;
  session.onAudio((pcm) => tracker.onAudio(pcm));
  session.onEvent((event) => {
    if (event.type === 'error') tracker.errors++;
  });
  // One second of audio, committed, and a reply asked for; then audio in at real time.
  for (let k = 0; k < 10; k++) void session.appendAudio(chunk);
  session.send({ type: 'input_audio_buffer.commit' });
  session.send({ type: 'response.create' });
  loops.push(sendLoop(session, tracker, Math.random() * 100));
});

await sleep(warmMs);
toParent({ type: 'window', edge: 'start' });
const cpu = process.cpuUsage();
const busyStart = machineBusyUs();
windowStart = nowUs();
windowEnd = windowStart + measureMs * 1000;
await sleep(measureMs);
const cpuUs = cpuUsedUs(cpu);
const machineUs = machineBusyUs() - busyStart;
toParent({ type: 'window', edge: 'end' });
gc();
const after = process.memoryUsage();
stopping = true;
await Promise.all(loops);
await Promise.all(sessions.map((s) => s.close()));

const realtime = sorted(trackers.map((t) => (t.audioSamplesInWindow / 24_000) / (measureMs / 1000)));
const lagGrowth = sorted(trackers.map((t) => mean(t.lagEnd) - mean(t.lagStart)));
const sendLate = sorted(trackers.map((t) => t.maxSendLateMs));
const sendLateEnd = sorted(trackers.map((t) => mean(t.sendLateEnd)));
finishWorker({
  variant,
  sessions: count,
  connectMs,
  cpuShare: cpuUs / (measureMs * 1000),
  // Busy CPU of the whole machine over the window, as a share of one core (the parent
  // subtracts this process and the server to get what other processes took).
  machineShare: machineUs / (measureMs * 1000),
  cpuPerSessionPct: (100 * cpuUs) / (measureMs * 1000) / count,
  rssPerSession: (after.rss - before.rss) / count,
  heapPerSession: (after.heapUsed - before.heapUsed) / count,
  rss: after.rss,
  // Audio received ÷ wall time, per session: 1.0 is real time.
  receivedRealtime: { min: realtime[0], p50: percentile(realtime, 50) },
  // ms by which the output lag grew over the window, per session.
  lagGrowthMs: { p50: percentile(lagGrowth, 50), max: lagGrowth[lagGrowth.length - 1] },
  // ms by which appends went out late, per session.
  sendLateMs: { maxP50: percentile(sendLate, 50), max: sendLate[sendLate.length - 1], endMeanMax: sendLateEnd[sendLateEnd.length - 1] },
  maxBuffered: Math.max(...trackers.map((t) => t.maxBuffered)),
  errors: trackers.reduce((s, t) => s + t.errors, 0),
});
