import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downmixToMono, float32ToInt16, int16ToFloat32, pcm16FromBase64, pcm16FromBytes, pcm16ToBytes } from '../../src/audio/pcm.js';
import { ValidationError } from '../../src/errors.js';

test('int16 → float → int16 is exact for all 65,536 values, and full scale maps to ±1', () => {
  const all = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i - 32768;
  const float = int16ToFloat32(all);
  assert.equal(float[0], -1);
  assert.equal(float[65535], 1);
  assert.equal(float[32768], 0);
  for (const x of float) assert.ok(x >= -1 && x <= 1);
  assert.deepEqual(float32ToInt16(float), all);
});

test('float → int16 clips, rounds to nearest, and maps NaN to silence', () => {
  const input = new Float32Array([0, 1, -1, 1.5, -2, Infinity, -Infinity, NaN, 0.5, -0.5, 1e-6, -1e-6, 0.99999]);
  assert.deepEqual(Array.from(float32ToInt16(input)), [0, 32767, -32768, 32767, -32768, 32767, -32768, 0, 16384, -16384, 0, 0, 32767]);
});

test('pcm16FromBytes reads little-endian, from any byte offset, into an independent array', () => {
  const bytes = new Uint8Array([0xaa, 0x01, 0x02, 0xff, 0x7f, 0x00, 0x80]);
  const pcm = pcm16FromBytes(bytes.subarray(1, 7)); // odd offset: not aligned for Int16Array
  assert.deepEqual(Array.from(pcm), [0x0201, 0x7fff, -32768]);
  bytes[1] = 0;
  assert.equal(pcm[0], 0x0201);
});

test('pcm16FromBytes rejects an odd byte count', () => {
  assert.throws(() => pcm16FromBytes(new Uint8Array(3)), (e: unknown) => e instanceof ValidationError && /even number of bytes, got 3/.test(e.message));
});

test('pcm16FromBase64 decodes a delta into independent samples and rejects bad base64 and odd byte counts', () => {
  const pcm = new Int16Array([0, 1, -1, 32767, -32768, 12345]);
  const b64 = Buffer.from(pcm.buffer).toString('base64');
  const a = pcm16FromBase64(b64);
  const b = pcm16FromBase64(b64);
  assert.deepEqual(Array.from(a), Array.from(pcm));
  a[0] = 99;
  assert.equal(b[0], 0, 'each call has its own samples');
  assert.notEqual(a.buffer, b.buffer);
  assert.throws(() => pcm16FromBase64(Buffer.from([1, 2, 3]).toString('base64')), (e: unknown) => e instanceof ValidationError && /even number of bytes/.test(e.message));
  assert.throws(() => pcm16FromBase64('AAA*AAAA'), (e: unknown) => e instanceof ValidationError && /character "\*" at position 3/.test(e.message));
});

test('pcm16ToBytes writes little-endian copies', () => {
  const pcm = new Int16Array([1, -2, 0x1234]);
  const bytes = pcm16ToBytes(pcm.subarray(1));
  assert.deepEqual(Array.from(bytes), [0xfe, 0xff, 0x34, 0x12]);
  pcm[1] = 0;
  assert.equal(bytes[0], 0xfe);
  assert.deepEqual(pcm16FromBytes(pcm16ToBytes(pcm)), pcm);
});

test('downmixToMono averages each frame and never leaves [-1, 1]', () => {
  assert.deepEqual(Array.from(downmixToMono(new Float32Array([1, 1, 0.5, -0.5, -1, -1]), 2)), [1, 0, -1]);
  assert.deepEqual(Array.from(downmixToMono(new Float32Array([0.25, 0.5, 0.75, 1]), 4)), [0.625]);
  const mono = new Float32Array([0.1, 0.2]);
  const copy = downmixToMono(mono, 1);
  assert.deepEqual(copy, mono);
  assert.notEqual(copy, mono);
});

test('downmixToMono rejects partial frames and bad channel counts', () => {
  assert.throws(() => downmixToMono(new Float32Array(5), 2), /5 samples is not a whole number of 2-channel frames/);
  assert.throws(() => downmixToMono(new Float32Array(4), 0), ValidationError);
  assert.throws(() => downmixToMono(new Float32Array(4), 1.5), ValidationError);
});
