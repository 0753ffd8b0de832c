import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readWav } from '../../src/audio/wav.js';
import { float32ToInt16 } from '../../src/audio/pcm.js';
import { SpeechDetector, thresholdToDbfs, type SpeechBoundary, type SpeechDetectorOptions } from '../../src/simulator/speechDetector.js';

// Real speech (espeak-ng) fixtures; see test/fixtures/speech/README.md for how they were made.
const DIR = new URL('../fixtures/speech/', import.meta.url);
interface Segment { onsetMs: number; offsetMs: number }
interface Fixture { file: string; sampleRate: number; segments: Segment[]; gapMs?: number }
const FIXTURES = (JSON.parse(readFileSync(new URL('fixtures.json', DIR), 'utf8')) as { fixtures: Fixture[] }).fixtures;

function fixture(file: string): { pcm: Int16Array; sampleRate: number; truth: Fixture } {
  const truth = FIXTURES.find((f) => f.file === file);
  assert.ok(truth, `fixture ${file} listed in fixtures.json`);
  const wav = readWav(new Uint8Array(readFileSync(new URL(file, DIR))));
  assert.equal(wav.channels, 1);
  return { pcm: float32ToInt16(wav.samples), sampleRate: wav.sampleRate, truth };
}

/** Runs the detector over `pcm` (in `chunk`-sample pushes) followed by 1 s of digital silence. */
function detect(pcm: Int16Array, options: SpeechDetectorOptions, chunk = pcm.length): SpeechBoundary[] {
  const d = new SpeechDetector(options);
  const out: SpeechBoundary[] = [];
  for (let i = 0; i < pcm.length; i += chunk) out.push(...d.push(pcm.subarray(i, i + chunk)));
  out.push(...d.push(new Int16Array(options.sampleRate)));
  return out;
}

function turns(boundaries: SpeechBoundary[]): Array<{ start: number; end: number }> {
  const res: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < boundaries.length; i += 2) {
    const s = boundaries[i];
    const e = boundaries[i + 1];
    assert.ok(s?.type === 'start' && e?.type === 'stop', `start/stop alternate: ${JSON.stringify(boundaries)}`);
    res.push({ start: s.audioStartMs, end: e.audioEndMs });
  }
  return res;
}

function assertAccurate(got: { start: number; end: number }, truth: Segment, label: string): void {
  assert.ok(Math.abs(got.start - truth.onsetMs) <= 60, `${label}: onset ${got.start} vs ${truth.onsetMs}`);
  assert.ok(Math.abs(got.end - truth.offsetMs) <= 120, `${label}: offset ${got.end} vs ${truth.offsetMs}`);
}

/** Deterministic noise (xorshift32), optionally low-passed into pink-ish noise, at `rmsDbfs`. */
function noise(samples: number, rmsDbfs: number, seed = 7, smooth = 0): Int16Array {
  let s = seed;
  const raw = new Float64Array(samples);
  let lp = 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const w = (s >>> 0) / 4294967296 - 0.5;
    lp = smooth * lp + (1 - smooth) * w;
    raw[i] = lp;
    sum += lp * lp;
  }
  const gain = (10 ** (rmsDbfs / 20) / Math.sqrt(sum / samples)) * 32768;
  return Int16Array.from(raw, (v) => Math.round(v * gain));
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function tone(ms: number, sampleRate: number, hz: number, peakDbfs: number): Int16Array {
  const a = 10 ** (peakDbfs / 20) * 32767;
  return Int16Array.from({ length: Math.round((ms * sampleRate) / 1000) }, (_, i) => Math.round(a * Math.sin((2 * Math.PI * hz * i) / sampleRate)));
}

const silence = (ms: number, sampleRate = 16000): Int16Array => new Int16Array(Math.round((ms * sampleRate) / 1000));

