/**
 * The simulator's voice activity detector: turns the stream of `input_audio_buffer.append` PCM16
 * into the speech boundaries behind `input_audio_buffer.speech_started` / `speech_stopped`
 * (protocol.md §4.4, §4.5) in VAD mode (§5.2), driven by `session.turn_detection` (§3.1.3).
 *
 * Design (energy VAD with an adaptive noise floor, all on 10 ms frames):
 * 1. Each frame's energy in dBFS: 10·log10 of the frame's variance (mean square after removing
 *    the frame's mean, so a DC offset carries no energy) of samples scaled to [-1, 1]; a
 *    full-scale square wave is 0 dBFS and a full-scale sine −3 dBFS. The mean is removed per frame
 *    rather than with a high-pass filter because a filter's ringing would lengthen loud clicks.
 * 2. Steady rumble and hum are left to the noise floor (3).
 * 3. A frame is *active* when its energy exceeds both the absolute threshold mapped from
 *    `threshold` (see {@link thresholdToDbfs}) and the noise floor + 10 dB. The noise floor is the
 *    minimum frame energy of the last 3 s (a sliding minimum), capped at −45 dBFS so that a long
 *    steady sound at speech level (a tone, a held vowel) is never absorbed into the floor.
 * 4. Speech starts once 80 ms of active frames accumulate with gaps of at most 30 ms, so clicks
 *    shorter than ~60 ms are never speech. The onset is back-dated to the first active frame:
 *    §4.4 defines `audio_start_ms` as the time of the first detected speech, not the detection time.
 *    The `start` boundary is therefore returned 80 ms after that onset, at most 290 ms (8 active
 *    frames separated by gaps of up to 3 frames): callers keeping audio for prefix padding should
 *    keep `prefixPaddingMs` + 290 ms.
 * 5. While speaking, runs of ≥ 30 ms of active frames extend the voiced region; shorter blips do
 *    not. Speech stops once `silenceDurationMs` has passed since the end of the last voiced frame
 *    (§3.1.3 `silence_duration_ms`); `audio_end_ms` (§4.5) is that end.
 *
 * Everything is computed per frame on the absolute sample timeline, so the boundaries do not
 * depend on how the audio is chunked; memory is bounded by one frame plus the 3 s minimum window.
 */

/** Options of {@link SpeechDetector}; the names follow `session.turn_detection` (§3.1.3). */
export interface SpeechDetectorOptions {
  /** Sample rate of the PCM16 mono input, in Hz (§2.3: 8000, 16000, 24000 or 48000). */
  sampleRate: number;
  /** `turn_detection.threshold` in [-1, 1]; lower is more sensitive. Default 0.5 (server doc). */
  threshold?: number;
  /**
   * `turn_detection.prefix_padding_ms`, default 300. The detector does not move its boundaries by
   * it (§4.4 reports the onset itself); it is kept so the core can start the committed audio at
   * `audioStartMs - prefixPaddingMs`.
   */
  prefixPaddingMs?: number;
  /** `turn_detection.silence_duration_ms`: silence that ends a turn. Default 800. */
  silenceDurationMs?: number;
}

/** A detected boundary, in ms on the session audio timeline (from the first sample pushed). */
export type SpeechBoundary =
  | { type: 'start'; audioStartMs: number }
  | { type: 'stop'; audioEndMs: number };

const FRAME_MS = 10;
const NOISE_WINDOW_MS = 3000;
const NOISE_MARGIN_DB = 10;
const NOISE_FLOOR_CAP_DB = -45;
const HYSTERESIS_DB = 6;
const MIN_SPEECH_MS = 80;
const MAX_ONSET_GAP_MS = 30;
const MIN_CONTINUATION_MS = 30;
const SILENT_DB = -100;

/**
 * Maps `turn_detection.threshold` ([-1, 1], lower = more sensitive, §3.1.3) to the absolute
 * frame-energy threshold in dBFS: `-55 + 25 × threshold`, i.e. −80 dBFS at −1, −55 at 0,
 * −50 at 0.2 (what the SDKs send), −42.5 at 0.5 (the server default) and −30 at 1. Out-of-range
 * values are clamped. Normal speech has frame energies of −35…−15 dBFS; whispers and quiet
 * microphones −55…−40 dBFS.
 */
