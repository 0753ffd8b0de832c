/**
 * Audio in whatever shape it comes → what the service takes: PCM s16le mono at the session's
 * input rate (protocol.md §2.3). Downmix first (cheaper: the resampler then filters one channel),
 * then resample, then quantize once at the end.
 */
import { ValidationError } from '../errors.js';
import { downmixToMono, float32ToInt16, int16ToFloat32 } from './pcm.js';
import { Resampler, resample } from './resample.js';
import { readWav } from './wav.js';

/** The format of audio going into a conversion. */
export interface SourceFormat {
  /** Frames per second. */
  sampleRate: number;
  /** Interleaved channels; default 1. */
  channels?: number;
}

/** A WAV file converted for sending. */
export interface ConvertedWav {
  /** PCM16 mono at the requested rate. */
  pcm: Int16Array;
  /** The file's sample rate. */
  sourceSampleRate: number;
  /** The file's channel count. */
  sourceChannels: number;
  /** Length of the audio in milliseconds. */
  durationMs: number;
}

function channelsOf(from: SourceFormat): number {
  const channels = from.channels ?? 1;
  if (!Number.isInteger(channels) || channels < 1) throw new ValidationError(`channels must be a positive integer, got ${channels}`, 'channels');
  return channels;
}

/** Float mono of `input` (a copy only where the conversion requires one). */
function toFloatMono(input: Float32Array | Int16Array, channels: number): Float32Array {
  const float = input instanceof Int16Array ? int16ToFloat32(input) : input;
  return channels === 1 ? float : downmixToMono(float, channels);
}

/**
 * PCM16 mono at `targetRate` from interleaved samples (Int16 or float in [-1, 1]) at any rate
 * and channel count, treated as one whole signal. For audio that arrives in chunks use
 * {@link Pcm16MonoConverter}: converting chunks one by one restarts the filter at every chunk
 * boundary, which adds clicks.
 */
export function toPcm16Mono(input: Float32Array | Int16Array, from: SourceFormat, targetRate: number): Int16Array {
  const channels = channelsOf(from);
  if (input instanceof Int16Array && channels === 1 && from.sampleRate === targetRate) return input.slice();
  const mono = toFloatMono(input, channels);
  return float32ToInt16(from.sampleRate === targetRate ? mono : resample(mono, from.sampleRate, targetRate));
}

/** A WAV file (any format {@link readWav} accepts) as PCM16 mono at `targetRate`. */
export function wavToPcm16Mono(bytes: Uint8Array, targetRate: number): ConvertedWav {
  const wav = readWav(bytes);
  const mono = downmixToMono(wav.samples, wav.channels);
  const pcm = float32ToInt16(wav.sampleRate === targetRate ? mono : resample(mono, wav.sampleRate, targetRate));
  return { pcm, sourceSampleRate: wav.sampleRate, sourceChannels: wav.channels, durationMs: (wav.frames / wav.sampleRate) * 1000 };
}

/**
 * The streaming form of {@link toPcm16Mono}: feed chunks as they arrive (a microphone, a decoder),
 * get PCM16 mono at the target rate back, identical to converting the whole signal at once.
 */
export class Pcm16MonoConverter {
  private readonly channels: number;
  private readonly resampler: Resampler;

  constructor(from: SourceFormat, targetRate: number) {
    this.channels = channelsOf(from);
    this.resampler = new Resampler(from.sampleRate, targetRate);
  }

  /** Converted output for the next chunk (whole frames only; may be empty while the filter fills). */
  process(input: Float32Array | Int16Array): Int16Array {
    return float32ToInt16(this.resampler.process(toFloatMono(input, this.channels)));
  }

  /** The held-back tail at the end of the signal; the converter is then ready for a new one. */
  flush(): Int16Array {
    return float32ToInt16(this.resampler.flush());
  }
}
