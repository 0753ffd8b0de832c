/**
 * Exit codes of the CLI, and the one clear line a failure prints (never a stack trace, never the
 * key). Every code a command can end with is in {@link EXIT} and in each command's help; there
 * is no catch-all 1.
 */
import { AbortError, AuthenticationError, ConnectionError, ProtocolError, RealtimeError, ServerError, TimeoutError, ValidationError } from '../errors.js';
import { AudioDeviceError } from '../node/audioDeviceError.js';
import { InputError, UsageError } from './args.js';

/** The documented exit codes. */
export const EXIT = {
  ok: 0,
  /** A wrong flag, a file that cannot be read or written, a value the API refuses, a port in use. */
  usage: 2,
  /** The key was refused (HTTP 401/403 at the handshake). */
  auth: 3,
  /** No connection, a connection lost, or a reply that did not come within its time. */
  network: 4,
  /** The server answered with an error, or with frames that break the protocol. */
  server: 5,
  /** `talk`: the recorder or player failed or is missing (h18audio's AudioDeviceError). */
  device: 6,
  /** A bug in this CLI: the message says what failed; please report it. */
  internal: 70,
  /** Ctrl-C. */
  interrupted: 130,
} as const;

/** The exit codes line of every command's help. */
export const EXIT_HELP = 'Exit codes: 0 done, 2 usage or input, 3 authentication, 4 network or timeout, 5 server error, 6 audio device (talk), 70 internal error, 130 interrupted.';

/**
 * `text` as a sentence: ends with a full stop unless it already ends a sentence (`.`, `!`, `?`,
 * also before a closing quote or bracket). "cannot read x (EACCES)" gets its full stop too.
 */
export function sentence(text: string): string {
  const t = text.trimEnd();
  return /[.!?]['"`)\]]*$/.test(t) ? t : `${t}.`;
}

/** The exit code and message for `error`. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof InputError) return { code: EXIT.usage, message: sentence(error.message) };
  if (error instanceof UsageError) return { code: EXIT.usage, message: `${sentence(error.message)} Run with --help for usage.` };
  if (error instanceof ValidationError) return { code: EXIT.usage, message: sentence(error.message) };
  if (error instanceof AuthenticationError) return { code: EXIT.auth, message: sentence(error.message) };
  if (error instanceof TimeoutError) return { code: EXIT.network, message: `${sentence(error.message)} Check the network, the region and DASHSCOPE_REALTIME_URL, or give more time (--timeout, --connect-timeout).` };
  if (error instanceof ConnectionError) return { code: EXIT.network, message: `${sentence(error.message)} Check the network, the region and DASHSCOPE_REALTIME_URL.` };
  if (error instanceof ServerError) return { code: EXIT.server, message: sentence(`The server answered with an error${error.code ? ` (${error.code})` : ''}: ${error.message}`) };
  if (error instanceof ProtocolError) return { code: EXIT.server, message: sentence(`The server broke the protocol: ${error.message}`) };
  if (error instanceof AbortError) return { code: EXIT.interrupted, message: sentence(error.message) };
  if (error instanceof AudioDeviceError) {
    // One line: the command, its exit status and last stderr line (in the message), and the flag.
    const flag = error.role === 'recorder' ? '--recorder (or DASHSCOPE_RECORDER)' : '--player (or DASHSCOPE_PLAYER)';
    if (error.command === '') return { code: EXIT.device, message: `${error.message.replace(/\.$/, '')}: ${flag}.` };
    return { code: EXIT.device, message: `${sentence(error.message)} Check the ${error.role === 'recorder' ? 'microphone' : 'audio output'}, or give another ${error.role} with ${flag}.` };
  }
  if (error instanceof RealtimeError) return { code: EXIT.server, message: sentence(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: EXIT.internal, message: `${sentence(message)} This is an internal error: please report it with the command you ran.` };
}