export function thresholdToDbfs(threshold: number): number {
  const t = Number.isFinite(threshold) ? Math.min(1, Math.max(-1, threshold)) : 0.5;
  return -55 + 25 * t;
}

/**
 * Energy-based voice activity detector with noise-floor tracking and hangover. Feed it every
 * appended chunk with {@link SpeechDetector.push}; it returns the boundaries completed by that
 * chunk. Deterministic and independent of chunk sizes.
 */
export class SpeechDetector {
  /** Sample rate of the input, in Hz. */
  readonly sampleRate: number;
  /** Absolute frame-energy threshold in dBFS derived from `threshold`. */
  readonly thresholdDbfs: number;
  /** `prefix_padding_ms`, kept for the core (see {@link SpeechDetectorOptions.prefixPaddingMs}). */
  readonly prefixPaddingMs: number;
  /** Silence in ms that ends speech. */
  readonly silenceDurationMs: number;

  private readonly frameSize: number;
  private readonly frame: Float64Array;
  private frameFill = 0;
  private frameIndex = 0; // complete frames processed so far
  private samples = 0; // samples pushed so far
  // Sliding minimum of frame energies (monotonic deque in a ring buffer).
  private readonly windowFrames: number;
  private readonly dqIndex: Float64Array;
  private readonly dqValue: Float64Array;
  private dqHead = 0;
  private dqLength = 0;
  // Turn state, in frame units.
  private readonly minSpeechFrames: number;
  private readonly maxGapFrames: number;
  private readonly minRunFrames: number;
  private readonly silenceFrames: number;
  private isSpeaking = false;
  private candStart = -1; // first active frame of a possible onset, -1 when none
  private candActive = 0;
  private candGap = 0;
  private run = 0; // consecutive active frames while speaking
  private voicedEnd = 0; // frame index just after the last voiced frame

  /** Creates a detector; throws a RangeError for a sample rate that is not a positive number. */
  constructor(options: SpeechDetectorOptions) {
    const { sampleRate } = options;
    if (!Number.isFinite(sampleRate) || sampleRate < 1000) {
      throw new RangeError(`SpeechDetector: invalid sampleRate ${String(sampleRate)}`);
    }
    this.sampleRate = sampleRate;
    this.thresholdDbfs = thresholdToDbfs(options.threshold ?? 0.5);
    this.prefixPaddingMs = Math.max(0, options.prefixPaddingMs ?? 300);
    this.silenceDurationMs = Math.max(0, options.silenceDurationMs ?? 800);
    this.frameSize = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
    this.frame = new Float64Array(this.frameSize);
    const frameMs = (this.frameSize * 1000) / sampleRate;
    const frames = (ms: number): number => Math.max(1, Math.ceil(ms / frameMs - 1e-9));
    this.windowFrames = frames(NOISE_WINDOW_MS);
    this.dqIndex = new Float64Array(this.windowFrames + 1);
    this.dqValue = new Float64Array(this.windowFrames + 1);
    this.minSpeechFrames = frames(MIN_SPEECH_MS);
    this.maxGapFrames = frames(MAX_ONSET_GAP_MS);
    this.minRunFrames = frames(MIN_CONTINUATION_MS);
    this.silenceFrames = this.silenceDurationMs === 0 ? 0 : frames(this.silenceDurationMs);
  }

  /** Milliseconds of audio received so far (exact, may be fractional). */
  get positionMs(): number {
    return (this.samples * 1000) / this.sampleRate;
  }

  /** Whether speech has started and not yet stopped. */
  get speaking(): boolean {
    return this.isSpeaking;
  }

