/**
 * The microphone for Node: a recorder program (sox `rec`, ALSA `arecord` or ffmpeg, or a command
 * of your own) read as PCM16 mono chunks of a fixed length, ready for `appendAudio` (100 ms by
 * default, protocol.md §2.3).
 *
 * A recorder that cannot open the device, is missing, or stops on its own with an error ends the
 * iteration with an {@link AudioDeviceError} naming the command, its exit status and its last
 * stderr line. A recorder that ends with status 0 after some audio (a file played through `cat`)
 * ends it normally; with no audio at all, it failed.
 */
import { pcm16FromBytes } from '../audio/pcm.js';
import { PcmRechunker } from '../audio/streamAdapters.js';
import { ValidationError } from '../errors.js';
import type { AudioDeviceError } from './audioDeviceError.js';
import { recorderCommand, type AudioCommand } from './audioPrograms.js';
import { AudioProcess } from './audioProcess.js';

/** Options of {@link Microphone}. */
export interface MicrophoneOptions {
  /** Sample rate to record at, Hz; default 16000 (the service's input rate, protocol.md §2.3). */
  sampleRate?: number;
  /** Chunk length in ms; default 100. */
  chunkMs?: number;
  /**
   * A command line writing PCM s16le mono to stdout, run through the shell, `{rate}` replaced by
   * the sample rate. Default: the first of sox, ALSA and ffmpeg found on PATH.
   */
  command?: string;
  /** Environment used to look programs up (PATH); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A microphone: iterate it for PCM16 chunks; stop() ends the iteration. */
export class Microphone implements AsyncIterable<Int16Array> {
  /** Sample rate of the chunks, Hz. */
  readonly sampleRate: number;
  /** The recorder command. */
  readonly command: AudioCommand;
  readonly #chunkMs: number;
  #process: AudioProcess | undefined;
  #stopped = false;

  /** Finds the recorder (throws an AudioDeviceError naming what to install if there is none). */
  constructor(options: MicrophoneOptions = {}) {
    this.sampleRate = options.sampleRate ?? 16000;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate < 1000 || this.sampleRate > 384000) {
      throw new ValidationError(`sampleRate must be an integer from 1000 to 384000 Hz, got ${this.sampleRate}`, 'sampleRate');
    }
    this.#chunkMs = options.chunkMs ?? 100;
    this.command = recorderCommand(this.sampleRate, options.command, options.env);
  }

  /** Stops recording: the iteration ends after the chunks already read (no error). */
  stop(): void {
    this.#stopped = true;
    this.#process?.kill();
  }

  /**
   * Starts the recorder and yields its audio. Throws the AudioDeviceError of a recorder that
   * failed; a partial last chunk is yielded first. Leaving the loop early stops the recorder.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Int16Array, void, undefined> {
    if (this.#process !== undefined) throw new ValidationError('A Microphone can be iterated once; create another to record again', 'microphone');
    const proc = new AudioProcess(this.command, 'recorder');
    this.#process = proc;
    if (this.#stopped) proc.kill();
    const chunker = new PcmRechunker({ sampleRate: this.sampleRate, chunkMs: this.#chunkMs });
    let received = 0;
    try {
      for await (const bytes of proc.child.stdout as AsyncIterable<Uint8Array>) {
        received += bytes.length;
        for (const chunk of chunker.push(bytes)) yield pcm16FromBytes(chunk);
      }
      const last = chunker.end();
      if (last !== null) yield pcm16FromBytes(last);
      // Status 0 with no audio at all is a microphone that does not work (a null device, a
      // recorder that gave up quietly), not the end of a recording.
      const failure: AudioDeviceError | undefined = proc.failure(await proc.ended, received === 0);
      if (failure !== undefined) throw failure;
    } finally {
      proc.kill();
    }
  }
}
