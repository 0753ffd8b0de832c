/**
 * When to reconnect and how long to wait. Authentication, quota and bad requests are fatal: a
 * retry cannot fix them. Dropped connections, server failures and throttling are retryable, with
 * exponential backoff and full jitter.
 */
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
