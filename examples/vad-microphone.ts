/**
 * A live voice conversation with server VAD: the microphone streams continuously, the server
 * decides when the user has finished, and replies play through the speakers. Uses sox
 * (`rec`/`play`); set DASHSCOPE_RECORDER / DASHSCOPE_PLAYER to other commands.
 *
 *   npx tsx examples/vad-microphone.ts          # Ctrl+C to stop
 */
import { spawn } from 'node:child_process';
import { RealtimeSession, type PlaybackAdapter } from 'dashscope-realtime';

const recorder = process.env.DASHSCOPE_RECORDER ?? 'rec -q -t raw -r 16000 -e signed-integer -b 16 -c 1 -';
const playerCommand = process.env.DASHSCOPE_PLAYER ?? 'play -q -t raw -r 24000 -e signed-integer -b 16 -c 1 -';

// A player process; stop() kills it and estimates what was heard from the clock.
let player: ReturnType<typeof spawn> | undefined;
let started = 0;
let written = 0;
const playback: PlaybackAdapter = {
  write(pcm) {
    if (!player) {
      player = spawn(playerCommand, { shell: true, stdio: ['pipe', 'ignore', 'ignore'] });
      player.stdin?.on('error', () => {});
      started = performance.now();
      written = 0;
    }
    written += pcm.length;
    player.stdin?.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  },
  stop() {
    player?.kill();
    player = undefined;
    return Math.min(written, Math.round(((performance.now() - started) / 1000) * 24000));
  },
};

const session = new RealtimeSession({ model: 'qwen3.5-omni-plus-realtime', session: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } }, playback });
session.on('turn', (turn) => void (async () => {
  for await (const delta of turn.transcript) process.stdout.write(delta);
  process.stdout.write('\n');
})());
session.on('interrupted', () => console.log('(interrupted)'));
await session.connect();

const mic = spawn(recorder, { shell: true, stdio: ['ignore', 'pipe', 'inherit'] });
process.once('SIGINT', () => mic.kill());
let carry = Buffer.alloc(0);
for await (const chunk of mic.stdout as AsyncIterable<Buffer>) {
  const data = Buffer.concat([carry, chunk]);
  const even = data.length - (data.length % 2);
  carry = data.subarray(even);
  const samples = new Int16Array(even / 2);
  Buffer.from(samples.buffer).set(data.subarray(0, even));
  if (samples.length) await session.appendAudio(samples); // resolves when the socket has room
}
// The microphone ended (or Ctrl+C): give a last reply a moment, then finish the session.
for (let i = 0; i < 100 && session.busy; i++) await new Promise((r) => setTimeout(r, 100));
await session.close();
player?.stdin?.end();
