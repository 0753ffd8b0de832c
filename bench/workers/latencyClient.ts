/**
 * Added-latency worker: opens `--sessions` sessions of one client variant to the replay server,
 * each receiving the recorded reply at real time (about 13 events/s: 10 audio deltas and their
 * transcript deltas), and measures for every event the time from the server stamping it, just
 * before writing it to the socket, to the application's handler being called with it (after the
 * audio delta's PCM was decoded, for both variants). Sessions start at random phases within one
 * 100 ms chunk, as independent users would.
 */
import { cpuUsedUs, nowUs, sleep } from '../lib/clock.js';
import { newSession, type BenchSession, type Variant } from '../lib/clients.js';
import { finishWorker, workerArgs } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';

const args = workerArgs();
const url = args.url!;
const count = Number(args.sessions);
const variant = args.variant as Variant;
const warmMs = Number(args['warm-ms']);
const measureMs = Number(args['measure-ms']);

let measuring = false;
let latencies = new Float64Array(1 << 16);
let n = 0;
let events = 0;

function record(us: number): void {
  if (n === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[n++] = us;
}

const sessions: BenchSession[] = [];
const connectStarted = nowUs();
for (let i = 0; i < count; i += 100) {
  const batch = Array.from({ length: Math.min(100, count - i) }, () => newSession(variant));
  await Promise.all(batch.map((s) => s.connect(url)));
  sessions.push(...batch);
}
const connectMs = (nowUs() - connectStarted) / 1000;
for (const session of sessions) {
  session.onAudio(() => {});
  session.onEvent((event) => {
    if (!measuring) return;
    const sent = event.bench_t;
    if (typeof sent === 'number') {
      record(nowUs() - sent);
      events++;
    }
  });
  setTimeout(() => session.send({ type: 'response.create' }), Math.random() * 100);
}
await sleep(warmMs);
const cpu = process.cpuUsage();
measuring = true;
await sleep(measureMs);
measuring = false;
const cpuUs = cpuUsedUs(cpu);
await Promise.all(sessions.map((s) => s.close()));
const stats = summarize(latencies.subarray(0, n));
finishWorker({ variant, sessions: count, connectMs, events, eventsPerSecond: (events * 1000) / measureMs, cpuShare: cpuUs / (measureMs * 1000), latencyUs: stats });
