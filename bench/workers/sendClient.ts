/**
 * Send-path worker: appends `--chunks` chunks of 100 ms of 16 kHz PCM16 (3,200 bytes) as fast as
 * each client variant allows (waiting only when the outbound buffer is above 1 MiB), then asks
 * the server how much it received; the clock stops when the server confirms every byte, so
 * nothing still queued counts as sent. Variants alternate round by round.
 */
import { cpuUsedUs, nowUs } from '../lib/clock.js';
import { inputChunk, newSession, type Variant } from '../lib/clients.js';
import { finishWorker, workerArgs } from '../lib/proc.js';
import { interleavedRounds } from '../lib/rounds.js';
import type { SendRun as Run } from '../lib/runs.js';

const args = workerArgs();
const url = args.url!;
const chunks = Number(args.chunks);
const rounds = Number(args.rounds);
const variants = args.variants!.split(',') as Variant[];
const chunk = inputChunk();


async function once(variant: Variant): Promise<Run> {
  const session = newSession(variant);
  await session.connect(url);
  session.send({ type: 'bench.sink' });
  let confirm: (event: { bytes: number; messages: number }) => void = () => {};
  session.onEvent((event) => {
    if (event.type === 'bench.count') confirm(event as unknown as { bytes: number; messages: number });
  });
  const cpu = process.cpuUsage();
  const started = nowUs();
  for (let i = 0; i < chunks; i++) await session.appendAudio(chunk);
  const counted = await new Promise<{ bytes: number; messages: number }>((resolve) => {
    confirm = resolve;
    session.send({ type: 'bench.count' });
  });
  const wallUs = nowUs() - started;
  const cpuUs = cpuUsedUs(cpu);
  if (counted.messages !== chunks) throw new Error(`${variant}: the server counted ${counted.messages} appends, expected ${chunks}`);
  await session.close();
  return { variant, chunks, pcmBytes: chunks * chunk.byteLength, wireBytes: counted.bytes, wallUs, cpuUs };
}

finishWorker(await interleavedRounds(variants, rounds, once));
