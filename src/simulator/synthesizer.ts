/**
 * The simulator's "text to speech": a small formant synthesizer that turns the responder's text
 * into speech-like PCM16 for `response.audio.delta` (protocol.md §4.17). It is not intelligible
 * speech, but it sounds and measures like speech (a pitched glottal buzz shaped by moving formants,
 * syllable envelopes, pauses at spaces and punctuation), so a client's playback, VAD echo tests
 * (§5.3) and duration-based usage (§2.6 output audio tokens) behave as against the real service.
 *
 * Pacing (documented for the core, which paces deltas and bills by it):
 * - Latin (and other non-CJK) letters: 65 ms each, grouped into syllables of up to 3 letters;
 * - digits: 150 ms each (a spoken digit is one or two syllables);
 * - CJK ideographs, kana, hangul: 200 ms each, one syllable per character;
 * - a run of whitespace: 60 ms pause; `,;:()` and CJK `，、；：`: 150 ms; `.!?…` and `。！？`: 250 ms;
 * - other symbols: nothing. The total is at least 300 ms (shorter texts are stretched), and a
 *   text with nothing to say still gets one 300 ms syllable, so the audio is never silent.
 */

/** Options of {@link synthesizeSpeech}. */
export interface SynthesizeOptions {
  /** Voice name (§2.4); it picks the pitch deterministically (100–250 Hz). */
  voice?: string;
}

type Formants = readonly [number, number, number];

interface Syllable {
  kind: 'syllable';
  ms: number;
  formants: Formants;
  /** Onset consonant: noise-excited for unvoiced letters. */
  onset: 'voiced' | 'unvoiced' | 'none';
  /** Envelope level at the start/end: 0 next to a pause, 0.25 inside a word. */
  startLevel: number;
  endLevel: number;
  /** Last syllable before a question mark: rising pitch. */
  question: boolean;
}
interface Pause {
  kind: 'pause';
  ms: number;
}
type Segment = Syllable | Pause;

const LETTER_MS = 65;
const DIGIT_MS = 150;
const CJK_MS = 200;
const SPACE_MS = 60;
const COMMA_MS = 150;
const STOP_MS = 250;
const MIN_MS = 300;
const PEAK = 0.5012; // −6 dBFS

const VOWELS: Record<string, Formants> = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
  y: [500, 1500, 2500],
};
const VOWEL_LIST: Formants[] = Object.values(VOWELS);
const UNVOICED = new Set('cfhkpqstx');
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;
const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{N}/u;
const COMMA = /[,;:()\uff0c\u3001\uff1b\uff1a\uff08\uff09]/u;
const STOP = /[.!?\u2026\u3002\uff01\uff1f]/u;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function syllable(chars: string, ms: number, startLevel: number): Syllable {
  const lower = chars.toLowerCase();
  const vowel = [...lower].find((c) => VOWELS[c] !== undefined);
  const formants = (vowel ? VOWELS[vowel] : VOWEL_LIST[hash(chars) % VOWEL_LIST.length]) ?? [500, 1500, 2500];
  const first = lower[0] ?? '';
  const onset = vowel === undefined || VOWELS[first] !== undefined || !/[a-z]/.test(first) ? 'none' : UNVOICED.has(first) ? 'unvoiced' : 'voiced';
  return { kind: 'syllable', ms, formants, onset, startLevel, endLevel: 0, question: false };
}

