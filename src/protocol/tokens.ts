/**
 * Token accounting rules of protocol.md §2.6, shared by the audio kit's estimates and the
 * simulator's `usage`.
 */
import type { TokenRules } from './models.js';

/** Tokens for `seconds` of audio at `perSecond` (a duration under 1 s counts as 1 s; none is 0). */
export function audioTokens(seconds: number, perSecond: number): number {
  if (!(seconds > 0)) return 0;
  return Math.ceil(Math.max(1, seconds) * perSecond);
}

/**
 * `x` rounded to the nearest integer, halves to the even neighbour: Python's `round()`, which the
 * official estimator uses (so 720 px / 32 = 22.5 blocks → 22, not 23; protocol.md §2.6).
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Tokens for one image of `width` × `height` pixels: dimensions rounded (halves to even, as the
 * official estimator does) to multiples of the block size, scaled down above the maximum and up
 * below the minimum, one token per block (protocol.md §2.6).
 */
export function imageTokens(width: number, height: number, rules: Pick<TokenRules, 'imageBlockPixels' | 'imageMinTokens' | 'imageMaxTokens'>): number {
  const f = rules.imageBlockPixels;
  if (!(width > 0) || !(height > 0)) return rules.imageMinTokens;
  let h = Math.max(f, roundHalfEven(height / f) * f);
  let w = Math.max(f, roundHalfEven(width / f) * f);
  const max = rules.imageMaxTokens * f * f;
  const min = rules.imageMinTokens * f * f;
  if (h * w > max) {
    const beta = Math.sqrt((height * width) / max);
    h = Math.max(f, Math.floor(height / beta / f) * f);
    w = Math.max(f, Math.floor(width / beta / f) * f);
  } else if (h * w < min) {
    const beta = Math.sqrt(min / (height * width));
    h = Math.ceil((height * beta) / f) * f;
    w = Math.ceil((width * beta) / f) * f;
  }
  return Math.min(rules.imageMaxTokens, Math.max(rules.imageMinTokens, (h * w) / (f * f)));
}

/** Text tokens, estimated: about one per four bytes of UTF-8 (at least 1 for non-empty text). */
export function textTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(new TextEncoder().encode(text).length / 4));
}

/**
 * The billed output tokens of one response with `text` text tokens and `audio` audio tokens:
 * qwen3.8 bills an audio reply's transcript too, qwen3.5 only the audio (§0.2.22). A reply
 * without audio bills its text. Shared by the audio kit's estimate and the simulator's `usage`.
 */
export function billedOutputTokens(rules: Pick<TokenRules, 'billsAudioTranscript'>, text: number, audio: number): number {
  return audio > 0 && !rules.billsAudioTranscript ? audio : text + audio;
}
