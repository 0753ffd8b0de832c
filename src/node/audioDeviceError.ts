/**
 * The error of the Node audio kit: a recorder or player program that is missing, cannot open
 * its device, or stops. It names the command, its exit status and the last line it printed, so
 * one line tells the user what to install or fix.
 */
import { RealtimeError } from '../errors.js';

/** Why audio I/O failed. */
export type AudioDeviceErrorCode = 'audio_program_missing' | 'audio_program_failed';

/** A recorder or player program is missing or failed. */
export class AudioDeviceError extends RealtimeError {
  declare readonly code: AudioDeviceErrorCode;
  /** `recorder` or `player`. */
  readonly role: 'recorder' | 'player';
  /** The command line, as run (empty when no program was found). */
  readonly command: string;
  /** Exit status, or undefined when the program was ended by a signal or never started. */
  readonly exitCode: number | undefined;
  /** The signal that ended the program, if any. */
  readonly signal: string | undefined;
  /** The last non-empty line the program wrote to stderr ('' if none). */
  readonly stderr: string;

  constructor(
    message: string,
    code: AudioDeviceErrorCode,
    details: { role: 'recorder' | 'player'; command: string; exitCode?: number; signal?: string; stderr?: string; cause?: unknown },
  ) {
    super(message, code, { cause: details.cause });
    this.role = details.role;
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderr = details.stderr ?? '';
  }
}