test('threshold maps linearly to dBFS: -55 + 25 × threshold, clamped to [-1, 1]', () => {
  assert.equal(thresholdToDbfs(0.5), -42.5);
  assert.equal(thresholdToDbfs(0.2), -50);
  assert.equal(thresholdToDbfs(-1), -80);
  assert.equal(thresholdToDbfs(1), -30);
  assert.equal(thresholdToDbfs(7), -30);
  assert.equal(thresholdToDbfs(-7), -80);
  assert.equal(new SpeechDetector({ sampleRate: 16000 }).thresholdDbfs, -42.5);
  assert.throws(() => new SpeechDetector({ sampleRate: 0 }), RangeError);
});

test('fixtures.json matches the committed WAV files', () => {
  assert.ok(FIXTURES.length >= 10);
  for (const f of FIXTURES) {
    const wav = readWav(new Uint8Array(readFileSync(new URL(f.file, DIR))));
    assert.equal(wav.sampleRate, f.sampleRate, f.file);
    assert.equal(wav.bitsPerSample, 16, f.file);
    const lastOffset = f.segments[f.segments.length - 1]?.offsetMs ?? Infinity;
    assert.ok(lastOffset + 900 <= (wav.frames * 1000) / wav.sampleRate, `${f.file}: ≥ 0.9 s of trailing silence`);
  }
});

test('onset within ±60 ms and offset within ±120 ms on every normal-level fixture (default settings)', () => {
  for (const f of FIXTURES) {
    if (f.file === 'quiet.wav' || f.file === 'gap-04s.wav') continue;
    const { pcm, sampleRate, truth } = fixture(f.file);
    const got = turns(detect(pcm, { sampleRate }));
    assert.equal(got.length, truth.segments.length, `${f.file}: ${JSON.stringify(got)}`);
    got.forEach((g, i) => assertAccurate(g, truth.segments[i] as Segment, `${f.file}#${i}`));
  }
});

test('stop is returned by the push that completes silenceDurationMs of silence, not before', () => {
  const { pcm, sampleRate, truth } = fixture('weather.wav');
  for (const silenceDurationMs of [300, 800, 1200]) {
    const d = new SpeechDetector({ sampleRate, silenceDurationMs });
    let stopAt = -1;
    let end = -1;
    let started = false;
    for (let i = 0; i < pcm.length && stopAt < 0; i += 160) {
      for (const b of d.push(pcm.subarray(i, i + 160))) {
        if (b.type === 'start') {
          started = true;
          // Detection latency: 80 ms of active frames, never more than the documented 290 ms.
          assert.ok(d.positionMs - b.audioStartMs >= 80 && d.positionMs - b.audioStartMs <= 290, `latency ${d.positionMs - b.audioStartMs}`);
        }
        if (b.type === 'stop') { stopAt = d.positionMs; end = b.audioEndMs; }
      }
      if (stopAt < 0) assert.equal(d.speaking, started);
    }
    assert.ok(stopAt > 0, `stop with silence ${silenceDurationMs}`);
    assert.ok(stopAt >= end + silenceDurationMs, `stop at ${stopAt} ≥ ${end} + ${silenceDurationMs}`);
    assert.ok(stopAt <= end + silenceDurationMs + 20, `stop at ${stopAt} is prompt`);
    assert.equal(d.speaking, false);
    assert.ok(Math.abs(end - truth.segments[0]!.offsetMs) <= 120);
  }
});

test('two phrases: a 0.4 s gap stays one turn at 800 ms silence, a 1.2 s gap makes two', () => {
  const short = fixture('gap-04s.wav');
  const one = turns(detect(short.pcm, { sampleRate: 16000, silenceDurationMs: 800 }));
  assert.equal(one.length, 1, JSON.stringify(one));
  assertAccurate(one[0]!, { onsetMs: short.truth.segments[0]!.onsetMs, offsetMs: short.truth.segments[1]!.offsetMs }, 'gap 0.4');
  // The same audio splits when the configured silence is shorter than the gap (§3.1.3).
  assert.equal(turns(detect(short.pcm, { sampleRate: 16000, silenceDurationMs: 300 })).length, 2);
  const long = fixture('gap-12s.wav');
  const two = turns(detect(long.pcm, { sampleRate: 16000, silenceDurationMs: 800 }));
  assert.equal(two.length, 2, JSON.stringify(two));
  two.forEach((g, i) => assertAccurate(g, long.truth.segments[i]!, `gap 1.2 #${i}`));
});

