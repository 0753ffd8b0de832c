import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { Resampler, resample, type ResamplerQuality } from '../../src/audio/resample.js';
import { readWav } from '../../src/audio/wav.js';
import { ValidationError } from '../../src/errors.js';
import { concat, gainDb, middle, residualAfterToneDb, rms, seeded, sine, snrAgainstSine } from './signals.js';

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

/** `sine` of `seconds` at `from`, resampled to `to`, with the middle half's index range. */
function tone(from: number, to: number, frequency: number, quality?: ResamplerQuality): { y: Float32Array; a: number; b: number } {
  const y = resample(sine(Math.round(from * 0.25), from, frequency, 0.5, 0.3), from, to, quality ? { quality } : undefined);
  const [a, b] = middle(y.length);
  return { y, a, b };
}

test('default passband: flat within 0.1 dB to 0.45 of the output rate, under 3 dB down at 0.475 (downsampling)', () => {
  for (const [from, to] of PAIRS) {
    if (to > from) continue;
    for (const [share, limit] of [[0.45, 0.1], [0.475, 3]] as const) {
      const { y, a, b } = tone(from, to, share * to);
      const g = gainDb(y, 0.5, a, b);
      assert.ok(g <= 0.1 && g >= -limit, `${from}→${to}, tone at ${share} of ${to} Hz: ${g.toFixed(3)} dB`);
    }
  }
});

test('default stopband: tones at and above the output Nyquist frequency are ≥ 100 dB down (downsampling)', () => {
  for (const [from, to] of PAIRS) {
    if (to > from) continue;
    // Exactly at the new Nyquist frequency (its phase chosen so the samples are not all zero),
    // just above it, and far above it.
    for (const f of [to / 2, (to / 2) * 1.01, (to / 2) * 1.1, from * 0.45]) {
      if (f >= from / 2 || f < to / 2) continue;
      const { y, a, b } = tone(from, to, f);
      const g = gainDb(y, 0.5, a, b);
      assert.ok(g <= -100, `${from}→${to}, ${f.toFixed(0)} Hz: ${g.toFixed(1)} dB`);
    }
  }
});

test('default upsampling: tones to 0.475 of the input rate pass, their images are ≥ 100 dB down', () => {
  for (const [from, to] of PAIRS) {
    if (to < from) continue;
    for (const [share, limit] of [[0.3, 0.1], [0.45, 0.1], [0.475, 3]] as const) {
      const { y, a, b } = tone(from, to, share * from);
      const g = gainDb(y, 0.5, a, b);
      assert.ok(g <= 0.1 && g >= -limit, `${from}→${to} at ${share} of ${from} Hz: gain ${g.toFixed(3)} dB`);
      // The image of a tone at f sits at from − f, in the stopband.
      const images = residualAfterToneDb(y, to, share * from, 0.5, a, b);
      assert.ok(images <= -100, `${from}→${to} at ${share} of ${from} Hz: images and noise ${images.toFixed(1)} dB`);
    }
    // A tone exactly at the input's Nyquist frequency (+a, −a, +a, …) has no place in the output.
    const { y, a, b } = tone(from, to, from / 2);
    assert.ok(gainDb(y, 0.5, a, b) <= -100, `${from}→${to}, tone at ${from / 2} Hz: ${gainDb(y, 0.5, a, b).toFixed(1)} dB`);
  }
});

test('the fast profile: 0.85 passband, ≥ 90 dB stopband, fewer taps than the default', () => {
  for (const [from, to] of [[48000, 16000], [44100, 16000], [24000, 16000], [48000, 8000]] as const) {
    assert.ok(new Resampler(from, to, { quality: 'fast' }).latency < 0.6 * new Resampler(from, to).latency);
    const pass = tone(from, to, 0.4 * to, 'fast');
    assert.ok(Math.abs(gainDb(pass.y, 0.5, pass.a, pass.b)) < 0.1);
    for (const f of [to / 2, (to / 2) * 1.01, from * 0.45]) {
      const { y, a, b } = tone(from, to, f, 'fast');
      const g = gainDb(y, 0.5, a, b);
      assert.ok(g <= -90, `fast ${from}→${to}, ${f.toFixed(0)} Hz: ${g.toFixed(1)} dB`);
    }
  }
});

