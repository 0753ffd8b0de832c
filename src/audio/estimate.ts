/**
 * Token estimates by the accounting rules of protocol.md §2.6, from the model catalog: what a
 * stretch of audio or an image will cost before it is sent, and running totals for a session.
 * The arithmetic lives in `protocol/tokens.ts` (shared with the simulator's `usage`); this file
 * picks the model's rates and keeps the totals.
 *
 * These are estimates of the media alone: the service also re-bills the retained context on
 * every turn (§2.6), which only its own `usage` reports.
 */
import { ValidationError } from '../errors.js';
import { getModelInfo, listModels, type ModelInfo } from '../protocol/models.js';
import { audioTokens, billedOutputTokens, imageTokens, textTokens } from '../protocol/tokens.js';
import { detectImage } from './image.js';

/** A model id from the catalog, or its catalog entry. */
export type ModelRef = string | ModelInfo;

function modelOf(model: ModelRef): ModelInfo {
  if (typeof model !== 'string') return model;
  const info = getModelInfo(model);
  if (info === undefined) throw new ValidationError(`Unknown model "${model}"; token rules are known for: ${listModels().join(', ')}`, 'model', listModels());
  return info;
}

function checkSeconds(seconds: number): void {
  if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new ValidationError(`seconds must be a non-negative number, got ${seconds}`, 'seconds');
}

/**
 * Tokens for `seconds` of audio, as one segment: under 1 s counts as 1 s, none is 0. Input with
 * 2 or 4 channels (qwen3.8 only) counts double (§2.6).
 */
export function estimateAudioTokens(model: ModelRef, seconds: number, direction: 'input' | 'output', channels = 1): number {
  const info = modelOf(model);
  checkSeconds(seconds);
  if (direction !== 'input' && direction !== 'output') throw new ValidationError(`direction must be "input" or "output", got ${String(direction)}`, 'direction', ['input', 'output']);
  const rate = direction === 'input' ? info.tokens.audioInputPerSecond : info.tokens.audioOutputPerSecond;
  // Rounded to the microsecond first: a sum of 100 ms chunks lands on 2.0000000000000004 s, and
  // the rule's ceil() would bill that as a whole extra token.
  const tokens = audioTokens(Math.round(seconds * 1e6) / 1e6, rate);
  if (channels === 1) return tokens;
  if (direction === 'output' || !info.input.channels.includes(channels)) {
    throw new ValidationError(`${info.id} takes ${direction === 'output' ? 'mono output' : `input with ${info.input.channels.join(' or ')} channel(s)`}, not ${channels}`, 'channels', info.input.channels);
  }
  return 2 * tokens;
}

/** Tokens for one image of `width` × `height` pixels (block rounding, 4 to 1,280 tokens; §2.6). */
export function estimateImageTokens(model: ModelRef, width: number, height: number): number {
  return imageTokens(width, height, modelOf(model).tokens);
}

/**
 * Tokens for a stream of frames over `seconds`, as the official estimator counts them: one
 * image's tokens per started 2 seconds (§2.6).
 */
export function estimateVideoTokens(model: ModelRef, width: number, height: number, seconds: number): number {
  checkSeconds(seconds);
  return estimateImageTokens(model, width, height) * Math.ceil(seconds / 2);
}

/** Running totals of a {@link UsageEstimator}. */
export interface UsageTotals {
  /** Seconds of input audio added. */
  inputAudioSeconds: number;
  /** Seconds of output audio added. */
  outputAudioSeconds: number;
  /** Images added. */
  images: number;
  /** Turns ended with endTurn(). */
  turns: number;
  /** Input audio tokens (finished turns, plus the open turn as if it ended now). */
  inputAudioTokens: number;
  /** Output audio tokens (likewise). */
  outputAudioTokens: number;
  /** Image tokens. */
  imageTokens: number;
  /** Input text tokens (about one per four UTF-8 bytes). */
  inputTextTokens: number;
  /** Output text tokens (likewise), billed or not. */
  outputTextTokens: number;
  /** Input audio + image + input text tokens. */
  inputTokens: number;
  /**
   * Billed output: audio plus text, except the transcript of an audio turn on models that bill
   * only the audio (qwen3.5, §0.2.22).
   */
  outputTokens: number;
  /** All of the above. */
  totalTokens: number;
}

