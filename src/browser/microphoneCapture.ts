/**
 * Microphone capture in the browser: `getUserMedia` → an AudioWorklet at the device's own rate
 * (no browser resampling of unknown quality) → the audio kit's band-limited converter → PCM16
 * mono chunks of `chunkMs` at the session's input rate (16 kHz, 100 ms by default, protocol.md
 * §2.3), ready for `client.appendAudio(chunk)`.
 */
import { ValidationError } from '../errors.js';
import { CaptureChunker } from './captureChunker.js';
import { CAPTURE_PROCESSOR, CAPTURE_WORKLET_SOURCE } from './captureWorklet.js';
import { loadWorklet } from './workletLoader.js';

/** Options of {@link MicrophoneCapture.start}. */
export interface MicrophoneCaptureOptions {
  /** Receives each PCM16 mono chunk at `sampleRate`. */
  onChunk: (pcm: Int16Array) => void;
  /** Rate of the chunks: the session's input rate (§2.3). Default 16000. */
  sampleRate?: number;
  /** Length of each chunk in ms (§2.3 recommends 100). Default 100. */
  chunkMs?: number;
  /** A context to run in. Default: a new one at the device's rate, closed by `stop()`. */
  audioContext?: AudioContext;
  /** Use this stream instead of asking for the microphone (its tracks are not stopped by `stop()`). */
  stream?: MediaStream;
  /** Microphone constraints. Default: mono with echo cancellation, noise suppression and auto gain (so the reply does not interrupt itself, §5.3). */
  constraints?: MediaTrackConstraints;
  /** URL of the capture worklet module, for pages that forbid `blob:` scripts. Default: loaded from a Blob URL. */
  workletUrl?: string;
}

const DEFAULT_CONSTRAINTS: MediaTrackConstraints = { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** A running microphone capture. */
export class MicrophoneCapture {
  #level = 0;
  #muted = false;
  #stopped: Promise<void> | undefined;

  private constructor(
    private readonly context: AudioContext,
    private readonly ownsContext: boolean,
    /** The microphone stream (for a WebRTC track or a visualiser). */
    readonly stream: MediaStream,
    private readonly ownsStream: boolean,
    private readonly source: MediaStreamAudioSourceNode,
    private readonly node: AudioWorkletNode,
    private readonly sink: GainNode,
    private readonly chunker: CaptureChunker,
    private readonly onChunk: (pcm: Int16Array) => void,
    /** Rate of the chunks. */
    readonly sampleRate: number,
    /** Length of a chunk in ms. */
    readonly chunkMs: number,
  ) {
    node.port.onmessage = (event: MessageEvent<{ type: string; samples?: Float32Array; rms?: number }>) => {
      const m = event.data;
      if (m.type !== 'block' || !m.samples) return;
      this.#level = m.rms ?? 0;
      const chunks = this.chunker.push(this.#muted ? new Float32Array(m.samples.length) : m.samples);
      for (const chunk of chunks) this.onChunk(chunk);
    };
  }

  /**
   * Asks for the microphone (unless `stream` is given) and starts capturing. Call it from a user
   * gesture (a click), so that the browser lets the audio context run. Rejects with the browser's
   * `NotAllowedError` when the user refuses, or a {@link ValidationError} for bad options.
   */
  static async start(options: MicrophoneCaptureOptions): Promise<MicrophoneCapture> {
    if (typeof options?.onChunk !== 'function') throw new ValidationError('onChunk must be a function receiving Int16Array chunks.', 'onChunk');
    const sampleRate = options.sampleRate ?? 16_000;
    const chunkMs = options.chunkMs ?? 100;
    if (![8000, 16000, 24000, 48000].includes(sampleRate)) throw new ValidationError(`sampleRate must be 8000, 16000, 24000 or 48000 (§2.3), got ${sampleRate}.`, 'sampleRate', [8000, 16000, 24000, 48000]);
    if (!(chunkMs >= 10 && chunkMs <= 1000)) throw new ValidationError(`chunkMs must be from 10 to 1000, got ${chunkMs}.`, 'chunkMs');
    const media = globalThis.navigator?.mediaDevices;
    if (!options.stream && !media?.getUserMedia) throw new ValidationError('This page cannot use the microphone: getUserMedia needs a secure context (https:// or localhost).', 'stream');
    const stream = options.stream ?? (await media!.getUserMedia({ audio: options.constraints ?? DEFAULT_CONSTRAINTS, video: false }));
    const context = options.audioContext ?? new AudioContext({ latencyHint: 'interactive' });
    try {
      await loadWorklet(context, CAPTURE_PROCESSOR, CAPTURE_WORKLET_SOURCE, options.workletUrl);
      // Not awaited: without a user gesture Chrome keeps resume() pending until one happens;
      // capture then starts with it instead of hanging here.
      if (context.state === 'suspended') context.resume().catch(() => {});
      const blockFrames = Math.round(context.sampleRate * 0.02); // 20 ms blocks: small enough to keep latency low
      const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { blockFrames } });
      const source = context.createMediaStreamSource(stream);
      // A silent path to the destination keeps the node pulled by the graph in every browser.
      const sink = context.createGain();
      sink.gain.value = 0;
      source.connect(node);
      node.connect(sink);
      sink.connect(context.destination);
      const chunker = new CaptureChunker(context.sampleRate, sampleRate, chunkMs);
      return new MicrophoneCapture(context, !options.audioContext, stream, !options.stream, source, node, sink, chunker, options.onChunk, sampleRate, chunkMs);
    } catch (error) {
      if (!options.stream) for (const track of stream.getTracks()) track.stop();
      if (!options.audioContext) await context.close().catch(() => {});
      throw error;
    }
  }

  /** The device's sample rate (the context's). */
  get deviceSampleRate(): number {
    return this.context.sampleRate;
  }

  /** RMS level of the last 20 ms, 0 to 1 (for a level meter). */
  get level(): number {
    return this.#level;
  }

  /** While muted, silence is sent instead of the microphone (the stream keeps its timing for server VAD). */
  get muted(): boolean {
    return this.#muted;
  }

  set muted(value: boolean) {
    this.#muted = value;
  }

  /** Stops capturing: the last partial chunk is delivered, the microphone released, the own context closed. */
  stop(): Promise<void> {
    return (this.#stopped ??= this.#stop());
  }

  async #stop(): Promise<void> {
    // Ask the worklet for its partial block, bounded in case the audio thread is not running.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 200);
      const previous = this.node.port.onmessage;
      this.node.port.onmessage = (event: MessageEvent<{ type: string }>) => {
        previous?.call(this.node.port, event);
        if (event.data.type === 'stopped') {
          clearTimeout(timer);
          resolve();
        }
      };
      this.node.port.postMessage({ type: 'stop' });
    });
    this.node.port.onmessage = null;
    for (const chunk of this.chunker.flush()) this.onChunk(chunk);
    this.source.disconnect();
    this.node.disconnect();
    this.sink.disconnect();
    if (this.ownsStream) for (const track of this.stream.getTracks()) track.stop();
    if (this.ownsContext) await this.context.close().catch(() => {});
    this.#level = 0;
  }
}
