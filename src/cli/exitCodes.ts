/**
 * Exit codes of the CLI, and the one clear line a failure prints (never a stack trace, never the
 * key).
 */
import { AuthenticationError, ConnectionError, RealtimeError, ServerError, TimeoutError, ValidationError } from '../errors.js';
import { UsageError } from './args.js';

/** The documented exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3, network: 4, server: 5, interrupted: 130 } as const;

/** The exit code and message for `error`. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) return { code: EXIT.usage, message: `${error.message}. Run with --help for usage.` };
  if (error instanceof ValidationError) return { code: EXIT.usage, message: error.message };
  if (error instanceof AuthenticationError) return { code: EXIT.auth, message: error.message };
  if (error instanceof ConnectionError || error instanceof TimeoutError) return { code: EXIT.network, message: `${error.message} Check the network, the region and DASHSCOPE_REALTIME_URL.` };
  if (error instanceof ServerError) return { code: EXIT.server, message: `The server answered with an error${error.code ? ` (${error.code})` : ''}: ${error.message}` };
  if (error instanceof RealtimeError) return { code: EXIT.failure, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: EXIT.failure, message };
}