test('threshold controls sensitivity: the −30 dBFS fixture is found at −0.5, not at 0.9', () => {
  const { pcm, sampleRate, truth } = fixture('quiet.wav');
  const sensitive = turns(detect(pcm, { sampleRate, threshold: -0.5 }));
  assert.equal(sensitive.length, 1);
  assertAccurate(sensitive[0]!, truth.segments[0]!, 'quiet @ -0.5');
  assert.deepEqual(detect(pcm, { sampleRate, threshold: 0.9 }), []);
  // The same speech at normal level is still found at 0.9.
  const loud = fixture('weather.wav');
  assert.equal(turns(detect(loud.pcm, { sampleRate, threshold: 0.9 })).length, 1);
});

test('silence and steady noise never trigger, at any threshold the noise floor can absorb', () => {
  const sr = 16000;
  for (const threshold of [-0.5, 0, 0.2, 0.5, 0.9]) {
    assert.deepEqual(detect(silence(5000), { sampleRate: sr, threshold }), [], `silence @ ${threshold}`);
    for (const level of [-65, -55, -50, -45]) {
      assert.deepEqual(detect(noise(sr * 5, level), { sampleRate: sr, threshold }), [], `white ${level} dBFS @ ${threshold}`);
      assert.deepEqual(detect(noise(sr * 5, level, 3, 0.9), { sampleRate: sr, threshold }), [], `low-passed ${level} dBFS @ ${threshold}`);
    }
  }
  // The noisy fixture's first second is noise only.
  const noisy = fixture('noisy.wav');
  assert.deepEqual(detect(noisy.pcm.subarray(0, sr * 0.95), { sampleRate: sr, threshold: -0.5 }), []);
  // Sanity: without the noise floor this noise would be above the absolute threshold.
  assert.ok(thresholdToDbfs(-0.5) < -50);
});

test('a DC offset carries no energy: same boundaries, no false start', () => {
  const { pcm, sampleRate } = fixture('weather.wav');
  const shifted = Int16Array.from(pcm, (v) => Math.max(-32768, Math.min(32767, v + 4000)));
  assert.deepEqual(detect(shifted, { sampleRate, threshold: -0.5 }), detect(pcm, { sampleRate, threshold: -0.5 }));
  assert.deepEqual(detect(new Int16Array(sampleRate * 3).fill(-8000), { sampleRate, threshold: -1 }), []);
});

test('speech over steady noise is found with a sensitive threshold too', () => {
  const { pcm, sampleRate, truth } = fixture('noisy.wav');
  for (const threshold of [-0.5, 0.2, 0.5]) {
    const got = turns(detect(pcm, { sampleRate, threshold }));
    assert.equal(got.length, 1, `@ ${threshold}: ${JSON.stringify(got)}`);
    assertAccurate(got[0]!, truth.segments[0]!, `noisy @ ${threshold}`);
  }
});

test('clicks shorter than 60 ms are not speech; a 150 ms burst is', () => {
  const sr = 16000;
  for (const ms of [0.0625, 5, 20, 40, 55]) {
    const parts: Int16Array[] = [silence(1000)];
    // Bursts at varying offsets against the 10 ms frame grid.
    for (let k = 0; k < 8; k++) parts.push(silence(300 + k * 3.3), noise(Math.max(1, Math.round((ms * sr) / 1000)), -6, 11 + k));
    parts.push(silence(1000));
    assert.deepEqual(detect(concat(...parts), { sampleRate: sr, threshold: -0.5 }), [], `${ms} ms clicks`);
  }
  const burst = turns(detect(concat(silence(1000), noise(sr * 0.15, -12), silence(1000)), { sampleRate: sr }));
  assert.equal(burst.length, 1);
});

