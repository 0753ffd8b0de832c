/**
 * Resampler benchmark (not a test): `node --import tsx bench/resampler.bench.ts [--quick]`; also
 * run by bench/audio.bench.ts.
 *
 * The same signals through every resampler, measured the same way:
 * - ours, `high` (the default) and `fast`;
 * - ours before issue 18 (bench/lib/baselineResampler.ts, frozen), the baseline of the ratios;
 * - sox `rate -v` and `rate -h` (the `sox` program, when installed);
 * - libsamplerate's WebAssembly build (`@alexanderolsen/libsamplerate-js`, a development
 *   dependency of this benchmark only), SINC_BEST_QUALITY and SINC_MEDIUM_QUALITY.
 *
 * Figures: gain of tones at 0.5, 0.9 and 0.95 of the output Nyquist frequency (48 → 16 kHz), the
 * worst gain of tones at and above it (the stopband), the speech round trip 16 → 48 → 16 kHz SNR
 * over test/fixtures/speech (the worst file), and speed as multiples of real time on one core,
 * 100 ms chunks where the API streams; every speed also as a ratio to the baseline, measured in
 * the same interleaved rounds (the fastest round of each: see `fastest`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { resample, Resampler } from '../src/audio/resample.js';
import { readWav } from '../src/audio/wav.js';
import { baselineResample, BaselineResampler } from './lib/baselineResampler.js';

// A UMD bundle: its named exports are reachable through the default import only.
const { create, ConverterType } = libsamplerate;
type ConverterTypeValue = (typeof ConverterType)[keyof typeof ConverterType];

/** A whole-signal resampler, and (when it streams) a chunked run for speed. */
interface Contender {
  name: string;
  whole: (x: Float32Array, from: number, to: number) => Promise<Float32Array>;
  /** Resamples `chunks` as a stream; undefined for programs measured per file. */
  stream?: (chunks: Float32Array[], from: number, to: number) => Promise<void>;
}

const hasSox = spawnSync('sox', ['--version'], { stdio: 'ignore' }).status === 0;

function soxWhole(quality: '-v' | '-h') {
  return async (x: Float32Array, from: number, to: number): Promise<Float32Array> => {
    const raw = (rate: number) => ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-c', '1', '-r', String(rate)];
    const out = execFileSync('sox', ['-D', ...raw(from), '-', ...raw(to), '-', 'rate', quality], { input: Buffer.from(x.buffer, x.byteOffset, x.byteLength), maxBuffer: 1 << 30 });
    return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
  };
}

function lsrWhole(type: ConverterTypeValue) {
  return async (x: Float32Array, from: number, to: number): Promise<Float32Array> => {
    const src = await create(1, from, to, { converterType: type });
    try {
      return src.simple(x);
    } finally {
      src.destroy();
    }
  };
}

function lsrStream(type: ConverterTypeValue) {
  return async (chunks: Float32Array[], from: number, to: number): Promise<void> => {
    const src = await create(1, from, to, { converterType: type });
    for (const c of chunks) src.full(c);
    src.destroy();
  };
}

const CONTENDERS: Contender[] = [
  {
    name: 'before issue 18 (baseline)',
    whole: async (x, f, t) => baselineResample(x, f, t),
    stream: async (chunks, f, t) => {
      const r = new BaselineResampler(f, t);
      for (const c of chunks) r.process(c);
      r.flush();
    },
  },
  {
    name: 'ours, high (default)',
    whole: async (x, f, t) => resample(x, f, t),
    stream: async (chunks, f, t) => {
      const r = new Resampler(f, t);
      for (const c of chunks) r.process(c);
      r.flush();
    },
  },
  {
    name: 'ours, fast',
    whole: async (x, f, t) => resample(x, f, t, { quality: 'fast' }),
    stream: async (chunks, f, t) => {
      const r = new Resampler(f, t, { quality: 'fast' });
      for (const c of chunks) r.process(c);
      r.flush();
    },
  },
  ...(hasSox ? [{ name: 'sox rate -v', whole: soxWhole('-v') }, { name: 'sox rate -h', whole: soxWhole('-h') }] : []),
  { name: 'libsamplerate BEST (wasm)', whole: lsrWhole(ConverterType.SRC_SINC_BEST_QUALITY), stream: lsrStream(ConverterType.SRC_SINC_BEST_QUALITY) },
  { name: 'libsamplerate MEDIUM (wasm)', whole: lsrWhole(ConverterType.SRC_SINC_MEDIUM_QUALITY), stream: lsrStream(ConverterType.SRC_SINC_MEDIUM_QUALITY) },
];

