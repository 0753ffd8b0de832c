import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as audio from '../../src/audio/index.js';

test('the entry point exports the documented API', () => {
  const functions = [
    'encodeBase64', 'decodeBase64', 'int16ToFloat32', 'float32ToInt16', 'pcm16FromBase64',
    'pcm16FromBytes', 'pcm16ToBytes', 'downmixToMono',
    'decodeSamples', 'encodeSamples', 'bytesPerSample', 'sampleFormatOf', 'resample', 'readWav', 'writeWav', 'toPcm16Mono',
    'wavToPcm16Mono', 'chunkPcm16', 'pace', 'samplesPerChunk', 'fromNodeStream', 'fromWebStream', 'detectImage', 'checkImage',
    'sniffImageFormat', 'sampleFrames', 'estimateAudioTokens', 'estimateImageTokens', 'estimateVideoTokens',
  ];
  const classes = ['Resampler', 'WavStreamWriter', 'Pcm16MonoConverter', 'PcmRechunker', 'FrameSampler', 'UsageEstimator'];
  for (const name of [...functions, ...classes]) assert.equal(typeof (audio as Record<string, unknown>)[name], 'function', name);
  assert.equal(audio.MAX_IMAGE_BASE64_BYTES, 262_144);
  assert.equal(typeof audio.systemClock.now, 'function');
  assert.deepEqual(Object.keys(audio).sort(), [...functions, ...classes, 'MAX_IMAGE_BASE64_BYTES', 'systemClock'].sort());
});

test('works without Buffer (as in browsers and Deno): base64, WAV, resampling, images', async () => {
  const entry = new URL('../../src/audio/index.ts', import.meta.url).href;
  const script = `
    delete globalThis.Buffer;
    const a = await import(${JSON.stringify(entry)});
    if (typeof Buffer !== 'undefined') throw new Error('Buffer still present');
    const bytes = new Uint8Array(1000).map((_, i) => i * 7);
    const b64 = a.encodeBase64(bytes);
    if (a.decodeBase64(b64).join() !== bytes.join()) throw new Error('base64 round trip');
    let failed = false; try { a.decodeBase64('!!!!'); } catch { failed = true; }
    if (!failed) throw new Error('invalid base64 accepted');
    const pcm = a.toPcm16Mono(new Float32Array(4800).fill(0.25), { sampleRate: 48000 }, 16000);
    const wav = a.readWav(a.writeWav(pcm, { sampleRate: 16000 }));
    if (wav.frames !== 1600) throw new Error('frames ' + wav.frames);
    console.log(JSON.stringify({ b64: b64.slice(0, 8), frames: wav.frames, middle: pcm[800] }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), { b64: 'AAcOFRwj', frames: 1600, middle: 8192 });
});
