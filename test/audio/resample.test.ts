import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Resampler, resample } from '../../src/audio/resample.js';
import { ValidationError } from '../../src/errors.js';
import { concat, middle, rms, seeded, sine, snrAgainstSine } from './signals.js';

const RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000];
const PAIRS = RATES.flatMap((from) => RATES.filter((to) => to !== from).map((to) => [from, to] as const));

test('a 1 kHz sine keeps its frequency and amplitude through every rate pair (SNR > 60 dB)', () => {
  assert.equal(PAIRS.length, 56);
  const amplitude = 0.5;
  for (const [from, to] of PAIRS) {
    const n = Math.round(from * 0.25);
    const y = resample(sine(n, from, 1000, amplitude), from, to);
    assert.equal(y.length, Math.ceil((n * to) / from), `${from}→${to} length`);
    const [a, b] = middle(y.length);
    const snr = snrAgainstSine(y, to, 1000, amplitude, a, b);
    assert.ok(snr > 60, `${from}→${to}: SNR ${snr.toFixed(1)} dB`);
    const gainDb = 20 * Math.log10(rms(y, a, b) / (amplitude / Math.SQRT2));
    assert.ok(Math.abs(gainDb) < 0.01, `${from}→${to}: gain ${gainDb.toFixed(4)} dB`);
  }
});

test('a tone above the target Nyquist frequency is attenuated by at least 60 dB', () => {
  for (const [from, to] of PAIRS) {
    if (to > from) continue;
    // Just above the new Nyquist frequency (the hardest case) and far above it.
    for (const f of [(to / 2) * 1.04, from * 0.45]) {
      if (f <= to / 2 || f >= from / 2) continue;
      const y = resample(sine(Math.round(from * 0.25), from, f, 0.5), from, to);
      const [a, b] = middle(y.length);
      const attenuationDb = 20 * Math.log10(rms(y, a, b) / (0.5 / Math.SQRT2));
      assert.ok(attenuationDb <= -60, `${from}→${to}, ${f.toFixed(0)} Hz: ${attenuationDb.toFixed(1)} dB`);
    }
  }
});

test('upsampling adds no images: a tone near the top of the passband stays clean', () => {
  for (const [from, to] of PAIRS) {
    if (to < from) continue;
    const f = 0.8 * (from / 2); // inside the 0.85 passband; its first image would sit just above from/2
    const y = resample(sine(Math.round(from * 0.25), from, f, 0.5), from, to);
    const [a, b] = middle(y.length);
    const snr = snrAgainstSine(y, to, f, 0.5, a, b);
    assert.ok(snr > 60, `${from}→${to} at ${f} Hz: SNR ${snr.toFixed(1)} dB`);
  }
});

test('other rates work too, including ratios too fine for an exact phase table', () => {
  for (const [from, to] of [[44100, 47999], [7999, 16000], [16000, 44099], [96000, 16000], [12000, 8000], [16000, 16001]] as const) {
    const n = Math.round(from * 0.2);
    const y = resample(sine(n, from, 1000, 0.5), from, to);
    assert.equal(y.length, Math.ceil((n * to) / from));
    const [a, b] = middle(y.length);
    const snr = snrAgainstSine(y, to, 1000, 0.5, a, b);
    assert.ok(snr > 60, `${from}→${to}: SNR ${snr.toFixed(1)} dB`);
  }
});

test('chunked and whole-signal resampling agree sample for sample, for random chunk sizes', () => {
  const pairs = [[48000, 16000], [24000, 48000], [44100, 16000], [8000, 11025], [16000, 24000], [44100, 47999]] as const;
  fc.assert(
    fc.property(fc.constantFrom(...pairs), fc.array(fc.nat(900), { minLength: 1, maxLength: 30 }), fc.integer(), ([from, to], sizes, seed) => {
      const random = seeded(seed);
      const input = new Float32Array(sizes.reduce((n, s) => n + s, 0)).map(() => random() * 2 - 1);
      const whole = resample(input, from, to);
      const r = new Resampler(from, to);
      const parts: Float32Array[] = [];
      let at = 0;
      for (const size of sizes) {
        parts.push(r.process(input.subarray(at, at + size)));
        at += size;
      }
      parts.push(r.flush());
      const chunked = concat(parts, (n) => new Float32Array(n));
      assert.equal(chunked.length, whole.length);
      assert.deepEqual(chunked, whole);
    }),
    { numRuns: 60 },
  );
});

test('a flushed resampler starts over and gives the same output again', () => {
  const x = sine(5000, 44100, 440);
  const r = new Resampler(44100, 16000);
  const first = concat([r.process(x), r.flush()], (n) => new Float32Array(n));
  const second = concat([r.process(x), r.flush()], (n) => new Float32Array(n));
  assert.deepEqual(second, first);
  assert.deepEqual(first, resample(x, 44100, 16000));
});

test('equal rates are an identity (a copy)', () => {
  const x = sine(100, 16000, 1000);
  const r = new Resampler(16000, 16000);
  const y = r.process(x);
  assert.deepEqual(y, x);
  assert.notEqual(y, x);
  assert.equal(r.flush().length, 0);
  assert.equal(r.latency, 0);
});

test('DC passes at unit gain and silence stays silent', () => {
  for (const [from, to] of [[48000, 16000], [16000, 48000], [44100, 24000]] as const) {
    const y = resample(new Float32Array(from / 10).fill(0.5), from, to);
    const [a, b] = middle(y.length);
    for (let k = a; k < b; k++) assert.ok(Math.abs(y[k]! - 0.5) < 1e-6, `${from}→${to} [${k}] = ${y[k]}`);
    assert.ok(resample(new Float32Array(1000), from, to).every((v) => v === 0));
  }
});

test('latency is a few milliseconds and short inputs still give ceil(n·to/from) samples', () => {
  for (const [from, to] of PAIRS) {
    const r = new Resampler(from, to);
    assert.ok((r.latency / from) * 1000 < 15, `${from}→${to}: ${r.latency} samples`);
    for (const n of [0, 1, 2, 7]) assert.equal(resample(new Float32Array(n).fill(0.1), from, to).length, Math.ceil((n * to) / from));
  }
});

test('invalid rates and options are rejected', () => {
  assert.throws(() => new Resampler(0, 16000), ValidationError);
  assert.throws(() => new Resampler(44100.5, 16000), /fromRate must be an integer/);
  assert.throws(() => new Resampler(16000, NaN), ValidationError);
  assert.throws(() => new Resampler(16000, 8000, { passband: 1 }), /passband/);
  assert.throws(() => new Resampler(16000, 8000, { attenuationDb: 5 }), /attenuationDb/);
});

test('a lower attenuation option gives a shorter filter that still meets its target', () => {
  const fast = new Resampler(48000, 16000, { attenuationDb: 60 });
  assert.ok(fast.latency < new Resampler(48000, 16000).latency);
  const y = resample(sine(12000, 48000, 8400, 0.5), 48000, 16000, { attenuationDb: 60 });
  const [a, b] = middle(y.length);
  assert.ok(20 * Math.log10(rms(y, a, b) / (0.5 / Math.SQRT2)) <= -60);
});
