/**
 * A streaming player for reply audio: PCM16 deltas (24 kHz by default, protocol.md §2.3, §4.17)
 * are queued in an AudioWorklet and played back to back without gaps. It implements the
 * session's `PlaybackAdapter`: on barge-in (§5.3) `stop()` drops what is queued and says how many
 * samples were actually heard, so the session can mark the interrupted item.
 *
 * The context runs at the reply's rate by default, so the browser does the one conversion to the
 * device; with a context at another rate, the audio kit's streaming resampler converts, and its
 * held-back tail is flushed after a pause in the deltas (or by `end()`).
 */
import { int16ToFloat32 } from '../audio/pcm.js';
import { Resampler } from '../audio/resample.js';
import { ValidationError } from '../errors.js';
import type { PlaybackAdapter } from '../session/interruption.js';
import { PlaybackPosition } from './playbackPosition.js';
import { PLAYER_PROCESSOR, PLAYER_WORKLET_SOURCE } from './playerWorklet.js';
import { loadWorklet } from './workletLoader.js';

/** Options of {@link StreamingPlayer.create}. */
export interface StreamingPlayerOptions {
  /** A context to play in. Default: a new one at `sampleRate`, closed by `close()`. */
  audioContext?: AudioContext;
  /** Rate of the new context: the reply's rate (§2.3). Default 24000. */
  sampleRate?: number;
  /** Initial volume, 0 to 1 (above 1 amplifies). Default 1. */
  volume?: number;
  /** Where to connect the output. Default the context's destination. */
  destination?: AudioNode;
  /** URL of the player worklet module, for pages that forbid `blob:` scripts. Default: a Blob URL. */
  workletUrl?: string;
  /** With resampling: flush the resampler's tail after this long without a delta, in ms. Default 100. */
  flushAfterMs?: number;
}

