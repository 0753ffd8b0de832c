/**
 * Memory worker (run with --expose-gc):
 * - `--mode cycles`: `--count` sequential connect → `session.created` → close cycles, the heap
 *   and RSS read after a full GC before the first cycle and after every tenth of them: memory
 *   that grows with the cycle count is a leak;
 * - `--mode idle`: `--count` sessions opened and left idle, then the heap and RSS per session.
 */
import { nowUs, sleep } from '../lib/clock.js';
import { newSession, type BenchSession, type Variant } from '../lib/clients.js';
import { finishWorker, workerArgs } from '../lib/proc.js';

const args = workerArgs();
const url = args.url!;
const count = Number(args.count);
const variant = args.variant as Variant;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memoryClient needs --expose-gc');

/** Heap and RSS after two full collections (the second frees what finalizers of the first released). */
async function settled(): Promise<{ heapUsed: number; rss: number; external: number }> {
  await sleep(50); // let closed sockets' handles go
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

if (args.mode === 'cycles') {
  // A few cycles first, so the code and the ws machinery are loaded before the baseline reading.
  for (let i = 0; i < 20; i++) {
    const s = newSession(variant);
    await s.connect(url);
    await s.close();
  }
  const samples: Array<{ cycles: number; heapUsed: number; rss: number; external: number }> = [{ cycles: 0, ...(await settled()) }];
  const started = nowUs();
  for (let i = 1; i <= count; i++) {
    const s = newSession(variant);
    await s.connect(url);
    await s.close();
    if (i % (count / 10) === 0) samples.push({ cycles: i, ...(await settled()) });
  }
  finishWorker({ variant, mode: 'cycles', count, msPerCycle: (nowUs() - started) / 1000 / count, samples });
} else {
  const warm = newSession(variant);
  await warm.connect(url);
  await warm.close();
  const before = await settled();
  const sessions: BenchSession[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => newSession(variant));
    await Promise.all(batch.map((s) => s.connect(url)));
    sessions.push(...batch);
  }
  const after = await settled();
  finishWorker({
    variant,
    mode: 'idle',
    count,
    heapPerSession: (after.heapUsed - before.heapUsed) / count,
    rssPerSession: (after.rss - before.rss) / count,
    externalPerSession: (after.external - before.external) / count,
    open: sessions.length,
  });
  await Promise.all(sessions.map((s) => s.close()));
}
