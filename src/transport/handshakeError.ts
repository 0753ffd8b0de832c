/**
 * Turns a failed HTTP upgrade into a typed error that keeps the status, the body and the
 * request-id headers, with the key scrubbed from all of it.
 */
import { AuthenticationError, ConnectionError, type HandshakeResponse } from '../errors.js';
import { Redactor } from '../internal/redact.js';
import { isLoopbackHost, isServiceHost } from '../protocol/endpoints.js';

const REQUEST_ID_HEADERS = ['x-request-id', 'x-dashscope-request-id', 'request-id', 'eagleeye-traceid', 'x-acs-request-id', 'x-dashscope-call-gateway'];
const MAX_BODY = 4096;

/** A response body: a Node `IncomingMessage` (async iterable) or a fetch `Response.body`. */
export type ResponseBody = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null | undefined;

async function* chunksOf(body: ResponseBody): AsyncGenerator<Uint8Array> {
  if (body === null || body === undefined) return;
  if (!('getReader' in body)) {
    yield* body;
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** A body read up to a limit: the text kept, and whether more was sent (and discarded). */
export interface BoundedBody {
  /** The first `maxBytes` bytes, decoded as UTF-8. */
  text: string;
  /** The peer sent more than `maxBytes`; the rest was never read (redact with `truncated`: see `Redactor.cut`). */
  truncated: boolean;
}

/**
 * A response body, at most `maxBytes` of it read (a refused upgrade, a signalling or token
 * answer): reading stops at the limit and the stream is destroyed or cancelled, so a peer
 * answering 200 MB costs `maxBytes`, not 200 MB. Resolves on end, error or abort, never rejects.
 */
export async function readResponseBody(body: ResponseBody, maxBytes: number): Promise<BoundedBody> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of chunksOf(body)) {
      if (chunk.length > maxBytes - size) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        truncated = true;
        break; // leaving the loop destroys (or cancels) the stream: a peer cannot make us read forever
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    // a reset or an abort: keep what arrived
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return { text: new TextDecoder().decode(all), truncated };
}

/** The documented fields of a DashScope error body `{code, message, request_id}` (§0.2.19), when it is one. */
export interface ErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
}

/** The fields of an error body; strings only, each at most 300 characters; `{}` for other bodies. */
export function parseErrorBody(body: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const record = parsed as Record<string, unknown>;
  const nested = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value.slice(0, 300) : undefined);
  const out: ErrorBody = {};
  const code = text(record.code) ?? text(nested.code);
  const message = text(record.message) ?? text(nested.message);
  const requestId = text(record.request_id);
  if (code !== undefined) out.code = code;
  if (message !== undefined) out.message = message;
  if (requestId !== undefined) out.requestId = requestId;
  return out;
}

/** Picks the request-id headers out of a header record (names lower-case). */
export function pickRequestIds(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    if (value !== undefined) ids[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return ids;
}

/**
 * The typed error for an HTTP request to the service answered with `status`: a realtime upgrade
 * or (with `operation`) another request on the same host, such as a temporary key. 401/403 is an
 * {@link AuthenticationError}; its message talks of regions only for the service's own hosts.
 * The body's `request_id` joins the request-id headers in `response.requestIds` as `request_id`.
 */
export function handshakeError(
  status: number,
  rawBody: BoundedBody | string,
  requestIds: Record<string, string>,
  url: string,
  secrets: readonly string[],
  operation = 'The realtime handshake',
): AuthenticationError | ConnectionError {
  const redactor = new Redactor();
  redactor.set(secrets);
  const read = typeof rawBody === 'string' ? { text: rawBody, truncated: false } : rawBody;
  // Redacted before it is cut (a key across the cut would keep its first part), JSON escapes included.
  const body = redactor.cut(read.text, MAX_BODY, read.truncated);
  const parsed = parseErrorBody(body);
  // Header values are the server's too: one that echoes the key must not carry it into the error.
  const ids = Object.fromEntries(Object.entries(requestIds).map(([name, value]) => [name, redactor.cut(value, 200)]));
  if (parsed.requestId !== undefined && ids.request_id === undefined) ids.request_id = parsed.requestId;
  const response: HandshakeResponse = { status, body, requestIds: ids };
  const host = safeHost(url);
  const described = describeErrorBody(body);
  const detail = described ? ` (${described})` : '';
  const idText = Object.values(ids).length ? ` (request id ${Object.values(ids)[0]})` : '';
  if (status === 401 || status === 403) {
    return new AuthenticationError(`${refusedBy(url, secrets.length > 0)} with HTTP ${status}${detail}${idText}. ${authHint(url, secrets.length > 0)}`, response);
  }
  const hint =
    status === 404 ? ' Check the URL path (/api-ws/v1/realtime) and the model name.'
    : status === 429 ? ' The account is being rate limited: wait and retry, or lower the request rate.'
    : status === 400 ? ' Check the model name and the handshake parameters.'
    : status >= 300 && status < 400 ? ' Redirects are not followed, so that credentials never reach another host.'
    : '';
  return new ConnectionError(`${operation} with ${host} failed with HTTP ${status}${detail}${idText}.${hint}`, 'handshake_failed', { response });
}

function hostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function refusedBy(url: string, keySent: boolean): string {
  const name = hostname(url);
  const who = isServiceHost(name) ? (/qwencloudapi\.com$/i.test(name) ? 'QwenCloud' : 'DashScope') : `The server at ${safeHost(url)}`;
  return `${who} refused ${keySent ? 'the API key' : 'the connection'}`;
}

/**
 * What to check after a 401/403. Regions matter only on the service's own hosts (§1.2): at a
 * relay or the simulator the region is not the cause (issue 17.1).
 */
function authHint(url: string, keySent: boolean): string {
  const name = hostname(url);
  if (/qwencloudapi\.com$/i.test(name)) return 'Check that the key is valid and was issued by QwenCloud: Model Studio keys do not work there (region qwencloud).';
  if (isServiceHost(name)) {
    return 'Check that the key is valid and belongs to the region of this host: keys are per region (Beijing keys for dashscope.aliyuncs.com, Singapore keys for dashscope-intl.aliyuncs.com, QwenCloud keys for region qwencloud); set region or DASHSCOPE_REGION to match.';
  }
  if (!keySent) return `No API key was set${isLoopbackHost(name) ? ' (a placeholder was sent to this local server)' : ''}: pass apiKey, or set DASHSCOPE_API_KEY, if this server requires one.`;
  return 'Check the key or token this server expects.';
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/**
 * One line that says what an error body holds: `code: message` of a DashScope error body, nothing
 * for other JSON, else the text with its white space folded, cut to `maxChars`. Give it redacted
 * text: it cuts.
 */
export function describeErrorBody(body: string, maxChars = 200): string {
  const parsed = parseErrorBody(body);
  const parts = [parsed.code, parsed.message].filter((p) => p !== undefined);
  if (parts.length) return parts.join(': ');
  if (/^\s*[{[]/.test(body)) return '';
  return body.trim().replace(/\s+/g, ' ').slice(0, maxChars);
}
