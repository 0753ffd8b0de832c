import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizeSpeech, speechDurationMs } from '../../src/simulator/synthesizer.js';
import { SpeechDetector, type SpeechBoundary } from '../../src/simulator/speechDetector.js';
import { MODELS } from '../../src/protocol/index.js';

const RATES = [8000, 16000, 24000, 48000];
const TEXTS = [
  'Hello world',
  'I heard 2.4 seconds of audio and saw 1 image (640×480). You said: what is the weather?',
  '今天天气怎么样？',
  'Mixed 中文 and English, with punctuation; commas: and stops!',
  'a',
  '',
];

const dbfs = (x: number): number => 20 * Math.log10(x);

function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (pcm[i] ?? 0) ** 2;
  return Math.sqrt(s / Math.max(1, to - from)) / 32768;
}

function peak(pcm: Int16Array): number {
  let p = 0;
  for (const v of pcm) p = Math.max(p, Math.abs(v));
  return p / 32768;
}

/** Fundamental frequency by autocorrelation over 60–400 Hz lags. */
function pitchHz(pcm: Int16Array, sampleRate: number, from: number, len: number): number {
  let best = 0;
  let bestLag = 0;
  for (let lag = Math.floor(sampleRate / 400); lag <= Math.ceil(sampleRate / 60); lag++) {
    let c = 0;
    for (let i = from; i < from + len; i++) c += (pcm[i] ?? 0) * (pcm[i + lag] ?? 0);
    if (c > best) { best = c; bestLag = lag; }
  }
  return sampleRate / bestLag;
}

function detect(pcm: Int16Array, sampleRate: number, padBeforeMs: number): SpeechBoundary[] {
  const d = new SpeechDetector({ sampleRate });
  return [
    ...d.push(new Int16Array((sampleRate * padBeforeMs) / 1000)),
    ...d.push(pcm),
    ...d.push(new Int16Array(sampleRate * 1.2)),
  ];
}

test('speechDurationMs follows the documented pacing', () => {
  assert.equal(speechDurationMs('abcdefghij'), 650); // 65 ms per Latin letter
  assert.equal(speechDurationMs('Hello world'), 10 * 65 + 60); // + one space pause
  assert.equal(speechDurationMs('你好世界'), 4 * 200); // 200 ms per CJK character
  assert.equal(speechDurationMs('你好，世界！'), 4 * 200 + 150 + 250);
  assert.equal(speechDurationMs('Yes. No, maybe'), 3 * 65 + 250 + 2 * 65 + 150 + 5 * 65); // stop/comma pauses replace the space
  assert.equal(speechDurationMs('1234'), 4 * 150);
  assert.equal(speechDurationMs("don't stop"), 4 * 65 + 60 + 4 * 65); // apostrophes take no time
  // Minimum 300 ms, also for texts with nothing to say.
  for (const t of ['', 'a', 'Hi', '...', '?']) assert.equal(speechDurationMs(t), 300, JSON.stringify(t));
  const long = 'word '.repeat(100);
  assert.equal(speechDurationMs(long), 100 * (4 * 65 + 60));
});

test('output length matches speechDurationMs within 1 % at every output rate', () => {
  for (const sampleRate of RATES) {
    for (const text of TEXTS) {
      const pcm = synthesizeSpeech(text, sampleRate);
      const ms = (pcm.length * 1000) / sampleRate;
      const want = speechDurationMs(text);
      assert.ok(Math.abs(ms - want) <= want * 0.01, `${sampleRate} ${JSON.stringify(text)}: ${ms} vs ${want}`);
    }
  }
});

test('level: peak at about −6 dBFS, RMS far above silence, never a silent stretch inside a word', () => {
  for (const sampleRate of RATES) {
    for (const text of TEXTS) {
      const pcm = synthesizeSpeech(text, sampleRate);
      assert.ok(Math.abs(dbfs(peak(pcm)) + 6) < 0.2, `peak ${dbfs(peak(pcm)).toFixed(2)} dBFS`);
      assert.ok(dbfs(rms(pcm)) > -30, `rms ${dbfs(rms(pcm)).toFixed(1)} dBFS for ${JSON.stringify(text)}`);
    }
    // A 1.3 s word: every 50 ms window carries sound.
    const word = synthesizeSpeech('abracadabrasimsalabim', sampleRate);
    const win = sampleRate / 20;
    for (let i = 0; i + win <= word.length - win; i += win) assert.ok(dbfs(rms(word, i, i + win)) > -45, `window at ${i}`);
  }
});

