/**
 * A live voice conversation with server VAD: the microphone streams continuously, the server
 * decides when the user has finished, and replies play through the speakers. The microphone and
 * speaker come from `dashscope-realtime/node` (sox, ALSA or ffmpeg, whichever is installed); set
 * DASHSCOPE_RECORDER / DASHSCOPE_PLAYER to use other commands.
 *
 *   npx tsx examples/vad-microphone.ts          # Ctrl+C to stop
 */
import { RealtimeSession } from 'dashscope-realtime';
import { Microphone, Speaker } from 'dashscope-realtime/node';

// Both throw an AudioDeviceError naming what to install when no recorder or player exists.
const mic = new Microphone({ sampleRate: 16000, command: process.env.DASHSCOPE_RECORDER });
const speaker = new Speaker({
  command: process.env.DASHSCOPE_PLAYER,
  onError: (error) => {
    console.error(error.message); // e.g. "The player `play …` exited with status 1: …"
    mic.stop();
  },
});

// The speaker is the session's playback: on barge-in it stops and says how much was heard.
const session = new RealtimeSession({ model: 'qwen3.5-omni-plus-realtime', session: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } }, playback: speaker });
session.on('turn', (turn) => void (async () => {
  for await (const delta of turn.transcript) process.stdout.write(delta);
  process.stdout.write('\n');
})());
session.on('interrupted', () => console.log('(interrupted)'));
await session.connect();

process.once('SIGINT', () => mic.stop());
try {
  // 100 ms PCM16 chunks; a failing recorder ends the loop with its AudioDeviceError.
  for await (const chunk of mic) await session.appendAudio(chunk); // resolves when the socket has room
  // The microphone ended (or Ctrl+C): give a last reply a moment to play, then finish the session.
  for (let i = 0; i < 100 && session.busy; i++) await new Promise((r) => setTimeout(r, 100));
  await speaker.finish();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  speaker.close();
  await session.close();
}