/**
 * Running token estimates for one session. Audio is counted per turn, because the "under 1 s
 * counts as 1 s" rule applies to a whole utterance, not to each 100 ms chunk: add chunks as they
 * are sent and call endTurn() when the turn is committed (or the response is done).
 */
export class UsageEstimator {
  /** The model whose rules apply. */
  readonly model: ModelInfo;
  private done = { inputAudio: 0, outputAudio: 0, outputBilled: 0, turns: 0 };
  private open = { inputSeconds: 0, outputSeconds: 0, outputText: 0 };
  private sums = { inputSeconds: 0, outputSeconds: 0, images: 0, imageTokens: 0, inputText: 0, outputText: 0 };

  constructor(model: ModelRef) {
    this.model = modelOf(model);
  }

  /** Adds seconds of input audio to the open turn (e.g. `pcm.length / sampleRate` per chunk sent). */
  addInputAudio(seconds: number): void {
    checkSeconds(seconds);
    this.open.inputSeconds += seconds;
    this.sums.inputSeconds += seconds;
  }

  /** Adds output audio to the open turn. */
  addOutputAudio(seconds: number): void {
    checkSeconds(seconds);
    this.open.outputSeconds += seconds;
    this.sums.outputSeconds += seconds;
  }

  /** Adds one image, by dimensions or by its bytes (JPEG/PNG header). Returns its tokens. */
  addImage(widthOrBytes: number | Uint8Array, height?: number): number {
    let width: number;
    if (typeof widthOrBytes === 'number') {
      width = widthOrBytes;
      height ??= NaN;
    } else {
      const info = detectImage(widthOrBytes);
      if (info === null) throw new ValidationError('addImage: not a JPEG or PNG with a readable header', 'image');
      ({ width, height } = info);
    }
    if (!(width > 0 && height > 0)) throw new ValidationError(`addImage: width and height must be positive, got ${width}×${height}`, 'image');
    const tokens = estimateImageTokens(this.model, width, height);
    this.sums.images++;
    this.sums.imageTokens += tokens;
    return tokens;
  }

  /** Adds input text (e.g. `input_text` items). */
  addInputText(text: string): void {
    this.sums.inputText += textTokens(text);
  }

  /** Adds output text (transcripts or text responses). */
  addOutputText(text: string): void {
    const tokens = textTokens(text);
    this.open.outputText += tokens;
    this.sums.outputText += tokens;
  }

  /** Closes the open turn: its audio is rounded up to whole seconds (at least 1) and billed. */
  endTurn(): void {
    this.done.inputAudio += this.openTokens('input');
    this.done.outputAudio += this.openTokens('output');
    this.done.outputBilled += this.openBilledOutput();
    this.done.turns++;
    this.open = { inputSeconds: 0, outputSeconds: 0, outputText: 0 };
  }

  /** The totals so far, counting the open turn as if it ended now. */
  get totals(): UsageTotals {
    const inputAudioTokens = this.done.inputAudio + this.openTokens('input');
    const outputAudioTokens = this.done.outputAudio + this.openTokens('output');
    const inputTokens = inputAudioTokens + this.sums.imageTokens + this.sums.inputText;
    const outputTokens = this.done.outputBilled + this.openBilledOutput();
    return {
      inputAudioSeconds: this.sums.inputSeconds,
      outputAudioSeconds: this.sums.outputSeconds,
      images: this.sums.images,
      turns: this.done.turns,
      inputAudioTokens,
      outputAudioTokens,
      imageTokens: this.sums.imageTokens,
      inputTextTokens: this.sums.inputText,
      outputTextTokens: this.sums.outputText,
      inputTokens,
      outputTokens,
      totalTokens: inputTokens + outputTokens,
    };
  }

  /** Starts over with zero totals. */
  reset(): void {
    this.done = { inputAudio: 0, outputAudio: 0, outputBilled: 0, turns: 0 };
    this.open = { inputSeconds: 0, outputSeconds: 0, outputText: 0 };
    this.sums = { inputSeconds: 0, outputSeconds: 0, images: 0, imageTokens: 0, inputText: 0, outputText: 0 };
  }

  /** The open turn's billed output: its audio, and its text where the model bills it (§0.2.22). */
  private openBilledOutput(): number {
    return billedOutputTokens(this.model.tokens, this.open.outputText, this.openTokens('output'));
  }

  private openTokens(direction: 'input' | 'output'): number {
    return estimateAudioTokens(this.model, direction === 'input' ? this.open.inputSeconds : this.open.outputSeconds, direction);
  }
}
