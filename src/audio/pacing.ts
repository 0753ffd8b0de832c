/**
 * Cutting PCM into the chunks `input_audio_buffer.append` carries (100 ms recommended,
 * protocol.md §2.3) and releasing them at the pace a microphone would, so a file can stand in for
 * a live speaker: server VAD (§3.2) judges silence by arrival time, and a whole file sent at once
 * is not what a live session looks like.
 */
import { AbortError, ValidationError } from '../errors.js';

export { PcmRechunker, fromNodeStream, fromWebStream, type StreamChunkOptions } from './streamAdapters.js';

/** Where {@link pace} gets time from; replaceable so tests need not wait. */
export interface PaceClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link pace}. */
export interface PaceOptions<T> {
  /** Duration of each chunk in milliseconds (used unless `durationMs` is given). */
  chunkMs: number;
  /**
   * `true`: real time (each chunk released when it would have finished recording); a number:
   * that many times faster than real time (2 = double speed, 0.5 = half); `false` (or 0): no waiting.
   */
  realtime: boolean | number;
  /** Stops the iteration with an AbortError. */
  signal?: AbortSignal;
  /** Duration of one chunk in ms, for chunks of varying length (e.g. the shorter last one). */
  durationMs?: (chunk: T) => number;
  /** Time source; default `performance.now()` and `setTimeout`. */
  clock?: PaceClock;
}

/** The clock of the host: `performance.now()` and `setTimeout`. */
export const systemClock: PaceClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError('pace'));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new AbortError('pace'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Samples in one chunk of `chunkMs` at `sampleRate` (at least 1). */
export function samplesPerChunk(sampleRate: number, chunkMs: number): number {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new ValidationError(`sampleRate must be a positive number, got ${sampleRate}`, 'sampleRate');
  if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) throw new ValidationError(`chunkMs must be a positive number of milliseconds, got ${chunkMs}`, 'chunkMs');
  const n = Math.round((sampleRate * chunkMs) / 1000);
  if (n < 1) throw new ValidationError(`${chunkMs} ms at ${sampleRate} Hz is less than one sample`, 'chunkMs');
  return n;
}

/**
 * `pcm` cut into chunks of `chunkMs` (3,200 bytes per 100 ms at 16 kHz). The last chunk holds the
 * rest and may be shorter: nothing is dropped or padded. Chunks are views into `pcm`, not copies.
 */
export function chunkPcm16(pcm: Int16Array, sampleRate: number, chunkMs: number): Int16Array[] {
  const size = samplesPerChunk(sampleRate, chunkMs);
  const chunks: Int16Array[] = [];
  for (let i = 0; i < pcm.length; i += size) chunks.push(pcm.subarray(i, i + size));
  return chunks;
}

/**
 * Yields `chunks` at the chosen pace. Release times are measured from the first chunk on one
 * clock (chunk n at the end of its audio, like a microphone), not by sleeping a fixed time per
 * chunk, so processing time does not accumulate into drift. A consumer that falls behind gets the
 * late chunks immediately, as a microphone's buffer would deliver them.
 */
export async function* pace<T>(chunks: Iterable<T> | AsyncIterable<T>, options: PaceOptions<T>): AsyncGenerator<T, void, undefined> {
  const { chunkMs, signal } = options;
  if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) throw new ValidationError(`chunkMs must be a positive number of milliseconds, got ${chunkMs}`, 'chunkMs');
  const speed = options.realtime === true ? 1 : options.realtime === false ? 0 : options.realtime;
  if (!(speed >= 0) || !Number.isFinite(speed)) throw new ValidationError(`realtime must be true, false or a positive speed factor, got ${options.realtime}`, 'realtime');
  const clock = options.clock ?? systemClock;
  let start: number | undefined;
  let audioMs = 0;
  for await (const chunk of chunks) {
    if (signal?.aborted) throw new AbortError('pace');
    if (speed > 0) {
      start ??= clock.now();
      audioMs += options.durationMs?.(chunk) ?? chunkMs;
      const wait = start + audioMs / speed - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
    }
    yield chunk;
  }
}
