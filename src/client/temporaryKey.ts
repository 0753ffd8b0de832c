/**
 * Temporary API keys (protocol.md §0.2.19): a server holding the permanent key asks the service
 * for a short-lived `st-…` token and hands it to a phone or a page, which uses it wherever a key
 * goes (`new RealtimeClient({ apiKey: token })`). The token inherits the key's permissions, lives
 * 1 to 1800 s and cannot be revoked, so it is made just before use.
 */
import { AbortError, ConnectionError, ProtocolError, TimeoutError, ValidationError } from '../errors.js';
import { Redactor, redactSecrets } from '../internal/redact.js';
import { httpApiUrl, isLoopbackHost } from '../protocol/endpoints.js';
import { handshakeError, pickRequestIds, readResponseBody, type BoundedBody } from '../transport/handshakeError.js';
import { detectRuntime } from '../transport/runtime.js';
import { resolveEndpoint, type EndpointOptions } from './endpoint.js';
import { checkTimerMs, defaultEnv, userAgent } from './options.js';

/** Options of {@link createTemporaryKey}: the endpoint options of `RealtimeClient`, plus the key and the lifetime. */
export interface TemporaryKeyOptions extends EndpointOptions {
  /** The permanent key. Default `DASHSCOPE_API_KEY`. Never sent anywhere but the token endpoint. */
  apiKey?: string;
  /** Lifetime of the token in seconds, 1 to 1800 (§0.2.19). Default 60 (the service's default). */
  expiresInSeconds?: number;
  /** Give up after this long (request and answer). Default 15000. */
  timeoutMs?: number;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Allow plain `ws://`/`http://` to a host other than loopback (the key would travel in clear text). Default false. */
  allowInsecure?: boolean;
  /** Environment to read fallbacks from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** A temporary key. */
export interface TemporaryKey {
  /** The token (`st-…`): pass it as `apiKey`. A secret while it lives: do not log it. */
  token: string;
  /**
   * When it stops working, as a `Date` (the service sends unix seconds, `expires_at`). Serialised
   * by `JSON.stringify` as an ISO 8601 string, which a page or app can parse back.
   */
  expiresAt: Date;
}

/** Largest answer read: a real one is about 100 bytes. */
const MAX_ANSWER_BYTES = 4096;
/** A token goes into an `Authorization` header: printable, no spaces, bounded. */
const TOKEN = /^[\x21-\x7e]{1,1024}$/;

function checkOptions(options: TemporaryKeyOptions): { apiKey: string; seconds: number; timeoutMs: number } {
  if (typeof options !== 'object' || options === null) throw new ValidationError('Pass the options as an object, e.g. { apiKey, region, expiresInSeconds }.', 'options');
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) throw new ValidationError('env must be an object of environment variables.', 'env');
  const seconds = options.expiresInSeconds ?? 60;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > 1800) {
    throw new ValidationError(`expiresInSeconds must be a whole number of seconds from 1 to 1800 (the service's range, §0.2.19); got ${String(seconds)}.`, 'expiresInSeconds', '[1, 1800]');
  }
  const env = options.env ?? defaultEnv();
  const apiKey = options.apiKey ?? (env.DASHSCOPE_API_KEY || undefined);
  if (apiKey === undefined) throw new ValidationError('No API key: pass apiKey or set DASHSCOPE_API_KEY (the permanent key the temporary one is made from).', 'apiKey');
  if (typeof apiKey !== 'string' || apiKey.trim() === '' || !TOKEN.test(apiKey)) {
    throw new ValidationError('apiKey must be a non-empty string without spaces or control characters.', 'apiKey');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ValidationError('signal must be an AbortSignal.', 'signal');
  const timeoutMs = options.timeoutMs === undefined ? 15_000 : checkTimerMs('timeoutMs', options.timeoutMs, 1);
  return { apiKey, seconds, timeoutMs };
}

