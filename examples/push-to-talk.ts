/**
 * Push to talk (Manual mode): audio streams while you talk; pressing Enter commits the turn and
 * asks for the reply. The microphone is `dashscope-realtime/node`'s (sox, ALSA or ffmpeg), or the
 * command in DASHSCOPE_RECORDER.
 *
 *   npx tsx examples/push-to-talk.ts     # speak, press Enter; Ctrl+D to quit
 */
import { createInterface } from 'node:readline';
import { RealtimeClient } from 'dashscope-realtime';
import { Microphone } from 'dashscope-realtime/node';

const mic = new Microphone({ sampleRate: 16000, command: process.env.DASHSCOPE_RECORDER });
const client = new RealtimeClient({ model: 'qwen3.5-omni-plus-realtime' });
await client.connect();
await client.updateSession({ turn_detection: null, modalities: ['text', 'audio'] });
client.on('response.audio_transcript.delta', (e) => process.stdout.write(e.delta));
client.on('response.done', () => process.stdout.write('\n'));

let appended = false;
const recording = (async () => {
  for await (const chunk of mic) {
    if (!client.isConnected) break;
    await client.appendAudio(chunk);
    appended = true;
  }
})();
// A recorder that fails (no device, not installed) ends with one message, not a stack trace.
recording.catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

const lines = createInterface({ input: process.stdin });
for await (const _ of lines) {
  if (!appended) continue;
  client.commitAudio();
  client.createResponse();
  appended = false;
  await client.waitFor('response.done', { timeoutMs: 60_000 });
}
mic.stop();
await client.finish();
