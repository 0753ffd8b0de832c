/**
 * A WAV file in, the spoken reply out as a WAV file, with the session layer.
 *
 *   npx tsx examples/wav-in-out.ts samples/question.wav reply.wav
 */
import { readFile, writeFile } from 'node:fs/promises';
import { RealtimeSession } from 'dashscope-realtime';
import { wavToPcm16Mono, writeWav } from 'dashscope-realtime/audio';

const [input = 'samples/question.wav', output = 'reply.wav'] = process.argv.slice(2);
const session = new RealtimeSession({ model: 'qwen3.5-omni-plus-realtime', session: { turn_detection: null } });
await session.connect();

// Any WAV (rate, depth, channels) becomes the 16 kHz mono PCM16 the model takes.
const { pcm } = wavToPcm16Mono(new Uint8Array(await readFile(input)), session.client.inputSampleRate);
const turn = session.ask({ audio: pcm });
for await (const delta of turn.transcript) process.stdout.write(delta);
const result = await turn.done;

await writeFile(output, writeWav(result.audio, { sampleRate: result.sampleRate }));
console.log(`\nwrote ${output}: ${(result.audio.length / result.sampleRate).toFixed(2)} s, first audio after ${Math.round(result.latency.firstAudioMs ?? 0)} ms`);
await session.close();