/**
 * Asks the service for a temporary key: `POST https://{host}/api/v1/tokens?expire_in_seconds=N`
 * with the permanent key (§0.2.19), the host chosen as for `RealtimeClient` (`region`,
 * `workspaceId`, or the realtime `url`, whose host is used). Server-side only: in a browser the
 * permanent key would be readable by any visitor, so it throws there.
 *
 * Rejects with a {@link ValidationError} (bad options, a browser), an `AuthenticationError`
 * (the key was refused; `response.requestIds.request_id` is the service's request id), a
 * {@link ConnectionError} (`handshake_failed` with the `response` for another HTTP error,
 * `connection_failed` when the host could not be reached), a {@link TimeoutError}, an
 * {@link AbortError}, or a {@link ProtocolError} (an answer without a usable token). No error
 * contains the key or the token.
 */
export async function createTemporaryKey(options: TemporaryKeyOptions): Promise<TemporaryKey> {
  if (detectRuntime().name === 'browser') {
    throw new ValidationError('createTemporaryKey runs on your server, where the permanent key is kept: in a browser any visitor could read the key. Make the token on the server and send the page only the token.', 'runtime');
  }
  const { apiKey, seconds, timeoutMs } = checkOptions(options);
  const endpoint = resolveEndpoint(options, options.env ?? defaultEnv());
  const url = new URL(httpApiUrl(endpoint.base, 'tokens'));
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && options.allowInsecure !== true) {
    throw new ValidationError(`Refusing to send the API key over plain http to ${url.hostname}: use a wss:// (or https://) url, or pass allowInsecure: true for a trusted network.`, 'url');
  }
  url.searchParams.set('expire_in_seconds', String(seconds));
  const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, 'user-agent': userAgent() };
  if (endpoint.workspaceId !== undefined) headers['X-DashScope-WorkSpace'] = endpoint.workspaceId;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const where = `${url.protocol}//${url.host}/api/v1/tokens`;
  let answer: Response;
  let body: BoundedBody;
  try {
    // redirect: 'manual' — the key must never follow a redirect to another host.
    answer = await fetch(url, { method: 'POST', headers, redirect: 'manual', signal });
    body = await readResponseBody(answer.body, MAX_ANSWER_BYTES);
  } catch (error) {
    if (timeout.aborted) throw new TimeoutError('createTemporaryKey', timeoutMs);
    if (options.signal?.aborted) throw new AbortError('createTemporaryKey');
    const reason = redactSecrets(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error), [apiKey]);
    throw new ConnectionError(`Could not reach ${where}: ${reason}`, 'connection_failed', { cause: error });
  }
  if (timeout.aborted) throw new TimeoutError('createTemporaryKey', timeoutMs);
  if (answer.status < 200 || answer.status >= 300) {
    const ids = pickRequestIds(Object.fromEntries(answer.headers));
    throw handshakeError(answer.status, body, ids, url.toString(), [apiKey], 'The temporary key request');
  }
  return parseAnswer(body, [apiKey], where);
}

/** `{token, expires_at}` checked: a token fit for a header, an expiry a finite time after 1970. */
function parseAnswer(body: BoundedBody, secrets: readonly string[], where: string): TemporaryKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    throw new ProtocolError(`${where} answered with something other than JSON; expected {"token":"st-…","expires_at":…}.`, 'invalid_json', redactThenCut(body, secrets, 200));
  }
  const { token, expires_at: expiresAt } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { token?: unknown; expires_at?: unknown };
  // Bounded before use: 1e11 s is the year 5138; a Date beyond ±8.64e15 ms is invalid.
  if (typeof token !== 'string' || !TOKEN.test(token) || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= 0 || expiresAt > 1e11) {
    throw new ProtocolError(`${where} answered without a usable token: expected {"token":"st-…","expires_at":<unix seconds>}.`, 'invalid_event');
  }
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/** The body's excerpt for an error: redacted before it is cut, so a key across the cut leaves nothing behind (issue 16). */
function redactThenCut(body: BoundedBody, secrets: readonly string[], max: number): string {
  const redactor = new Redactor();
  redactor.set(secrets);
  return redactor.cut(body.text, max, body.truncated);
}
