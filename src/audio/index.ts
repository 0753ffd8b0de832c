/**
 * `dashscope-realtime/audio`: the audio and vision kit. PCM conversion, band-limited resampling,
 * WAV files, real-time pacing, stream adapters, JPEG/PNG checks, frame sampling and token
 * estimates. Pure TypeScript on typed arrays: runs in Node, Deno, Bun and browsers (only
 * WavStreamWriter needs Node's file system, loaded when used).
 */
export { encodeBase64, decodeBase64 } from './base64.js';
export { int16ToFloat32, float32ToInt16, pcm16FromBytes, pcm16FromBase64, pcm16ToBytes, downmixToMono } from './pcm.js';
export { decodeSamples, encodeSamples, bytesPerSample, sampleFormatOf, type SampleFormat } from './sampleFormat.js';
export { Resampler, resample, type ResamplerOptions, type ResamplerQuality } from './resample.js';
export {
  readWav, writeWav, WavStreamWriter,
  type WavAudio, type ReadWavOptions, type WriteWavOptions, type WavStreamTarget, type WavStreamWriterOptions,
} from './wav.js';
export type { FileHandleLike, WritableLike } from './wavStreamWriter.js';
export { toPcm16Mono, wavToPcm16Mono, Pcm16MonoConverter, type SourceFormat, type ConvertedWav } from './convert.js';
export {
  chunkPcm16, pace, samplesPerChunk, systemClock, PcmRechunker, fromNodeStream, fromWebStream,
  type PaceOptions, type PaceClock, type StreamChunkOptions,
} from './pacing.js';
export {
  detectImage, checkImage, sniffImageFormat, FrameSampler, sampleFrames, MAX_IMAGE_BASE64_BYTES,
  type ImageInfo, type CheckImageOptions, type CheckedImage, type FrameSamplerOptions,
} from './image.js';
export {
  estimateAudioTokens, estimateImageTokens, estimateVideoTokens, UsageEstimator,
  type ModelRef, type UsageTotals,
} from './estimate.js';