  /**
   * Forgets the current turn (after `input_audio_buffer.clear`, a manual commit or a
   * `turn_detection` change) but keeps the timeline, the partial frame and the noise floor: the
   * floor describes the room, not the turn, and §4.4/§4.5 times stay on the session timeline.
   */
  reset(): void {
    this.isSpeaking = false;
    this.candStart = -1;
    this.candActive = 0;
    this.candGap = 0;
    this.run = 0;
    this.voicedEnd = 0;
  }

  /** Feeds PCM16 mono samples; returns the boundaries this chunk completed, in order. */
  push(pcm: Int16Array): SpeechBoundary[] {
    const out: SpeechBoundary[] = [];
    const frame = this.frame;
    const size = this.frameSize;
    let fill = this.frameFill;
    for (let i = 0; i < pcm.length; i++) {
      frame[fill++] = (pcm[i] ?? 0) / 32768;
      if (fill === size) {
        fill = 0;
        let sum = 0;
        let sq = 0;
        for (let k = 0; k < size; k++) {
          const v = frame[k] ?? 0;
          sum += v;
          sq += v * v;
        }
        const mean = sum / size;
        const variance = sq / size - mean * mean;
        this.onFrame(variance > 1e-10 ? 10 * Math.log10(variance) : SILENT_DB, out);
      }
    }
    this.frameFill = fill;
    this.samples += pcm.length;
    return out;
  }

  /** Frame index → ms on the session timeline, rounded to integer ms as on the wire. */
  private frameMs(frameIndex: number): number {
    return Math.round((frameIndex * this.frameSize * 1000) / this.sampleRate);
  }

  private noiseFloor(db: number): number {
    // Monotonic deque: values increase from head to tail; the head is the window minimum.
    const cap = this.windowFrames + 1;
    const i = this.frameIndex;
    while (this.dqLength > 0) {
      const tail = (this.dqHead + this.dqLength - 1) % cap;
      if ((this.dqValue[tail] ?? 0) >= db) this.dqLength--;
      else break;
    }
    const slot = (this.dqHead + this.dqLength) % cap;
    this.dqIndex[slot] = i;
    this.dqValue[slot] = db;
    this.dqLength++;
    while ((this.dqIndex[this.dqHead] ?? 0) <= i - this.windowFrames) {
      this.dqHead = (this.dqHead + 1) % cap;
      this.dqLength--;
    }
    return this.dqValue[this.dqHead] ?? db;
  }

  private onFrame(db: number, out: SpeechBoundary[]): void {
    const i = this.frameIndex++;
    const floor = Math.min(this.noiseFloor(db), NOISE_FLOOR_CAP_DB);
    // Hysteresis: once speaking, the absolute threshold drops by HYSTERESIS_DB so decaying word
    // endings still count as voiced (a truer §4.5 audio_end_ms); the noise margin stays, so
    // background noise can never hold a turn open.
    const absolute = this.isSpeaking ? this.thresholdDbfs - HYSTERESIS_DB : this.thresholdDbfs;
    const active = db > absolute && db > floor + NOISE_MARGIN_DB;
    if (!this.isSpeaking) {
      if (active) {
        if (this.candStart < 0) {
          this.candStart = i;
          this.candActive = 0;
        }
        this.candActive++;
        this.candGap = 0;
        if (this.candActive >= this.minSpeechFrames) {
          out.push({ type: 'start', audioStartMs: this.frameMs(this.candStart) });
          this.isSpeaking = true;
          this.candStart = -1;
          this.run = this.minRunFrames;
          this.voicedEnd = i + 1;
        }
      } else if (this.candStart >= 0 && ++this.candGap > this.maxGapFrames) {
        this.candStart = -1;
      }
      return;
    }
    // A blip shorter than MIN_CONTINUATION_MS neither extends the voiced region nor delays stop.
    if (active) {
      this.run++;
      if (this.run >= this.minRunFrames) this.voicedEnd = i + 1;
    } else {
      this.run = 0;
    }
    if (this.voicedEnd <= i && i + 1 - this.voicedEnd >= this.silenceFrames) {
      out.push({ type: 'stop', audioEndMs: this.frameMs(this.voicedEnd) });
      this.isSpeaking = false;
    }
  }
}
