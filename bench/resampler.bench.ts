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

/**
 * Speed of `contenders` (the first is the baseline of the ratios) on `seconds` of audio per run,
 * fastest of `rounds` interleaved rounds; cells per rate pair: × real time and the ratio.
 */
async function speedCells(contenders: Contender[], seconds: number, rounds: number): Promise<Map<string, string[]>> {
  const pairs = [[48000, 16000], [24000, 48000], [44100, 16000]] as const;
  const cells = new Map<string, string[]>();
  for (const [from, to] of pairs) {
    const x = sine(from * seconds, from, 440, 0.3).map((v, i) => v + 0.1 * Math.sin(i * 0.731));
    const chunks: Float32Array[] = [];
    for (let i = 0; i < x.length; i += from / 10) chunks.push(x.subarray(i, Math.min(x.length, i + Math.round(from / 10))));
    const times = new Map<string, number[]>();
    const streaming = contenders.filter((c) => c.stream !== undefined);
    // Interleaved rounds (round 0 warms up): every contender sees the same machine state.
    for (let round = 0; round <= rounds; round++) {
      for (let i = 0; i < streaming.length; i++) {
        const c = streaming[(i + round) % streaming.length]!;
        const start = performance.now();
        await c.stream!(chunks, from, to);
        if (round > 0) times.set(c.name, [...(times.get(c.name) ?? []), performance.now() - start]);
      }
    }
    // sox runs as a process on a whole file: 60 s of audio, less its start-up (the fastest run
    // on 10 ms of audio), so that the start-up is a small part of what is subtracted from.
    const long = new Float32Array(from * 60);
    for (let i = 0; i < long.length; i += x.length) long.set(x.subarray(0, Math.min(x.length, long.length - i)), i);
    for (const c of contenders.filter((c) => c.stream === undefined)) {
      const tiny = x.subarray(0, from / 100);
      const startup: number[] = [];
      const whole: number[] = [];
      for (let round = 0; round <= Math.min(rounds, 5); round++) {
        const s0 = performance.now();
        await c.whole(tiny, from, to);
        const s1 = performance.now();
        await c.whole(long, from, to);
        startup.push(s1 - s0);
        whole.push(performance.now() - s1);
      }
      // Scaled to `seconds`, so one speed formula serves all.
      times.set(c.name, [((fastest(whole) - fastest(startup)) * seconds) / 60]);
    }
    const base = fastest(times.get(contenders[0]!.name)!);
    for (const c of contenders) {
      const ms = fastest(times.get(c.name)!);
      const note = c.stream === undefined ? ' (process, whole file)' : '';
      cells.set(c.name, [...(cells.get(c.name) ?? []), `${((seconds * 1000) / ms).toFixed(0)}× real time${note}`, `${(base / ms).toFixed(2)}×`]);
    }
  }
  return cells;
}

/**
 * Speed rows. Ours against the baseline first, in many short tightly interleaved rounds (the
 * ratio the issue asks for); then the baseline against sox and libsamplerate, whose rounds are
 * long (libsamplerate BEST runs at about 10× real time), each ratio to the baseline of its phase.
 */
async function speed(quick: boolean): Promise<string[]> {
  const rows = ['| resampler | 48 → 16 kHz | ratio to baseline | 24 → 48 kHz | ratio to baseline | 44.1 → 16 kHz | ratio to baseline |', '|---|---|---|---|---|---|---|'];
  const ours = CONTENDERS.slice(0, 3);
  const others = [CONTENDERS[0]!, ...CONTENDERS.slice(3)];
  const a = await speedCells(ours, 1, quick ? 10 : 41);
  const b = await speedCells(others, 5, quick ? 3 : 7);
  for (const c of ours) rows.push(`| ${c.name} | ${a.get(c.name)!.join(' | ')} |`);
  for (const c of others.slice(1)) rows.push(`| ${c.name} | ${b.get(c.name)!.join(' | ')} |`);
  return rows;
}

/**
 * Filter design time of the costliest supported pairs (largest tables: interpolated, many taps,
 * ratio 64), uncached (a different attenuation each round), fastest of `rounds`.
 */
function designTimes(rounds: number): string[] {
  const pairs = [[44100, 16000], [96000, 16001], [15625, 999983], [192000, 44101], [1000000, 15625], [768000, 12001]] as const;
  const rows = ['| rate pair | taps | design time (uncached) |', '|---|---|---|'];
  for (const [from, to] of pairs) {
    let best = Infinity;
    let taps = 0;
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      taps = 2 * new Resampler(from, to, { attenuationDb: 100 + (r + 1) / 1000 }).latency;
      best = Math.min(best, performance.now() - start);
    }
    rows.push(`| ${from} → ${to} Hz | ${taps} | ${best.toFixed(1)} ms |`);
  }
  return rows;
}

/** Runs the comparison and prints its three tables. */
export async function resamplerComparison(quick = false): Promise<void> {
  console.log(`resampler comparison (${hasSox ? 'sox found' : 'sox not installed: its rows are missing'}), taps: ` +
    [[48000, 16000], [24000, 48000]].map(([f, t]) => `${f! / 1000}→${t! / 1000} kHz high ${2 * new Resampler(f!, t!).latency}, fast ${2 * new Resampler(f!, t!, { quality: 'fast' }).latency}, baseline ${2 * new BaselineResampler(f!, t!).latency}`).join('; '));
  console.log('\nquality, 48 → 16 kHz tones (gain; 0 dB = unchanged) and the speech round trip:\n');
  for (const row of await quality()) console.log(row);
  console.log(`\nspeed, one core, 100 ms chunks: ours, 1 s of audio, fastest of ${quick ? 10 : 41} interleaved rounds; others, 5 s, fastest of ${quick ? 3 : 7}:\n`);
  for (const row of await speed(quick)) console.log(row);
  console.log(`\nfilter design, the costliest supported pairs (fastest of ${quick ? 3 : 10}):\n`);
  for (const row of designTimes(quick ? 3 : 10)) console.log(row);
}

if (import.meta.url === `file://${process.argv[1]}`) await resamplerComparison(process.argv.includes('--quick'));
