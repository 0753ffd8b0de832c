import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesPerSample, decodeSamples, encodeSamples, sampleFormatOf, type SampleFormat } from '../../src/audio/sampleFormat.js';
import { ValidationError } from '../../src/errors.js';

test('integer formats round-trip bytes → float → bytes exactly (8, 16, 24 bit)', () => {
  for (const format of ['u8', 's16', 's24'] as SampleFormat[]) {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
        const bytes = raw.subarray(0, raw.length - (raw.length % bytesPerSample(format)));
        assert.deepEqual(encodeSamples(decodeSamples(bytes, format), format), bytes);
      }),
      { numRuns: 200 },
    );
  }
});

test('full-scale codes map to exactly ±1 and zero to 0 in every integer format', () => {
  const cases: [SampleFormat, number[], number[]][] = [
    ['u8', [0x00, 0x80, 0xff], [-1, 0, 1]],
    ['s16', [0x00, 0x80, 0x00, 0x00, 0xff, 0x7f], [-1, 0, 1]],
    ['s24', [0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0x7f], [-1, 0, 1]],
    ['s32', [0, 0, 0, 0x80, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f], [-1, 0, 1]],
  ];
  for (const [format, bytes, floats] of cases) {
    assert.deepEqual(Array.from(decodeSamples(new Uint8Array(bytes), format)), floats, format);
    assert.deepEqual(Array.from(encodeSamples(new Float32Array(floats), format)), bytes, format);
  }
});

test('24-bit samples are sign-extended', () => {
  assert.equal(decodeSamples(new Uint8Array([0xff, 0xff, 0xff]), 's24')[0], -1 / 8388608);
});

test('32-bit integers keep float32 precision (within 2^-24 of full scale)', () => {
  const x = new Float32Array([0.123456, -0.654321, 0.999, -0.5, 1e-9]);
  const back = decodeSamples(encodeSamples(x, 's32'), 's32');
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(back[i]! - x[i]!) <= 2 ** -24, `${x[i]} → ${back[i]}`);
});

test('float formats are exact in range, clip out of range, and turn NaN into 0', () => {
  const x = new Float32Array([0.1, -0.7, 1, -1, 3, -3, NaN]);
  for (const format of ['f32', 'f64'] as SampleFormat[]) {
    assert.deepEqual(Array.from(decodeSamples(encodeSamples(x, format), format)), [x[0], x[1], 1, -1, 1, -1, 0]);
  }
  // Out-of-range float in a file is clipped when read, too.
  const raw = new Uint8Array(8);
  new DataView(raw.buffer).setFloat32(0, 2.5, true);
  new DataView(raw.buffer).setFloat32(4, NaN, true);
  assert.deepEqual(Array.from(decodeSamples(raw, 'f32')), [1, 0]);
});

test('sampleFormatOf maps bit depths and rejects the rest', () => {
  assert.equal(sampleFormatOf(8), 'u8');
  assert.equal(sampleFormatOf(24), 's24');
  assert.equal(sampleFormatOf(32, true), 'f32');
  assert.equal(sampleFormatOf(64, true), 'f64');
  assert.throws(() => sampleFormatOf(12), ValidationError);
  assert.throws(() => sampleFormatOf(16, true), /Float samples must be 32 or 64 bits, got 16/);
});
