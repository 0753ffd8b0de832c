/**
 * When to reconnect and how long to wait. Authentication, quota and bad requests are fatal: a
 * retry cannot fix them. Dropped connections, server failures and throttling are retryable, with
 * exponential backoff and full jitter.
 */
import { systemClock } from '../audio/pacing.js';
import { AuthenticationError, ConnectionError, TimeoutError, ValidationError } from '../errors.js';

/** Reconnect settings. */
export interface ReconnectOptions {
  /** Attempts before giving up. Default 5. */
  maxAttempts?: number;
  /** First delay. Default 250 ms. */
  baseDelayMs?: number;
  /** Largest delay. Default 10000 ms. */
  maxDelayMs?: number;
}

const FATAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/** True when `error` (a close or a failed connect) may succeed on another attempt. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AuthenticationError || error instanceof ValidationError) return false;
  if (error instanceof TimeoutError) return true;
  if (error instanceof ConnectionError) {
    const status = error.status;
    if (status !== undefined) return status === 408 || status === 429 || status >= 500;
    if (error.closeCode !== undefined) return !FATAL_CLOSE_CODES.has(error.closeCode) && !(error.closeCode >= 4000 && error.closeCode < 4100);
    return true;
  }
  return false;
}

/** Delay before attempt `attempt` (1-based): full jitter over an exponential ceiling. */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}, random = Math.random): number {
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** One reconnect run: what each attempt does, and how to tell the run was called off. */
export interface ReconnectRun {
  /** Reconnect settings; `false` makes one attempt. */
  options: ReconnectOptions | false | undefined;
  /** The first attempt goes at once (a rollover or a resume: nothing is wrong with the service). */
  immediate: boolean;
  /** Aborted by `close()`: the wait between attempts ends at once. */
  signal: AbortSignal;
  /** False once the run was called off. */
  wanted(): boolean;
  /** Before each attempt. */
  onAttempt(attempt: number, delayMs: number, lastError: Error): void;
  /** Connects once; throws on failure. */
  connect(attempt: number): Promise<void>;
}

/**
 * Attempts `run.connect` with backoff. Resolves with nothing when connected or called off, else
 * with the last error: the attempts were used up, or a failure was fatal ({@link isRetryable}).
 */
export async function reconnectWithBackoff(run: ReconnectRun, cause: Error): Promise<Error | undefined> {
  const max = run.options === false ? 1 : Math.max(1, run.options?.maxAttempts ?? 5);
  let lastError = cause;
  for (let attempt = 1; attempt <= max; attempt++) {
    const delayMs = run.immediate && attempt === 1 ? 0 : backoffDelay(attempt, run.options || {});
    run.onAttempt(attempt, delayMs, lastError);
    await systemClock.sleep(delayMs, run.signal).catch(() => {});
    if (!run.wanted()) return undefined;
    try {
      await run.connect(attempt);
      return undefined;
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      if (!run.wanted()) return undefined;
      if (!isRetryable(error)) break;
    }
  }
  return lastError;
}
