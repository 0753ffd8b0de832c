/**
 * Audio kit benchmark (not a test): `node --import tsx bench/audio.bench.ts [--quick]`.
 *
 * - The resampler against its own code before issue 18 (the baseline of the ratios), sox
 *   `rate -v`/`-h` and libsamplerate: quality and speed (bench/resampler.bench.ts).
 * - Resampling 48 kHz → 16 kHz and 24 kHz → 48 kHz mono, fed in 100 ms chunks as a live stream
 *   would be, reported as multiples of real time on one core (JavaScript runs on one thread), with
 *   naive linear interpolation in the same run for the cost of band-limiting.
 * - Base64 of 3,200-byte chunks (100 ms of 16 kHz PCM16, protocol.md §2.3): our encoder and the
 *   portable fallback against `Buffer.from(…).toString('base64')`, with the ratios.
 * - The simulator's speech synthesizer: 10 s of 24 kHz speech, against a plain sine of the same
 *   length (the cheapest synthesis) and against real time. (Moved here from a timed unit test.)
 *
 * Each figure is the median of several rounds after a warm-up round.
 */
import { decodeBase64, encodeBase64, encodeBase64Portable } from '../src/audio/base64.js';
import { Resampler } from '../src/audio/resample.js';
import { speechDurationMs, synthesizeSpeech } from '../src/simulator/synthesizer.js';
import { resamplerComparison } from './resampler.bench.js';

const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time in ms of `fn` over ROUNDS rounds, after one warm-up call. */
function time(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Speech-like test signal: a few harmonics plus noise, deterministic. */
function signal(rate: number, seconds: number): Float32Array {
  const out = new Float32Array(rate * seconds);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const t = i / rate;
    out[i] = 0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.1 * Math.sin(2 * Math.PI * 1870 * t) + 0.05 * (seed / 2 ** 32 - 0.5);
  }
  return out;
}

/** The naive baseline: linear interpolation (no anti-aliasing filter), streaming. */
function linearResample(chunks: Float32Array[], from: number, to: number): number {
  const step = from / to;
  let pos = 0;
  let prev = 0;
  let produced = 0;
  let consumed = 0;
  let sink = 0;
  for (const chunk of chunks) {
    const end = consumed + chunk.length;
    const out = new Float32Array(Math.ceil((end - pos) / step) + 1);
    let n = 0;
    while (pos < end - 1) {
      const i = Math.floor(pos);
      const frac = pos - i;
      const a = i - consumed >= 0 ? chunk[i - consumed]! : prev;
      const b = chunk[i + 1 - consumed]!;
      out[n++] = a + frac * (b - a);
      pos += step;
    }
    produced += n;
    sink += out[0] ?? 0;
    prev = chunk[chunk.length - 1]!;
    consumed = end;
  }
  return produced + sink * 0;
}

function benchResampler(from: number, to: number): void {
  const seconds = 20;
  const input = signal(from, seconds);
  const chunkSize = from / 10;
  const chunks: Float32Array[] = [];
  for (let i = 0; i < input.length; i += chunkSize) chunks.push(input.subarray(i, i + chunkSize));
  const ours = time(() => {
    const r = new Resampler(from, to);
    for (const c of chunks) r.process(c);
    r.flush();
  });
  const linear = time(() => linearResample(chunks, from, to));
  const taps = 2 * new Resampler(from, to).latency;
  const realtime = (seconds * 1000) / ours;
  console.log(
    `resample ${from / 1000} kHz → ${to / 1000} kHz mono (${taps} taps): ${realtime.toFixed(0)}× real time ` +
      `(${(ours / seconds).toFixed(2)} ms per audio second); linear interpolation ${((seconds * 1000) / linear).toFixed(0)}× → windowed sinc costs ${(ours / linear).toFixed(1)}× linear`,
  );
}

function benchBase64(): void {
  const chunkBytes = 3200;
  const pool = Array.from({ length: 256 }, (_, k) => new Uint8Array(chunkBytes).map((_, i) => (i * 31 + k * 17) & 255));
  const count = 20_000;
  const megabytes = (chunkBytes * count) / 1e6;
  let sink = 0;
  const run = (encode: (b: Uint8Array) => string) => () => {
    for (let i = 0; i < count; i++) sink += encode(pool[i & 255]!).length;
  };
  const hasBuffer = typeof Buffer !== 'undefined';
  const baseline = hasBuffer ? time(run((b) => Buffer.from(b).toString('base64'))) : NaN;
  const ours = time(run(encodeBase64));
  const portable = time(run(encodeBase64Portable));
  const strings = pool.map((b) => encodeBase64(b));
  const decode = time(() => {
    for (let i = 0; i < count; i++) sink += decodeBase64(strings[i & 255]!).length;
  });
  const rate = (ms: number): string => `${(megabytes / (ms / 1000)).toFixed(0)} MB/s`;
  console.log(`base64 encode, ${count} chunks of ${chunkBytes} bytes (${megabytes} MB):`);
  console.log(`  Buffer.from(…).toString('base64') baseline: ${rate(baseline)}`);
  console.log(`  encodeBase64 (uses Buffer when present):     ${rate(ours)}  ratio ${(baseline / ours).toFixed(2)}× baseline speed`);
  console.log(`  encodeBase64Portable (no Buffer, browsers): ${rate(portable)}  ratio ${(baseline / portable).toFixed(2)}× baseline speed`);
  console.log(`  decodeBase64 (validating):                  ${rate(decode)} of decoded bytes`);
  if (sink < 0) console.log(sink); // keeps the work observable to the optimizer
}

function benchSynthesizer(): void {
  const sentence = 'The quick brown fox jumps over the lazy dog again. ';
  let text = sentence;
  while (speechDurationMs(text) < 10_000) text += sentence;
  const ms = speechDurationMs(text);
  const rate = 24000;
  let sink = 0;
  const sine = time(() => {
    const out = new Int16Array(Math.round((rate * ms) / 1000));
    for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
    sink += out[out.length - 1]!;
  });
  const speech = time(() => {
    sink += synthesizeSpeech(text, rate).length;
  });
  console.log(`simulator speech synthesis, ${(ms / 1000).toFixed(1)} s at ${rate / 1000} kHz:`);
  console.log(`  plain sine baseline: ${sine.toFixed(2)} ms`);
  console.log(`  synthesizeSpeech:    ${speech.toFixed(2)} ms  ratio ${(speech / sine).toFixed(2)}× the baseline's time, ${(ms / speech).toFixed(0)}× real time`);
  if (sink < 0) console.log(sink);
}

console.log(`node ${process.versions.node}, one thread, median of ${ROUNDS} rounds`);
await resamplerComparison(process.argv.includes('--quick'));
console.log('');
benchResampler(48000, 16000);
benchResampler(24000, 48000);
benchBase64();
benchSynthesizer();