function sine(n: number, rate: number, f: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * f * i) / rate + 0.3);
  return out;
}

/** Gain in dB of a resampled tone (RMS of the middle half against the input's). */
function gainDb(y: Float32Array, amplitude: number): number {
  const a = Math.floor(y.length * 0.25);
  const b = Math.floor(y.length * 0.75);
  let sum = 0;
  for (let k = a; k < b; k++) sum += y[k]! ** 2;
  return 20 * Math.log10(Math.sqrt(sum / (b - a)) / (amplitude / Math.SQRT2));
}

/** SNR in dB of `y` against `x`, at the best alignment within ±64 samples (sox and libsamplerate may shift). */
function alignedSnr(x: Float32Array, y: Float32Array): number {
  let best = -Infinity;
  for (let lag = -64; lag <= 64; lag++) {
    let signal = 0;
    let noise = 0;
    for (let i = 200; i < x.length - 200; i++) {
      const v = y[i + lag] ?? 0;
      signal += x[i]! ** 2;
      noise += (v - x[i]!) ** 2;
    }
    best = Math.max(best, 10 * Math.log10(signal / noise));
  }
  return best;
}

/** Speech fixtures at 16 kHz mono. */
function speech(): { name: string; x: Float32Array }[] {
  // bench/ here, or tmp/bench-build/bench/ when bench/run.ts compiled it (lib/compile.ts).
  const dir = [new URL('../test/fixtures/speech/', import.meta.url), new URL('../../../test/fixtures/speech/', import.meta.url)].find((u) => existsSync(u))!;
  return readdirSync(dir).filter((f) => f.endsWith('.wav')).map((name) => {
    const wav = readWav(new Uint8Array(readFileSync(new URL(name, dir))));
    const mono = wav.channels === 1 ? wav.samples : wav.samples.filter((_, i) => i % wav.channels === 0);
    return { name, x: wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000, { attenuationDb: 150, passband: 0.95 }) };
  });
}

/**
 * The fastest run: on a shared machine every disturbance only adds time, so the least disturbed
 * of many short interleaved rounds is the most repeatable figure (the median moved by ±30 %
 * between runs here, the minimum by a few %).
 */
function fastest(values: number[]): number {
  return Math.min(...values);
}

/** Quality rows: passband, stopband and speech round trip for every contender. */
async function quality(): Promise<string[]> {
  const from = 48000;
  const to = 16000;
  const n = from; // 1 s per tone
  const nyquist = to / 2;
  const stopTones = [1, 1.005, 1.02, 1.05, 1.1, 1.3, 1.6, 2, 2.5, 2.9].map((r) => r * nyquist);
  const files = speech();
  const rows = ['| resampler | 0.5 Nyquist | 0.9 | 0.95 | stopband (worst tone at ≥ Nyquist) | tone at Nyquist | speech 16→48→16 kHz SNR (worst file) |', '|---|---|---|---|---|---|---|'];
  for (const c of CONTENDERS) {
    const pass: string[] = [];
    for (const r of [0.5, 0.9, 0.95]) pass.push(`${gainDb(await c.whole(sine(n, from, r * nyquist), from, to), 0.5).toFixed(2)} dB`);
    let worst = -Infinity;
    for (const f of stopTones) worst = Math.max(worst, gainDb(await c.whole(sine(n, from, f), from, to), 0.5));
    const atNyquist = gainDb(await c.whole(sine(n, from, nyquist), from, to), 0.5);
    let worstSnr = Infinity;
    for (const { x } of files) worstSnr = Math.min(worstSnr, alignedSnr(x, await c.whole(await c.whole(x, 16000, 48000), 48000, 16000)));
    const db = (v: number) => (v < -200 ? '< −200 dB' : `${v.toFixed(1)} dB`);
    rows.push(`| ${c.name} | ${pass.join(' | ')} | ${db(worst)} | ${db(atNyquist)} | ${worstSnr.toFixed(1)} dB |`);
  }
  return rows;
}