test('a tone at speech level is speech ("silence, tone, silence" as in the official SDK trace)', () => {
  const sr = 16000;
  const got = turns(detect(concat(silence(1000), tone(1000, sr, 440, -12), silence(1500)), { sampleRate: sr }));
  assert.deepEqual(got.length, 1);
  assert.ok(Math.abs(got[0]!.start - 1000) <= 10 && Math.abs(got[0]!.end - 2000) <= 10, JSON.stringify(got));
  // A long steady tone is not absorbed into the noise floor.
  const long = turns(detect(concat(silence(500), tone(8000, sr, 220, -20), silence(1000)), { sampleRate: sr }));
  assert.equal(long.length, 1);
  assert.ok(Math.abs(long[0]!.end - 8500) <= 10, JSON.stringify(long));
});

test('boundaries do not depend on chunk sizes (1, 37, 160, 3200 samples and irregular chunks)', () => {
  for (const file of ['weather.wav', 'gap-04s.wav', 'gap-12s.wav', 'noisy.wav']) {
    const { pcm, sampleRate } = fixture(file);
    const whole = detect(pcm, { sampleRate });
    assert.ok(whole.length >= 2);
    for (const chunk of [1, 37, 160, 3200]) assert.deepEqual(detect(pcm, { sampleRate }, chunk), whole, `${file} in ${chunk}`);
    const d = new SpeechDetector({ sampleRate });
    const out: SpeechBoundary[] = [];
    for (let i = 0, k = 1; i < pcm.length; k = (k * 7919 + 13) % 4001) {
      out.push(...d.push(pcm.subarray(i, i + k)));
      i += k;
    }
    out.push(...d.push(new Int16Array(sampleRate)));
    assert.deepEqual(out, whole, `${file} irregular`);
  }
});

test('8, 16, 24 and 48 kHz input give the same, accurate boundaries', () => {
  const results: Array<{ start: number; end: number }> = [];
  for (const file of ['hello-8k.wav', 'hello-16k.wav', 'hello-24k.wav', 'hello-48k.wav']) {
    const { pcm, sampleRate, truth } = fixture(file);
    assert.equal(sampleRate, truth.sampleRate);
    const got = turns(detect(pcm, { sampleRate }));
    assert.equal(got.length, 1, file);
    assertAccurate(got[0]!, truth.segments[0]!, file);
    results.push(got[0]!);
  }
  for (const r of results) {
    assert.ok(Math.abs(r.start - results[1]!.start) <= 20 && Math.abs(r.end - results[1]!.end) <= 20, JSON.stringify(results));
  }
});

test('positionMs counts all audio; reset() forgets the turn but keeps the session timeline', () => {
  const { pcm, sampleRate } = fixture('gap-12s.wav');
  const d = new SpeechDetector({ sampleRate });
  const first = d.push(pcm.subarray(0, 24000)); // 1.5 s: inside the first phrase
  assert.deepEqual(first.map((b) => b.type), ['start']);
  assert.equal(d.speaking, true);
  assert.equal(d.positionMs, 1500);
  d.reset();
  assert.equal(d.speaking, false);
  assert.equal(d.positionMs, 1500);
  const rest = [...d.push(pcm.subarray(24000)), ...d.push(new Int16Array(sampleRate))];
  // No stop for the forgotten turn; the tail of phrase 1 (after 1.5 s) may restart a turn, and
  // phrase 2 is reported at its true position on the session timeline, not relative to reset.
  assert.ok(rest.length >= 2);
  const last = turns(rest.slice(rest.length - 2))[0]!;
  assertAccurate(last, fixture('gap-12s.wav').truth.segments[1]!, 'after reset');
  assert.equal(d.positionMs, (pcm.length + sampleRate) / 16);
});

test('memory stays bounded and time linear over a long session', () => {
  const sr = 16000;
  const d = new SpeechDetector({ sampleRate: sr });
  const { pcm } = fixture('gap-12s.wav');
  let starts = 0;
  const t0 = performance.now();
  for (let n = 0; n < 60; n++) for (const b of d.push(pcm)) if (b.type === 'start') starts++;
  const ms = performance.now() - t0;
  assert.equal(starts, 120); // two turns per repetition, every time
  assert.ok(ms < 2000, `${Math.round(ms)} ms for ${Math.round((60 * pcm.length) / sr)} s of audio`);
});
