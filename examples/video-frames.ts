/**
 * Audio with video frames: JPEG frames go in with the audio of the turn, at 1 fps as the
 * service recommends (images only after some audio).
 *
 *   npx tsx examples/video-frames.ts samples/question.wav samples/frame.jpg samples/frame.jpg
 */
import { readFile } from 'node:fs/promises';
import { RealtimeSession } from 'dashscope-realtime';
import { checkImage, wavToPcm16Mono } from 'dashscope-realtime/audio';

const [wav = 'samples/question.wav', ...frames] = process.argv.slice(2);
const images = await Promise.all((frames.length ? frames : ['samples/frame.jpg']).map(async (path) => new Uint8Array(await readFile(path))));
for (const image of images) checkImage(image); // JPEG, ≤ 1080p, ≤ 256 KB after base64: a clear error otherwise

const session = new RealtimeSession({ model: 'qwen3.5-omni-plus-realtime', session: { turn_detection: null } });
await session.connect();
const { pcm } = wavToPcm16Mono(new Uint8Array(await readFile(wav)), session.client.inputSampleRate);
const result = await session.ask({ audio: pcm, images }).done;
console.log(result.transcript);
await session.close();
