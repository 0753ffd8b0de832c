/**
 * A recorder or player process: spawned without a window, its stderr kept to the last line (a
 * bounded tail), its end turned into an {@link AudioDeviceError} that names the command, the
 * exit status and that line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AudioDeviceError } from './audioDeviceError.js';
import type { AudioCommand } from './audioPrograms.js';

/** Bytes of stderr kept: enough for the last lines of any error message. */
const STDERR_TAIL = 4096;

/** How a process ended. */
export interface ProcessEnd {
  /** Exit status, when it exited. */
  code: number | undefined;
  /** Signal, when it was killed. */
  signal: string | undefined;
  /** The error that kept it from starting (e.g. ENOENT), if any. */
  spawnError: Error | undefined;
}

/** A running audio program. */
export class AudioProcess {
  /** The child process. */
  readonly child: ChildProcess;
  /** Resolves once the process has ended (never rejects). */
  readonly ended: Promise<ProcessEnd>;
  #stderr = '';
  #killed = false;

  constructor(readonly command: AudioCommand, readonly role: 'recorder' | 'player') {
    this.child = spawn(command.file, command.args, {
      shell: command.shell,
      windowsHide: true,
      // Its own process group, so kill() ends a user's pipeline or script with all its children
      // (killing only the shell would leave the recorder writing).
      detached: process.platform !== 'win32',
      stdio: role === 'recorder' ? ['ignore', 'pipe', 'pipe'] : ['pipe', 'ignore', 'pipe'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
    });
    // A player that died makes the next write fail with EPIPE: its exit status says why.
    this.child.stdin?.on('error', () => {});
    this.ended = new Promise((resolve) => {
      let spawnError: Error | undefined;
      this.child.once('error', (error) => {
        spawnError = error;
        // 'close' may not follow a failed spawn.
        if (this.child.pid === undefined) resolve({ code: undefined, signal: undefined, spawnError });
      });
      this.child.once('close', (code, signal) => resolve({ code: code ?? undefined, signal: signal ?? undefined, spawnError }));
    });
  }

  /** Whether kill() was called (an end by our signal is not a failure). */
  get killed(): boolean {
    return this.#killed;
  }

  /** The last non-empty line of stderr. */
  get lastStderrLine(): string {
    const lines = this.#stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    return (lines.at(-1) ?? '').slice(0, 300);
  }

  /** Ends the process and its process group (SIGTERM); idempotent. */
  kill(): void {
    this.#killed = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) return;
    try {
      if (process.platform === 'win32') this.child.kill('SIGTERM');
      else process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      this.child.kill('SIGTERM'); // the group is gone already; the process itself may not be
    }
  }

  /**
   * The error for an end that was not asked for: a spawn failure, a non-zero status, a signal we
   * did not send, or (`earlyExit`) a status 0 while audio was still expected (a player before
   * the end of its input, a recorder that produced nothing).
   */
  failure(end: ProcessEnd, earlyExit = false): AudioDeviceError | undefined {
    if (this.#killed && end.spawnError === undefined) return undefined;
    const who = `The ${this.role} \`${this.command.label}\``;
    const line = this.lastStderrLine;
    const details = { role: this.role, command: this.command.label, exitCode: end.code, signal: end.signal, stderr: line, cause: end.spawnError };
    if (end.spawnError !== undefined) {
      const missing = (end.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      return new AudioDeviceError(`${who} could not start: ${end.spawnError.message}.`, missing ? 'audio_program_missing' : 'audio_program_failed', details);
    }
    const tail = line === '' ? '' : `: ${line}`;
    if (end.signal !== undefined) return new AudioDeviceError(`${who} was ended by ${end.signal}${tail}.`, 'audio_program_failed', details);
    if (end.code === 0 && !earlyExit) return undefined;
    // The shell answers 127 for a command it cannot find.
    const code = end.code === 127 ? 'audio_program_missing' : 'audio_program_failed';
    const early = this.role === 'recorder' ? 'exited (status 0) without recording any audio' : 'exited (status 0) before the audio ended';
    const what = end.code === 0 ? early : `exited with status ${end.code}`;
    return new AudioDeviceError(`${who} ${what}${tail}${/[.!?]$/.test(tail) ? '' : '.'}`, code, details);
  }
}
