/**
 * Byte streams (a Node Readable such as `process.stdin` or an `ffmpeg` pipe, a web
 * ReadableStream such as `fetch().body`) → PCM16 chunks of exactly N ms.
 *
 * Streams cut their chunks anywhere, often mid-sample: the odd byte is carried into the next
 * chunk rather than dropped, since one lost byte would swap the high and low bytes of every later
 * sample and turn the rest of the audio into noise.
 */
import { ValidationError } from '../errors.js';

/** Chunking of a PCM16 byte stream. */
export interface StreamChunkOptions {
  /** Frames per second of the PCM. */
  sampleRate: number;
  /** Chunk length in milliseconds; default 100 (protocol.md §2.3). */
  chunkMs?: number;
  /** Interleaved channels; default 1. */
  channels?: number;
}

/** Re-cuts arbitrary byte chunks into fixed-size PCM16 chunks. */
export class PcmRechunker {
  /** Bytes per output chunk. */
  readonly chunkBytes: number;
  private readonly frameBytes: number;
  private pending: Uint8Array;
  private filled = 0;

  constructor(options: StreamChunkOptions) {
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1) throw new ValidationError(`channels must be a positive integer, got ${channels}`, 'channels');
    const chunkMs = options.chunkMs ?? 100;
    const frames = Math.round((options.sampleRate * chunkMs) / 1000);
    if (!(frames >= 1)) throw new ValidationError(`${chunkMs} ms at ${options.sampleRate} Hz is less than one sample`, 'chunkMs');
    this.frameBytes = 2 * channels;
    this.chunkBytes = frames * this.frameBytes;
    this.pending = new Uint8Array(this.chunkBytes);
  }

  /** Whole chunks completed by `bytes` (each a new array); the rest waits for more input. */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length) {
      const take = Math.min(this.chunkBytes - this.filled, bytes.length - i);
      this.pending.set(bytes.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.chunkBytes) {
        out.push(this.pending);
        this.pending = new Uint8Array(this.chunkBytes);
        this.filled = 0;
      }
    }
    return out;
  }

  /**
   * Bytes of a partial frame that the last end() could not return (0 normally). Non-zero means
   * the stream was not PCM16 with this channel count, or was cut mid-sample.
   */
  strayBytes = 0;

  /**
   * The shorter last chunk (whole frames), or null when nothing is left; then starts over. Bytes
   * of an incomplete last frame are not audio that can be sent: they are counted in
   * {@link strayBytes} for the caller to report, never silently ignored by the adapters below.
   */
  end(): Uint8Array | null {
    const whole = this.filled - (this.filled % this.frameBytes);
    this.strayBytes = this.filled - whole;
    const last = whole > 0 ? this.pending.slice(0, whole) : null;
    this.filled = 0;
    return last;
  }
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === 'string') throw new ValidationError('The stream yields strings; PCM needs a binary stream (do not call setEncoding on it)', 'stream');
  throw new ValidationError(`The stream yields ${typeof chunk} chunks; expected bytes (Uint8Array/Buffer)`, 'stream');
}

async function* rechunk(source: AsyncIterable<unknown>, options: StreamChunkOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const chunker = new PcmRechunker(options);
  for await (const chunk of source) yield* chunker.push(asBytes(chunk));
  const last = chunker.end();
  if (last !== null) yield last;
  if (chunker.strayBytes > 0) {
    throw new ValidationError(`PCM stream ended inside a frame: ${chunker.strayBytes} byte(s) left over (${2 * (options.channels ?? 1)}-byte frames); is it really 16-bit PCM with this channel count?`, 'stream');
  }
}

/**
 * PCM16 chunks of `chunkMs` from a Node Readable (or any async iterable of bytes). Stopping early
 * (break) destroys the stream, as `for await` over a Readable does.
 */
export function fromNodeStream(stream: AsyncIterable<Uint8Array | string>, options: StreamChunkOptions): AsyncGenerator<Uint8Array, void, undefined> {
  return rechunk(stream, options);
}

/**
 * PCM16 chunks of `chunkMs` from a web ReadableStream of bytes. Stopping early cancels the
 * stream so its source stops producing; at the normal end the reader's lock is released.
 */
export async function* fromWebStream(stream: ReadableStream<Uint8Array>, options: StreamChunkOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let done = false;
  try {
    const source = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const r = await reader.read();
          if (r.done) { done = true; return; }
          yield r.value;
        }
      },
    };
    yield* rechunk(source, options);
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}