/** Plays streamed PCM16 without gaps; a `PlaybackAdapter`. */
export class StreamingPlayer implements PlaybackAdapter {
  readonly #position = new PlaybackPosition();
  #resampler: Resampler | undefined;
  #sourceRate = 0;
  #written = 0;
  #level = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(
    private readonly context: AudioContext,
    private readonly ownsContext: boolean,
    private readonly node: AudioWorkletNode,
    private readonly gain: GainNode,
    private readonly flushAfterMs: number,
  ) {
    node.port.onmessage = (event: MessageEvent<{ type: string; generation: number; played: number; buffered: number; frame: number; rms: number }>) => {
      const m = event.data;
      if (m.type !== 'position') return;
      this.#position.report(m);
      if (m.generation === this.#position.currentGeneration) this.#level = m.rms;
    };
  }

  /** Creates a player. Call it from a user gesture so the browser lets the context run. */
  static async create(options: StreamingPlayerOptions = {}): Promise<StreamingPlayer> {
    const volume = options.volume ?? 1;
    if (!(volume >= 0) || !Number.isFinite(volume)) throw new ValidationError(`volume must be a number ≥ 0, got ${volume}.`, 'volume');
    const flushAfterMs = options.flushAfterMs ?? 100;
    if (!(flushAfterMs > 0)) throw new ValidationError(`flushAfterMs must be positive, got ${flushAfterMs}.`, 'flushAfterMs');
    const context = options.audioContext ?? new AudioContext({ sampleRate: options.sampleRate ?? 24_000, latencyHint: 'interactive' });
    try {
      await loadWorklet(context, PLAYER_PROCESSOR, PLAYER_WORKLET_SOURCE, options.workletUrl);
      // Not awaited: without a user gesture Chrome keeps resume() pending until one happens, and
      // the player should then simply start late (or through resume()), not hang here.
      if (context.state === 'suspended') context.resume().catch(() => {});
      const node = new AudioWorkletNode(context, PLAYER_PROCESSOR, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
      const gain = context.createGain();
      gain.gain.value = volume;
      node.connect(gain);
      gain.connect(options.destination ?? context.destination);
      return new StreamingPlayer(context, !options.audioContext, node, gain, flushAfterMs);
    } catch (error) {
      if (!options.audioContext) await context.close().catch(() => {});
      throw error;
    }
  }

  /** The context's sample rate. */
  get sampleRate(): number {
    return this.context.sampleRate;
  }

  /** Volume, 0 to 1 (above 1 amplifies). */
  get volume(): number {
    return this.gain.gain.value;
  }

  set volume(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new ValidationError(`volume must be a number ≥ 0, got ${value}.`, 'volume');
    this.gain.gain.setTargetAtTime(value, this.context.currentTime, 0.01); // a 10 ms ramp, not a click
  }

  /** RMS level of what is playing, 0 to 1 (for a level meter). */
  get level(): number {
    return this.#level;
  }

  /** True while queued audio remains to be heard. */
  get playing(): boolean {
    return this.#position.remaining(this.#nowFrame(), this.#running()) > 0;
  }

  /** Milliseconds of queued audio not yet heard. */
  get bufferedMs(): number {
    return (this.#position.remaining(this.#nowFrame(), this.#running()) / this.context.sampleRate) * 1000;
  }

  /** Source samples (at the written rate) heard since the last stop. */
  get playedSamples(): number {
    return this.#toSource(this.#position.estimate(this.#nowFrame(), this.#running()));
  }

  /** Queues PCM16 mono samples at `sampleRate` (the reply's rate, e.g. `client.outputSampleRate`). */
  write(pcm: Int16Array, sampleRate: number): void {
    if (this.#closed) return;
    if (!(pcm instanceof Int16Array)) throw new ValidationError('write() takes an Int16Array of PCM16 samples.', 'pcm');
    if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384_000) throw new ValidationError(`sampleRate must be an integer rate in Hz, got ${sampleRate}.`, 'sampleRate');
    if (sampleRate !== this.#sourceRate) {
      this.#flushResampler();
      this.#sourceRate = sampleRate;
      this.#resampler = sampleRate === this.context.sampleRate ? undefined : new Resampler(sampleRate, this.context.sampleRate);
    }
    this.#written += pcm.length;
    const float = int16ToFloat32(pcm);
    this.#post(this.#resampler ? this.#resampler.process(float) : float);
    if (this.#resampler) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = setTimeout(() => this.#flushResampler(), this.flushAfterMs);
    }
  }

  /** The reply ended (e.g. `response.audio.done`): plays the resampler's held-back tail now. */
  end(): void {
    this.#flushResampler();
  }

  /** Stops at once, drops what is queued, and returns how many samples (at the written rate) were heard since the last stop. */
  stop(): number {
    const heard = Math.min(this.#written, this.#toSource(this.#position.estimate(this.#nowFrame(), this.#running())));
    clearTimeout(this.#flushTimer);
    this.#resampler?.reset();
    this.#written = 0;
    const generation = this.#position.reset(this.#nowFrame());
    this.node.port.postMessage({ type: 'stop', generation });
    this.#level = 0;
    return heard;
  }

  /** Resumes a context the browser suspended (autoplay policy); call from a user gesture. */
  async resume(): Promise<void> {
    if (this.context.state === 'suspended') await this.context.resume();
  }

  /** Stops and releases the audio graph (and the context, if the player made it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    this.node.port.postMessage({ type: 'close' });
    this.node.port.onmessage = null;
    this.node.disconnect();
    this.gain.disconnect();
    if (this.ownsContext) await this.context.close().catch(() => {});
  }

  #post(samples: Float32Array): void {
    if (samples.length === 0) return;
    this.#position.addPosted(samples.length);
    this.node.port.postMessage({ type: 'samples', samples }, [samples.buffer]);
  }

  #flushResampler(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#resampler) this.#post(this.#resampler.flush());
  }

  #nowFrame(): number {
    return Math.round(this.context.currentTime * this.context.sampleRate);
  }

  #running(): boolean {
    return this.context.state === 'running';
  }

  #toSource(frames: number): number {
    const rate = this.#sourceRate || this.context.sampleRate;
    return Math.round((frames * rate) / this.context.sampleRate);
  }
}
