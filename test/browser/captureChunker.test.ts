/**
 * The microphone's conversion outside a browser: device-rate float blocks of any size → PCM16
 * chunks of exactly `chunkMs` at the session's rate, the same samples however the input is cut,
 * with the tail delivered by flush().
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toPcm16Mono } from '../../src/audio/convert.js';
import { CaptureChunker } from '../../src/browser/captureChunker.js';

function sine(rate: number, seconds: number, hz = 440): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

for (const rate of [48000, 44100, 16000]) {
  test(`${rate} Hz blocks of uneven sizes → 100 ms chunks of 1600 samples at 16 kHz, equal to converting at once`, () => {
    const signal = sine(rate, 1.05);
    const chunker = new CaptureChunker(rate, 16000, 100);
    const chunks: Int16Array[] = [];
    for (let i = 0, size = 128; i < signal.length; i += size, size = size === 128 ? 941 : 128) chunks.push(...chunker.push(signal.subarray(i, i + size)));
    assert.ok(chunks.length >= 9);
    for (const chunk of chunks) assert.equal(chunk.length, 1600);
    const tail = chunker.flush();
    assert.ok(tail.length >= 1 && tail.length <= 2);
    assert.ok(tail.at(-1)!.length <= 1600);
    const all = concat([...chunks, ...tail]);
    assert.deepEqual(all, toPcm16Mono(signal, { sampleRate: rate }, 16000));
    assert.equal(all.length, Math.ceil((signal.length * 16000) / rate));
  });
}

test('other chunk lengths and rates: 20 ms at 24 kHz is 480 samples', () => {
  const chunker = new CaptureChunker(48000, 24000, 20);
  const chunks = chunker.push(sine(48000, 0.5));
  assert.ok(chunks.length >= 20);
  for (const chunk of chunks) assert.equal(chunk.length, 480);
});

test('bad parameters are typed errors', () => {
  assert.throws(() => new CaptureChunker(48000, 16000, 0.01), { name: 'ValidationError' });
  assert.throws(() => new CaptureChunker(0, 16000, 100), { name: 'ValidationError' });
});
