/**
 * A WAV writer for audio that arrives over time (a microphone, the model's `response.audio.delta`
 * stream): samples go to disk as they come, and the RIFF and data sizes are fixed on close().
 *
 * Node only (it needs a file system or a Node stream), but importing it is harmless elsewhere:
 * `node:fs/promises` is loaded lazily, only when a path is given.
 */
import { RealtimeError, ValidationError } from '../errors.js';
import { int16ToFloat32, pcm16ToBytes } from './pcm.js';
import { encodeSamples, sampleFormatOf } from './sampleFormat.js';
import { MAX_WAV_DATA_BYTES, buildWavHeader, validateWavSpec, type WavHeader, type WavSpec } from './wavFormat.js';

/** The part of Node's `FileHandle` used here (positional writes). */
export interface FileHandleLike {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<unknown>;
  close(): Promise<void>;
}

/** The part of a Node `Writable` used here. */
export interface WritableLike {
  write(chunk: Uint8Array): boolean;
  end(callback?: () => void): unknown;
  once(event: 'drain' | 'finish', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/**
 * Where the file goes: a path (created or truncated), a `FileHandle` (written from position 0,
 * left open), or a `Writable` (which cannot seek: sizes stay at the 0xFFFFFFFF "unknown length"
 * placeholder that ffmpeg, sox and {@link readWav} accept, except for an `fs.WriteStream`, whose
 * file is reopened and patched after it finishes).
 */
export type WavStreamTarget = string | FileHandleLike | WritableLike;

/** Format of the file being written. */
export interface WavStreamWriterOptions {
  /** Frames per second. */
  sampleRate: number;
  /** Interleaved channels; default 1. */
  channels?: number;
  /** Bits per stored sample; default 16 (32 when `float`). */
  bitsPerSample?: 8 | 16 | 24 | 32 | 64;
  /** Store IEEE float samples; default false. */
  float?: boolean;
  /** Write a WAVE_FORMAT_EXTENSIBLE header; default false. */
  extensible?: boolean;
}

type FsPromises = typeof import('node:fs/promises');
/**
 * Loads the file system only when a path is written to. The specifier is a variable, and the
 * bundler hints are there, so browser bundles that import the audio kit never try to resolve it.
 */
const FS_MODULE = 'node:fs/promises';
const loadFs = (): Promise<FsPromises> => import(/* webpackIgnore: true */ /* @vite-ignore */ FS_MODULE) as Promise<FsPromises>;

function isWritable(target: FileHandleLike | WritableLike): target is WritableLike {
  return typeof (target as WritableLike).end === 'function';
}

/** Writes a WAV file incrementally; call {@link close} to finish it. Writes are applied in call order. */
export class WavStreamWriter {
  private readonly spec: WavSpec;
  private readonly header: WavHeader;
  private readonly blockAlign: number;
  private handle: FileHandleLike | undefined;
  private ownsHandle = false;
  private readonly stream: WritableLike | undefined;
  private streamError: unknown;
  /** Rejects the drain or finish being awaited when the stream fails. */
  private rejectWait: ((error: unknown) => void) | undefined;
  /** Every operation, in call order; a failure makes later writes fail too. */
  private chain: Promise<void>;
  private closing: Promise<void> | undefined;
  /** Audio bytes accepted so far. */
  private bytes = 0;
  /** File position of the next sequential write (handles only). */
  private written = 0;

  constructor(target: WavStreamTarget, options: WavStreamWriterOptions) {
    const float = options.float === true;
    this.spec = { sampleRate: options.sampleRate, channels: options.channels ?? 1, bitsPerSample: options.bitsPerSample ?? (float ? 32 : 16), float, extensible: options.extensible === true };
    validateWavSpec(this.spec);
    this.blockAlign = this.spec.channels * (this.spec.bitsPerSample / 8);
    this.header = buildWavHeader(this.spec, 0);
    // Until close() fixes them, the sizes say "unknown length": a crash mid-recording still leaves
    // a file that lenient readers play in full, where a 0 would make it look empty.
    const v = new DataView(this.header.bytes.buffer);
    v.setUint32(4, 0xffffffff, true);
    v.setUint32(this.header.dataSizeOffset, 0xffffffff, true);
    if (typeof target === 'string') {
      this.chain = loadFs().then(async (fs) => {
        this.handle = await fs.open(target, 'w');
        this.ownsHandle = true;
      });
    } else if (isWritable(target)) {
      this.stream = target;
      // One persistent listener instead of one per wait: a long recording waits for many drains.
      target.on('error', (error) => {
        this.streamError ??= error;
        this.rejectWait?.(error);
      });
      this.chain = Promise.resolve();
    } else {
      this.handle = target;
      this.chain = Promise.resolve();
    }
    this.chain = this.chain.then(() => this.put(this.header.bytes));
    this.chain.catch(() => {}); // reported by the next write() or close(), not as unhandled
  }

  /** Frames written so far. */
  get frames(): number {
    return Math.floor(this.bytes / this.blockAlign);
  }

  /** Appends interleaved samples, converted to the file's format (Int16 → 16-bit is bit-exact). */
  write(samples: Int16Array | Float32Array): Promise<void> {
    if (samples.length % this.spec.channels !== 0) {
      return Promise.reject(new ValidationError(`${samples.length} samples is not a whole number of ${this.spec.channels}-channel frames`, 'samples'));
    }
    const bytes = samples instanceof Int16Array && this.spec.bitsPerSample === 16 && !this.spec.float
      ? pcm16ToBytes(samples)
      : encodeSamples(samples instanceof Int16Array ? int16ToFloat32(samples) : samples, sampleFormatOf(this.spec.bitsPerSample, this.spec.float));
    return this.writeBytes(bytes);
  }

  /** Appends bytes already in the file's format, e.g. decoded `response.audio.delta` PCM. */
  writeBytes(bytes: Uint8Array): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new RealtimeError('WavStreamWriter: write after close()', 'closed'));
    if (this.bytes + bytes.length > MAX_WAV_DATA_BYTES) {
      return Promise.reject(new ValidationError('WAV data would pass the 4 GB limit of the RIFF header; start a new file', 'samples'));
    }
    this.bytes += bytes.length;
    const copy = bytes.slice(); // the caller may reuse its buffer before the write lands
    this.chain = this.chain.then(() => this.put(copy));
    return this.chain;
  }