test('speech round trip 16 → 48 → 16 kHz keeps ≥ 38 dB SNR on every speech fixture', () => {
  const dir = new URL('../fixtures/speech/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.wav'));
  assert.ok(files.length >= 5);
  for (const name of files) {
    const wav = readWav(new Uint8Array(readFileSync(new URL(name, dir))));
    // Each fixture at 16 kHz mono first (some are 8, 24 or 48 kHz), then the round trip.
    const mono = wav.channels === 1 ? wav.samples : wav.samples.filter((_, i) => i % wav.channels === 0);
    const x = wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000);
    const back = resample(resample(x, 16000, 48000), 48000, 16000);
    assert.equal(back.length, x.length);
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < x.length; i++) {
      signal += x[i]! ** 2;
      noise += (back[i]! - x[i]!) ** 2;
    }
    const snr = 10 * Math.log10(signal / noise);
    assert.ok(snr >= 38, `${name}: ${snr.toFixed(1)} dB`);
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
  const pairs = [[48000, 16000], [24000, 48000], [44100, 16000], [8000, 11025], [16000, 24000], [44100, 47999], [96000, 16001]] as const;
  fc.assert(
    fc.property(fc.constantFrom(...pairs), fc.constantFrom<ResamplerQuality>('high', 'fast'), fc.array(fc.nat(900), { minLength: 1, maxLength: 30 }), fc.integer(), ([from, to], quality, sizes, seed) => {
      const random = seeded(seed);
      const input = new Float32Array(sizes.reduce((n, s) => n + s, 0)).map(() => random() * 2 - 1);
      const whole = resample(input, from, to, { quality });
      const r = new Resampler(from, to, { quality });
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
  assert.throws(() => new Resampler(16000, 8000, { quality: 'best' as ResamplerQuality }), /quality must be "high" or "fast"/);
});

test('rate pairs whose filter would be unreasonable are refused at once, naming the supported rates', () => {
  // Before issue 18, (8000, 1) designed a filter for 41 s and 2.5 GB, (1000000, 100) for 61 s and 3.1 GB.
  const before = process.memoryUsage().arrayBuffers;
  for (const [from, to, what] of [[8000, 1, /toRate must be an integer rate in Hz from 1000 to 1000000, got 1/], [1000000, 100, /got 100/], [1000, 1000000, /1000 → 1000000 Hz in one step: the ratio is over 64/], [1000000, 8000, /ratio is over 64/]] as const) {
    assert.throws(() => new Resampler(from, to), (e: unknown) => e instanceof ValidationError && what.test(e.message) && /Supported: integer rates from 1000 to 1000000 Hz, the higher at most 64× the lower/.test(e.message));
    assert.throws(() => resample(new Float32Array(10), from, to), ValidationError);
  }
  // A narrow passband that would need a huge table is refused too, before allocating it.
  assert.throws(() => new Resampler(1000000, 15625, { passband: 0.999, attenuationDb: 200 }), /would need \d+ taps/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 << 20);
  // The extremes of the supported range work.
  for (const [from, to] of [[64000, 1000], [1000, 64000], [1000000, 15625], [15625, 999983]] as const) {
    const n = Math.floor(from / 10);
    const y = resample(sine(n, from, 300, 0.5), from, to);
    assert.equal(y.length, Math.ceil((n * to) / from));
  }
});

test('NaN and ±Infinity input become silence, are counted, and warn once per signal', () => {
  for (const [from, to] of [[48000, 16000], [16000, 24000], [16000, 16000]] as const) {
    const warnings: string[] = [];
    const r = new Resampler(from, to, { onWarning: (m) => warnings.push(m) });
    const x = sine(from / 10, from, 440, 0.5);
    const clean = resample(x, from, to);
    const bad = x.slice();
    bad[100] = NaN;
    bad[200] = Infinity;
    bad[300] = -Infinity;
    const parts = [r.process(bad.subarray(0, 150)), r.process(bad.subarray(150))];
    assert.equal(r.nonFiniteSamples, 3);
    parts.push(r.flush());
    const y = concat(parts, (n) => new Float32Array(n));
    assert.equal(y.length, clean.length);
    assert.ok(y.every(Number.isFinite), `${from}→${to}: NaN out`);
    // The rest of the signal is untouched: far from the replaced samples output equals the clean run.
    const far = Math.ceil(((300 + 2000) * to) / from);
    for (let k = far; k < y.length; k++) assert.equal(y[k], clean[k], `${from}→${to} [${k}]`);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0]!, new RegExp(`Resampler ${from} → ${to} Hz: 1 NaN or infinite input sample\\(s\\) replaced by silence`));
    assert.match(warnings[1]!, /3 NaN or infinite input samples in all were replaced by silence/);
    assert.equal(r.nonFiniteSamples, 0, 'the count starts over with the next signal');
  }
  // A warning sink that throws does not break the audio path.
  const r = new Resampler(48000, 16000, { onWarning: () => { throw new Error('sink'); } });
  assert.doesNotThrow(() => r.process(new Float32Array([NaN, 1, 2])));
});

test('a lower attenuation option gives a shorter filter that still meets its target', () => {
  const fast = new Resampler(48000, 16000, { attenuationDb: 60, passband: 0.85 });
  assert.ok(fast.latency < new Resampler(48000, 16000).latency);
  const y = resample(sine(12000, 48000, 8400, 0.5), 48000, 16000, { attenuationDb: 60, passband: 0.85 });
  const [a, b] = middle(y.length);
  assert.ok(20 * Math.log10(rms(y, a, b) / (0.5 / Math.SQRT2)) <= -60);
});
