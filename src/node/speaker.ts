/**
 * The speaker for Node: a player program (sox `play`, ALSA `aplay` or ffmpeg, or a command of
 * your own) fed PCM16 mono through its stdin, as a session's `PlaybackAdapter`.
 *
 * What was played: a pipe says nothing about the device, so the speaker keeps a playhead on the
 * real-time clock. Each write is queued behind what is still playing (or starts now, after a
 * gap), so `stop()` returns the samples whose play time has passed: never more than were
 * written, and gaps between replies are not counted as audio (protocol.md §5.3: the session
 * reports what the user heard).
 */
import type { PlaybackAdapter } from '../session/interruption.js';
import { AudioDeviceError } from './audioDeviceError.js';
import { playerCommand, type AudioCommand } from './audioPrograms.js';
import { AudioProcess } from './audioProcess.js';

/** Options of {@link Speaker}. */
export interface SpeakerOptions {
  /**
   * A command line playing PCM s16le mono from stdin, run through the shell, `{rate}` replaced by
   * the sample rate. Default: the first of sox, ALSA and ffmpeg found on PATH.
   */
  command?: string;
  /**
   * Called once when the player fails (missing, cannot open the device, exits early). The error
   * is also kept in {@link Speaker.error} and thrown by finish(). Default: nothing (check those).
   */
  onError?: (error: AudioDeviceError) => void;
  /** Environment used to look programs up (PATH); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds since some origin; default `performance.now()` (tests use a fake clock). */
  now?: () => number;
}

/** Plays streamed PCM16 through a player program; a `PlaybackAdapter`. */
export class Speaker implements PlaybackAdapter {
  readonly #options: SpeakerOptions;
  readonly #now: () => number;
  #process: AudioProcess | undefined;
  #rate = 0;
  #written = 0;
  /** Clock time at which everything written so far will have been played. */
  #queueEnd = 0;
  #error: AudioDeviceError | undefined;

  /** Finds the player (throws an AudioDeviceError naming what to install if there is none). */
  constructor(options: SpeakerOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    playerCommand(24000, options.command, options.env);
  }

  /** The player's failure, once it failed. */
  get error(): AudioDeviceError | undefined {
    return this.#error;
  }

  /** Queues `pcm` (mono, `sampleRate` Hz); a new rate restarts the player. Ignored after a failure. */
  write(pcm: Int16Array, sampleRate: number): void {
    if (this.#error !== undefined || pcm.length === 0) return;
    if (this.#process !== undefined && sampleRate !== this.#rate) this.stop();
    if (this.#process === undefined) this.#start(sampleRate);
    const now = this.#now();
    this.#queueEnd = Math.max(this.#queueEnd, now) + (pcm.length / sampleRate) * 1000;
    this.#written += pcm.length;
    this.#process!.child.stdin?.write(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }

  /** Samples played since the last stop (by the playhead; see the file comment). */
  get played(): number {
    const pending = Math.max(0, this.#queueEnd - this.#now());
    return Math.max(0, Math.min(this.#written, Math.round(this.#written - (pending / 1000) * this.#rate)));
  }

  /** Stops at once, drops what is queued, and returns how many samples were played. */
  stop(): number {
    const played = this.#rate > 0 ? this.played : 0;
    this.#process?.kill();
    this.#process = undefined;
    this.#written = 0;
    this.#queueEnd = 0;
    return played;
  }

  /**
   * Lets the queued audio play out, then ends the player. Rejects with the player's
   * AudioDeviceError if it failed. Bounded: the queued time plus 5 s.
   */
  async finish(): Promise<void> {
    const proc = this.#process;
    this.#process = undefined;
    if (proc !== undefined) {
      const wait = Math.ceil(Math.max(0, this.#queueEnd - this.#now())) + 5000;
      proc.child.stdin?.end();
      const timeout = AbortSignal.timeout(wait);
      const timedOut = new Promise<'timeout'>((resolve) => timeout.addEventListener('abort', () => resolve('timeout'), { once: true }));
      const end = await Promise.race([proc.ended, timedOut]);
      if (end === 'timeout') proc.kill();
      else this.#fail(proc.failure(end));
    }
    this.#written = 0;
    this.#queueEnd = 0;
    if (this.#error !== undefined) throw this.#error;
  }

  /** Ends the player at once (queued audio is dropped). */
  close(): void {
    this.stop();
  }

  #start(sampleRate: number): void {
    const command: AudioCommand = playerCommand(sampleRate, this.#options.command, this.#options.env);
    const proc = new AudioProcess(command, 'player');
    this.#process = proc;
    this.#rate = sampleRate;
    this.#written = 0;
    this.#queueEnd = 0;
    // A player that ends before finish() (and was not stopped) failed, even with status 0.
    void proc.ended.then((end) => {
      if (this.#process === proc) this.#fail(proc.failure(end, true));
    });
  }

  #fail(error: AudioDeviceError | undefined): void {
    if (error === undefined || this.#error !== undefined) return;
    this.#error = error;
    if (this.#process !== undefined) this.stop();
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing handler must not break playback bookkeeping.
    }
  }
}