/** Splits text into syllables and pauses with their durations (see the pacing table above). */
function segment(text: string): Segment[] {
  const segs: Segment[] = [];
  const chars = [...text];
  let word: string[] = [];
  const flushWord = (): void => {
    for (let i = 0; i < word.length; ) {
      const left = word.length - i;
      const n = left === 4 ? 2 : Math.min(3, left); // no 1-letter tail syllable
      const part = word.slice(i, i + n).join('');
      segs.push(syllable(part, n * LETTER_MS, i === 0 ? 0 : 0.25));
      i += n;
    }
    word = [];
  };
  const pause = (ms: number): void => {
    flushWord();
    const last = segs[segs.length - 1];
    if (last?.kind === 'pause') last.ms = Math.max(last.ms, ms);
    else segs.push({ kind: 'pause', ms });
  };
  for (const c of chars) {
    if (CJK.test(c)) {
      flushWord();
      segs.push(syllable(c, CJK_MS, 0));
    } else if (DIGIT.test(c)) {
      flushWord();
      segs.push(syllable(c, DIGIT_MS, 0));
    } else if (LETTER.test(c)) {
      word.push(c);
    } else if (/\s/u.test(c)) {
      pause(SPACE_MS);
    } else if (STOP.test(c)) {
      flushWord();
      const last = segs[segs.length - 1];
      if ((c === '?' || c === '\uff1f') && last?.kind === 'syllable') last.question = true;
      pause(STOP_MS);
    } else if (COMMA.test(c)) {
      pause(COMMA_MS);
    } else if (c !== "'" && c !== '\u2019') {
      flushWord(); // hyphens, quotes and other symbols separate words but take no time
    }
  }
  flushWord();
  // Syllables next to each other inside a word dip to 0.25 instead of silence.
  for (let i = 0; i + 1 < segs.length; i++) {
    const a = segs[i];
    const b = segs[i + 1];
    if (a?.kind === 'syllable' && b?.kind === 'syllable' && b.startLevel > 0) a.endLevel = b.startLevel;
  }
  if (!segs.some((s) => s.kind === 'syllable')) return [syllable('a', MIN_MS, 0)];
  const total = segs.reduce((sum, s) => sum + s.ms, 0);
  if (total < MIN_MS) for (const s of segs) s.ms = (s.ms * MIN_MS) / total;
  return segs;
}

/**
 * Length in ms of the audio {@link synthesizeSpeech} produces for `text` (at any sample rate, up
 * to rounding to whole samples). The core uses it to pace `response.audio.delta` and for usage.
 */
export function speechDurationMs(text: string): number {
  return segment(text).reduce((sum, s) => sum + s.ms, 0);
}

/** Pitch in Hz for a voice: the documented defaults get typical pitches, others a hash. */
function voicePitch(voice: string | undefined): number {
  const known: Record<string, number> = { Tina: 215, Cherry: 210, Chelsie: 230, Serena: 200, Ethan: 115 };
  if (voice === undefined || voice === '') return 180;
  return known[voice] ?? 100 + (hash(voice) % 151);
}

/**
 * Synthesizes speech-like PCM16 mono at `sampleRate` for `text`: a glottal-pulse buzz at the
 * voice's pitch through three formant resonators whose targets change per syllable, with
 * syllable envelopes and silent pauses, normalised to a −6 dBFS peak with faded edges.
 * Deterministic; `speechDurationMs(text)` ms long.
 */
