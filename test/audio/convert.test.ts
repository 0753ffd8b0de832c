import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pcm16MonoConverter, toPcm16Mono, wavToPcm16Mono } from '../../src/audio/convert.js';
import { float32ToInt16, int16ToFloat32 } from '../../src/audio/pcm.js';
import { writeWav } from '../../src/audio/wav.js';
import { ValidationError } from '../../src/errors.js';
import { concat, middle, sine, snrAgainstSine } from './signals.js';

/** Interleaves `channels` copies of `mono`, the k-th scaled by `gains[k]`. */
function interleave(mono: Float32Array, gains: number[]): Float32Array {
  const out = new Float32Array(mono.length * gains.length);
  for (let f = 0; f < mono.length; f++) for (let c = 0; c < gains.length; c++) out[f * gains.length + c] = mono[f]! * gains[c]!;
  return out;
}

test('stereo float at 48 kHz → PCM16 mono at 16 kHz keeps the tone', () => {
  const stereo = interleave(sine(12000, 48000, 1000, 0.5), [1.2, 0.8]); // mean gain 1
  const pcm = toPcm16Mono(stereo, { sampleRate: 48000, channels: 2 }, 16000);
  assert.equal(pcm.length, 4000);
  const [a, b] = middle(pcm.length);
  assert.ok(snrAgainstSine(int16ToFloat32(pcm), 16000, 1000, 0.5, a, b) > 60);
});

test('Int16 mono at the target rate is copied unchanged', () => {
  const pcm = new Int16Array([1, -2, 3]);
  const out = toPcm16Mono(pcm, { sampleRate: 16000 }, 16000);
  assert.deepEqual(out, pcm);
  assert.notEqual(out, pcm);
});

test('Int16 at another rate and channel count is converted', () => {
  const stereo = float32ToInt16(interleave(sine(4410, 44100, 1000, 0.5), [1, 1]));
  const pcm = toPcm16Mono(stereo, { sampleRate: 44100, channels: 2 }, 24000);
  assert.equal(pcm.length, 2400);
  const [a, b] = middle(pcm.length);
  assert.ok(snrAgainstSine(int16ToFloat32(pcm), 24000, 1000, 0.5, a, b) > 60);
});

test('wavToPcm16Mono: a 24-bit stereo 44.1 kHz file → 16 kHz mono, with its source format', () => {
  const file = writeWav(interleave(sine(22050, 44100, 1000, 0.5), [1, 1]), { sampleRate: 44100, channels: 2, bitsPerSample: 24 });
  const result = wavToPcm16Mono(file, 16000);
  assert.equal(result.sourceSampleRate, 44100);
  assert.equal(result.sourceChannels, 2);
  assert.equal(result.durationMs, 500);
  assert.equal(result.pcm.length, 8000);
  const [a, b] = middle(result.pcm.length);
  assert.ok(snrAgainstSine(int16ToFloat32(result.pcm), 16000, 1000, 0.5, a, b) > 60);
});

test('wavToPcm16Mono passes reader errors through', () => {
  assert.throws(() => wavToPcm16Mono(new Uint8Array(10), 16000), ValidationError);
});

test('Pcm16MonoConverter fed in chunks equals the one-shot conversion exactly', () => {
  const stereo = interleave(sine(9600, 48000, 700, 0.4), [1, 0.5]);
  const converter = new Pcm16MonoConverter({ sampleRate: 48000, channels: 2 }, 16000);
  const parts: Int16Array[] = [];
  for (let i = 0; i < stereo.length; i += 2 * 997) parts.push(converter.process(stereo.subarray(i, i + 2 * 997)));
  parts.push(converter.flush());
  assert.deepEqual(concat(parts, (n) => new Int16Array(n)), toPcm16Mono(stereo, { sampleRate: 48000, channels: 2 }, 16000));
});

test('bad channel counts are rejected', () => {
  assert.throws(() => toPcm16Mono(new Float32Array(4), { sampleRate: 16000, channels: 0 }, 16000), ValidationError);
  assert.throws(() => toPcm16Mono(new Float32Array(5), { sampleRate: 16000, channels: 2 }, 8000), /not a whole number of 2-channel frames/);
});