  /**
   * Pads to an even size, fixes the RIFF, data and fact sizes, and closes what this writer opened.
   * After a failed write it still closes the file it opened, then rejects with that failure.
   */
  close(): Promise<void> {
    this.closing ??= this.chain.then(
      () => this.finish(),
      async (error: unknown) => {
        if (this.ownsHandle) await this.handle?.close().catch(() => {});
        throw error;
      },
    );
    return this.closing;
  }

  private async put(bytes: Uint8Array, position?: number): Promise<void> {
    if (this.streamError !== undefined) throw this.streamError;
    if (this.stream !== undefined) {
      if (!this.stream.write(bytes)) await this.waitFor(this.stream, 'drain');
      return;
    }
    await this.handle!.write(bytes, 0, bytes.length, position ?? this.written);
    if (position === undefined) this.written += bytes.length;
  }

  private async finish(): Promise<void> {
    const pad = this.bytes & 1;
    if (pad) await this.put(new Uint8Array(1)); // RIFF chunks are padded to even sizes
    const fix = new WavFixups(this.header, this.bytes, this.blockAlign);
    if (this.stream !== undefined) {
      const stream = this.stream;
      const finished = this.waitFor(stream, 'finish');
      stream.end();
      await finished;
      // An fs.WriteStream knows its path: reopen it and patch, since the stream itself cannot seek.
      const path = (stream as { path?: unknown }).path;
      const flags = (stream as { flags?: unknown }).flags;
      if (typeof path === 'string' && (flags === undefined || flags === 'w')) {
        const fs = await loadFs();
        const handle = await fs.open(path, 'r+');
        try { await fix.apply(handle); } finally { await handle.close(); }
      }
      return;
    }
    try {
      await fix.apply(this.handle!);
    } finally {
      if (this.ownsHandle) await this.handle!.close();
    }
  }

  private async waitFor(stream: WritableLike, event: 'drain' | 'finish'): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.streamError !== undefined) return reject(this.streamError);
        this.rejectWait = reject;
        stream.once(event, resolve);
      });
    } finally {
      this.rejectWait = undefined;
    }
  }
}

/** The three size fields of a finished file, written in place. */
class WavFixups {
  private readonly riff = new Uint8Array(4);
  private readonly data = new Uint8Array(4);
  private readonly fact = new Uint8Array(4);
  constructor(private readonly header: WavHeader, dataBytes: number, blockAlign: number) {
    new DataView(this.riff.buffer).setUint32(0, header.bytes.length - 8 + dataBytes + (dataBytes & 1), true);
    new DataView(this.data.buffer).setUint32(0, dataBytes, true);
    new DataView(this.fact.buffer).setUint32(0, Math.floor(dataBytes / blockAlign), true);
  }

  async apply(handle: FileHandleLike): Promise<void> {
    await handle.write(this.riff, 0, 4, 4);
    await handle.write(this.data, 0, 4, this.header.dataSizeOffset);
    if (this.header.factOffset !== undefined) await handle.write(this.fact, 0, 4, this.header.factOffset);
  }
}