export function synthesizeSpeech(text: string, sampleRate: number, options: SynthesizeOptions = {}): Int16Array {
  if (!Number.isFinite(sampleRate) || sampleRate < 1000) throw new RangeError(`synthesizeSpeech: invalid sampleRate ${String(sampleRate)}`);
  const segs = segment(text);
  const totalMs = segs.reduce((sum, s) => sum + s.ms, 0);
  const n = Math.round((totalMs * sampleRate) / 1000);
  const out = new Float32Array(n);
  const f0Base = voicePitch(options.voice);
  const T = 1 / sampleRate;
  const nyquistSafe = sampleRate * 0.45;
  let rng = hash(`${options.voice ?? ''}|${text}`) || 1;
  // Three cascaded Klatt resonators y = a·x + b·y[n-1] + c·y[n-2]; coefficients in `co`
  // ([a0,b0,c0,a1,…]), states unrolled for speed.
  const co = new Float64Array(9);
  let s0a = 0, s0b = 0, s1a = 0, s1b = 0, s2a = 0, s2b = 0;
  const bw = [90, 110, 170] as const;
  let prevF: Formants = segs.find((s): s is Syllable => s.kind === 'syllable')?.formants ?? [500, 1500, 2500];
  let phase = 0;
  let prevFlow = 0;
  let prevNoise = 0;
  let cumMs = 0;
  for (const seg of segs) {
    const start = Math.round((cumMs * sampleRate) / 1000);
    cumMs += seg.ms;
    const end = Math.round((cumMs * sampleRate) / 1000);
    const len = Math.max(1, end - start);
    const isSyl = seg.kind === 'syllable';
    const target: Formants = isSyl ? seg.formants : prevF;
    const from = prevF;
    const rising = isSyl && seg.question;
    for (let j = 0; j < len && start + j < n; j++) {
      const p = j / len; // position inside the segment
      if (j % 32 === 0) {
        // Formants glide to the syllable's targets over its first 30 % (no coefficient jumps → no clicks).
        const g = Math.min(1, p / 0.3);
        for (let k = 0; k < 3; k++) {
          const f = Math.min(nyquistSafe, (from[k] ?? 500) + ((target[k] ?? 500) - (from[k] ?? 500)) * g);
          const c = -Math.exp(-2 * Math.PI * (bw[k] ?? 100) * T);
          const b = 2 * Math.exp(-Math.PI * (bw[k] ?? 100) * T) * Math.cos(2 * Math.PI * f * T);
          co[3 * k] = 1 - b - c;
          co[3 * k + 1] = b;
          co[3 * k + 2] = c;
        }
      }
      let voice = 0;
      let fric = 0;
      if (isSyl) {
        const env = envelope(p, seg.startLevel, seg.endLevel);
        const t = (start + j) / Math.max(1, n);
        const f0 = f0Base * (1.1 - 0.25 * t) * (1 + 0.04 * Math.sin(Math.PI * p)) * (rising ? 1 + 0.35 * p * p : 1);
        phase += f0 * T;
        if (phase >= 1) phase -= 1;
        // Rosenberg glottal flow; its derivative (lip radiation) is the excitation.
        const flow = phase < 0.6 ? 0.5 * (1 - Math.cos((Math.PI * phase) / 0.6)) : phase < 0.75 ? Math.cos((Math.PI * (phase - 0.6)) / 0.3) : 0;
        const inOnset = p < 0.25 && seg.onset !== 'none';
        const voicing = inOnset && seg.onset === 'unvoiced' ? 0.15 : 1;
        voice = (flow - prevFlow) * 8 * env * voicing;
        prevFlow = flow;
        if (inOnset) {
          rng ^= rng << 13;
          rng ^= rng >>> 17;
          rng ^= rng << 5;
          const white = (rng >>> 0) / 4294967296 - 0.5;
          fric = (white - prevNoise) * (seg.onset === 'unvoiced' ? 0.5 : 0.15) * Math.sin(Math.PI * (p / 0.25));
          prevNoise = white;
        }
      }
      const r0 = (co[0] ?? 0) * voice + (co[1] ?? 0) * s0a + (co[2] ?? 0) * s0b;
      s0b = s0a;
      s0a = r0;
      const r1 = (co[3] ?? 0) * r0 + (co[4] ?? 0) * s1a + (co[5] ?? 0) * s1b;
      s1b = s1a;
      s1a = r1;
      const r2 = (co[6] ?? 0) * r1 + (co[7] ?? 0) * s2a + (co[8] ?? 0) * s2b;
      s2b = s2a;
      s2a = r2;
      out[start + j] = r2 + fric;
    }
    if (isSyl) prevF = seg.formants;
  }
  return normalise(out, sampleRate);
}

/** Raised-cosine attack over the first 20 %, release over the last 30 %. */
function envelope(p: number, startLevel: number, endLevel: number): number {
  if (p < 0.2) return startLevel + (1 - startLevel) * 0.5 * (1 - Math.cos((Math.PI * p) / 0.2));
  if (p > 0.7) return endLevel + (1 - endLevel) * 0.5 * (1 + Math.cos((Math.PI * (p - 0.7)) / 0.3));
  return 1;
}

/** Scales to the −6 dBFS peak and fades 3 ms at both edges so playback starts and ends without clicks. */
function normalise(samples: Float32Array, sampleRate: number): Int16Array {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i] ?? 0));
  const gain = peak > 0 ? (PEAK * 32767) / peak : 0;
  const fade = Math.min(Math.floor(samples.length / 2), Math.round(sampleRate * 0.003));
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const edge = Math.min(1, i / Math.max(1, fade), (samples.length - 1 - i) / Math.max(1, fade));
    out[i] = Math.round((samples[i] ?? 0) * gain * edge);
  }
  return out;
}
