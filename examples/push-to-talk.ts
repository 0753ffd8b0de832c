/**
 * Push to talk (Manual mode): audio streams while you talk; pressing Enter commits the turn and
 * asks for the reply. The "microphone" here is `rec` (sox) or DASHSCOPE_RECORDER.
 *
 *   npx tsx examples/push-to-talk.ts     # speak, press Enter; Ctrl+D to quit
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RealtimeClient } from 'dashscope-realtime';

const recorder = process.env.DASHSCOPE_RECORDER ?? 'rec -q -t raw -r 16000 -e signed-integer -b 16 -c 1 -';
const client = new RealtimeClient({ model: 'qwen3.5-omni-plus-realtime' });
await client.connect();
await client.updateSession({ turn_detection: null, modalities: ['text', 'audio'] });
client.on('response.audio_transcript.delta', (e) => process.stdout.write(e.delta));
client.on('response.done', () => process.stdout.write('\n'));

const mic = spawn(recorder, { shell: true, stdio: ['ignore', 'pipe', 'inherit'] });
let appended = false;
let carry = Buffer.alloc(0);
mic.stdout.on('data', (chunk: Buffer) => {
  const data = Buffer.concat([carry, chunk]);
  const even = data.length - (data.length % 2);
  carry = data.subarray(even);
  if (even > 0 && client.isConnected) {
    void client.appendAudio(new Uint8Array(data.subarray(0, even)));
    appended = true;
  }
});

const lines = createInterface({ input: process.stdin });
for await (const _ of lines) {
  if (!appended) continue;
  client.commitAudio();
  client.createResponse();
  appended = false;
  await client.waitFor('response.done', { timeoutMs: 60_000 });
}
mic.kill();
await client.finish();
