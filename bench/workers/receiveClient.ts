/**
 * Receive-path worker: connects to the replay server, asks it to flood the recorded reply
 * `--repeats` times, and measures how fast each client variant takes the events in — every event
 * delivered to a handler, every audio delta decoded to an Int16Array. Variants alternate round by
 * round so that both see the same machine state. Reports wall time and this process's CPU time.
 */
import { cpuUsedUs, nowUs } from '../lib/clock.js';
import { newSession, type ReceiveVariant as Variant } from '../lib/clients.js';
import { finishWorker, workerArgs } from '../lib/proc.js';
import { interleavedRounds } from '../lib/rounds.js';
import type { ReceiveRun as Run } from '../lib/runs.js';

const args = workerArgs();
const url = args.url!;
const repeats = Number(args.repeats);
const rounds = Number(args.rounds);
const variants = args.variants!.split(',') as Variant[];


async function once(variant: Variant): Promise<Run> {
  const session = newSession(variant);
  await session.connect(url);
  let events = 0;
  let samples = 0;
  let bytes = 0;
  let started = 0;
  let cpu = process.cpuUsage();
  const done = new Promise<Run>((resolve) => {
    session.onAudio((pcm) => {
      samples += pcm.length;
    });
    session.onEvent((event) => {
      events++;
      if (event.type === 'bench.end') {
        bytes = event.bytes as number;
        resolve({ variant, events: events - 1, samples, bytes, wallUs: nowUs() - started, cpuUs: cpuUsedUs(cpu) });
      }
    });
  });
  cpu = process.cpuUsage();
  started = nowUs();
  session.send({ type: 'bench.flood', repeats });
  const run = await done;
  await session.close();
  return run;
}

finishWorker(await interleavedRounds(variants, rounds, once));