test('no clicks at the edges: the first and last samples are (near) zero and ramp smoothly', () => {
  for (const sampleRate of RATES) {
    for (const text of TEXTS) {
      const pcm = synthesizeSpeech(text, sampleRate);
      assert.ok(Math.abs(pcm[0] ?? 1) <= 1 && Math.abs(pcm[pcm.length - 1] ?? 1) <= 1, `edges of ${JSON.stringify(text)}`);
      const edge = Math.round(sampleRate * 0.002);
      const maxStep = (from: number, to: number): number => {
        let m = 0;
        for (let i = from + 1; i < to; i++) m = Math.max(m, Math.abs((pcm[i] ?? 0) - (pcm[i - 1] ?? 0)));
        return m;
      };
      assert.ok(maxStep(0, edge) < 0.05 * 32768 && maxStep(pcm.length - edge, pcm.length) < 0.05 * 32768);
    }
  }
});

test('pitch depends on the voice and stays within 100–250 Hz', () => {
  const sampleRate = 16000;
  const text = 'aaaa aaaa';
  const voices = new Set<string>(['Tina', 'Ethan', 'Cherry', 'Chelsie', 'Serena']);
  for (const m of Object.values(MODELS)) for (const v of m.voices ?? []) voices.add(v);
  const pitches = new Map<string, number>();
  for (const voice of voices) {
    const pcm = synthesizeSpeech(text, sampleRate, { voice });
    // Middle of the first syllable: the envelope is flat there.
    const f0 = pitchHz(pcm, sampleRate, Math.round(sampleRate * 0.1), Math.round(sampleRate * 0.06));
    assert.ok(f0 >= 95 && f0 <= 275, `${voice}: ${f0.toFixed(0)} Hz`);
    pitches.set(voice, f0);
  }
  assert.ok((pitches.get('Tina') ?? 0) > (pitches.get('Ethan') ?? 0) * 1.5, 'a female default voice is higher than Ethan');
  assert.ok(new Set([...pitches.values()].map((p) => Math.round(p / 10))).size >= 8, 'voices differ');
  assert.notDeepEqual(synthesizeSpeech('Hello', sampleRate, { voice: 'Tina' }), synthesizeSpeech('Hello', sampleRate, { voice: 'Ethan' }));
});

/** Energy in [lo, hi] Hz of a 64 ms window in the middle of `pcm` (direct DFT, 10 Hz steps). */
function band(pcm: Int16Array, sampleRate: number, lo: number, hi: number): number {
  const len = Math.round(sampleRate * 0.064);
  const from = Math.floor((pcm.length - len) / 2);
  let e = 0;
  for (let f = lo; f <= hi; f += 10) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < len; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / len);
      const x = (pcm[from + i] ?? 0) * w;
      re += x * Math.cos((2 * Math.PI * f * i) / sampleRate);
      im -= x * Math.sin((2 * Math.PI * f * i) / sampleRate);
    }
    e += re * re + im * im;
  }
  return e;
}

test('formants follow the vowel: "ee" has a high second formant, "oo" a low one', () => {
  const sampleRate = 16000;
  const ee = synthesizeSpeech('iii', sampleRate);
  const oo = synthesizeSpeech('ooo', sampleRate);
  // F2 of i ≈ 2290 Hz, of o ≈ 840 Hz.
  const highLow = (pcm: Int16Array): number => band(pcm, sampleRate, 2000, 2600) / band(pcm, sampleRate, 700, 1000);
  assert.ok(highLow(ee) > 10 * highLow(oo), `ee ${highLow(ee).toExponential(2)} oo ${highLow(oo).toExponential(2)}`);
});

test('deterministic: the same text, rate and voice give identical samples', () => {
  for (const text of TEXTS) assert.deepEqual(synthesizeSpeech(text, 24000, { voice: 'Cherry' }), synthesizeSpeech(text, 24000, { voice: 'Cherry' }));
  assert.notDeepEqual(synthesizeSpeech('Hello there', 24000), synthesizeSpeech('Hello where', 24000));
});

test('the speech detector hears it as one turn with accurate boundaries, at every rate', () => {
  const text = 'Hello, I am the simulated model and this is what I sound like';
  for (const sampleRate of RATES) {
    const pcm = synthesizeSpeech(text, sampleRate, { voice: 'Ethan' });
    const b = detect(pcm, sampleRate, 500);
    assert.equal(b.length, 2, `${sampleRate}: ${JSON.stringify(b)}`);
    const [start, stop] = b;
    assert.ok(start?.type === 'start' && Math.abs(start.audioStartMs - 500) <= 60, JSON.stringify(b));
    assert.ok(stop?.type === 'stop' && Math.abs(stop.audioEndMs - (500 + speechDurationMs(text))) <= 120, JSON.stringify(b));
  }
  // Even the shortest reply and CJK text are heard.
  for (const t of ['a', '好的。']) assert.equal(detect(synthesizeSpeech(t, 24000), 24000, 300).length, 2, t);
});

test('rejects an invalid sample rate', () => {
  assert.throws(() => synthesizeSpeech('hi', 0), RangeError);
  assert.throws(() => synthesizeSpeech('hi', Number.NaN), RangeError);
});
