/**
 * Which program records and plays raw PCM on this machine: sox (`rec`/`play`), ALSA
 * (`arecord`/`aplay`) or ffmpeg, found on PATH in that order (sox first: it runs on Linux,
 * macOS and Windows and picks the default device itself). A user's own command string runs
 * through the shell with `{rate}` replaced by the sample rate.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AudioDeviceError } from './audioDeviceError.js';

/** A program to run: argv without a shell, or a user's command line through the shell. */
export interface AudioCommand {
  /** Program (or the whole command line when `shell`). */
  file: string;
  /** Arguments (empty when `shell`). */
  args: readonly string[];
  /** Run through the shell (a user's command string). */
  shell: boolean;
  /** The command as shown in messages. */
  label: string;
}

/** What to install, for the message when nothing is found. */
export const INSTALL_AUDIO_HINT =
  'Install sox (Debian/Ubuntu: apt install sox; macOS: brew install sox; Windows: sox from sourceforge) or alsa-utils (arecord/aplay) or ffmpeg';

/** The path of executable `name` on `PATH`, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      try {
        const path = join(dir, name + ext);
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** `path` (found on PATH) run with `args`, shown by its short `name`. */
function argv(name: string, path: string, args: string[]): AudioCommand {
  return { file: path, args, shell: false, label: [name, ...args].join(' ') };
}

/** A user's command line, `{rate}` replaced by `rate`. */
export function shellCommand(line: string, rate: number): AudioCommand {
  const text = line.replaceAll('{rate}', String(rate));
  return { file: text, args: [], shell: true, label: text };
}

/** The ffmpeg input or output device of this platform (none on Windows: DirectShow needs a device name). */
function ffmpegDevice(): string[] | undefined {
  if (process.platform === 'linux') return ['-f', 'alsa', 'default'];
  if (process.platform === 'darwin') return ['-f', 'avfoundation', ':0'];
  return undefined;
}

/**
 * The command that records PCM s16le mono at `rate` to stdout: `line` if given, else the first
 * of sox, ALSA and ffmpeg found. Throws an AudioDeviceError naming what to install.
 */
export function recorderCommand(rate: number, line?: string, env: NodeJS.ProcessEnv = process.env): AudioCommand {
  if (line !== undefined && line.trim() !== '') return shellCommand(line, rate);
  const r = String(rate);
  const sox = onPath('rec', env);
  if (sox) return argv('rec', sox, ['-q', '-t', 'raw', '-r', r, '-e', 'signed-integer', '-b', '16', '-c', '1', '-']);
  const alsa = onPath('arecord', env);
  if (alsa) return argv('arecord', alsa, ['-q', '-f', 'S16_LE', '-r', r, '-c', '1', '-t', 'raw']);
  const device = ffmpegDevice();
  const ffmpeg = device && onPath('ffmpeg', env);
  if (device && ffmpeg) {
    const [flag, format, name] = device as [string, string, string];
    return argv('ffmpeg', ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', flag, format, '-i', name, '-ac', '1', '-ar', r, '-f', 's16le', '-']);
  }
  throw new AudioDeviceError(`No microphone recorder found (looked for rec, arecord and ffmpeg on PATH). ${INSTALL_AUDIO_HINT}, or give a recorder command.`, 'audio_program_missing', { role: 'recorder', command: '' });
}

/**
 * The command that plays PCM s16le mono at `rate` from stdin: `line` if given, else the first of
 * sox, ALSA and ffmpeg found. Throws an AudioDeviceError naming what to install.
 */
export function playerCommand(rate: number, line?: string, env: NodeJS.ProcessEnv = process.env): AudioCommand {
  if (line !== undefined && line.trim() !== '') return shellCommand(line, rate);
  const r = String(rate);
  const sox = onPath('play', env);
  if (sox) return argv('play', sox, ['-q', '-t', 'raw', '-r', r, '-e', 'signed-integer', '-b', '16', '-c', '1', '-']);
  const alsa = onPath('aplay', env);
  if (alsa) return argv('aplay', alsa, ['-q', '-f', 'S16_LE', '-r', r, '-c', '1', '-t', 'raw']);
  const ffmpeg = ffmpegDevice() && onPath('ffmpeg', env);
  if (ffmpeg) {
    const out = process.platform === 'darwin' ? ['-f', 'audiotoolbox', '-'] : ['-f', 'alsa', 'default'];
    return argv('ffmpeg', ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 's16le', '-ar', r, '-ac', '1', '-i', '-', ...out]);
  }
  throw new AudioDeviceError(`No audio player found (looked for play, aplay and ffmpeg on PATH). ${INSTALL_AUDIO_HINT}, or give a player command.`, 'audio_program_missing', { role: 'player', command: '' });
}