/** Speed rows: multiples of real time, and the ratio to the baseline, per rate pair. */
async function speed(quick: boolean): Promise<string[]> {
  const seconds = 5;
  const rounds = quick ? 5 : 15;
  const rows = ['| resampler | 48 → 16 kHz | ratio to baseline | 24 → 48 kHz | ratio to baseline | 44.1 → 16 kHz | ratio to baseline |', '|---|---|---|---|---|---|---|'];
  const pairs = [[48000, 16000], [24000, 48000], [44100, 16000]] as const;
  const cells = new Map<string, string[]>();
  for (const [from, to] of pairs) {
    const x = sine(from * seconds, from, 440, 0.3).map((v, i) => v + 0.1 * Math.sin(i * 0.731));
    const chunks: Float32Array[] = [];
    for (let i = 0; i < x.length; i += from / 10) chunks.push(x.subarray(i, Math.min(x.length, i + Math.round(from / 10))));
    const times = new Map<string, number[]>();
    const streaming = CONTENDERS.filter((c) => c.stream !== undefined);
    // Interleaved rounds (round 0 warms up): every contender sees the same machine state.
    for (let round = 0; round <= rounds; round++) {
      for (let i = 0; i < streaming.length; i++) {
        const c = streaming[(i + round) % streaming.length]!;
        const start = performance.now();
        await c.stream!(chunks, from, to);
        if (round > 0) times.set(c.name, [...(times.get(c.name) ?? []), performance.now() - start]);
      }
    }
    // sox runs as a process on the whole signal: its start-up (a 10 ms file) is subtracted.
    for (const c of CONTENDERS.filter((c) => c.stream === undefined)) {
      const tiny = x.subarray(0, from / 100);
      const runs: number[] = [];
      for (let round = 0; round <= rounds; round++) {
        const s0 = performance.now();
        await c.whole(tiny, from, to);
        const s1 = performance.now();
        await c.whole(x, from, to);
        if (round > 0) runs.push(Math.max(0.01, performance.now() - s1 - (s1 - s0)));
      }
      times.set(c.name, runs);
    }
    const base = fastest(times.get(CONTENDERS[0]!.name)!);
    for (const c of CONTENDERS) {
      const ms = fastest(times.get(c.name)!);
      const note = c.stream === undefined ? ' (process, whole file)' : '';
      cells.set(c.name, [...(cells.get(c.name) ?? []), `${((seconds * 1000) / ms).toFixed(0)}× real time${note}`, `${(base / ms).toFixed(2)}×`]);
    }
  }
  for (const c of CONTENDERS) rows.push(`| ${c.name} | ${cells.get(c.name)!.join(' | ')} |`);
  return rows;
}

/** Runs the comparison and prints its two tables. */
export async function resamplerComparison(quick = false): Promise<void> {
  console.log(`resampler comparison (${hasSox ? 'sox found' : 'sox not installed: its rows are missing'}), taps: ` +
    [[48000, 16000], [24000, 48000]].map(([f, t]) => `${f! / 1000}→${t! / 1000} kHz high ${2 * new Resampler(f!, t!).latency}, fast ${2 * new Resampler(f!, t!, { quality: 'fast' }).latency}, baseline ${2 * new BaselineResampler(f!, t!).latency}`).join('; '));
  console.log('\nquality, 48 → 16 kHz tones (gain; 0 dB = unchanged) and the speech round trip:\n');
  for (const row of await quality()) console.log(row);
  console.log(`\nspeed, one core, 5 s of audio in 100 ms chunks (fastest of ${quick ? 5 : 15} interleaved rounds):\n`);
  for (const row of await speed(quick)) console.log(row);
}

if (import.meta.url === `file://${process.argv[1]}`) await resamplerComparison(process.argv.includes('--quick'));
