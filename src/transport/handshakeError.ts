/**
 * Turns a failed HTTP upgrade into a typed error that keeps the status, the body and the
 * request-id headers, with the key scrubbed from all of it.
 */
import type { IncomingMessage } from 'node:http';
import { AuthenticationError, ConnectionError, type HandshakeResponse } from '../errors.js';
import { redactSecrets } from '../internal/redact.js';

const REQUEST_ID_HEADERS = ['x-request-id', 'x-dashscope-request-id', 'request-id', 'eagleeye-traceid', 'x-acs-request-id', 'x-dashscope-call-gateway'];
const MAX_BODY = 4096;

/**
 * The body of a refused upgrade (Node), at most `maxBytes` of it kept; resolves on end, error or
 * abort, never rejects.
 */
export function readResponseBody(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, maxBytes));
    res.on('data', (chunk: Buffer) => {
      if (size < maxBytes) chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', done);
    res.on('error', done);
    res.on('aborted', done);
  });
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

/** The typed error for an upgrade answered with `status` (401/403 → AuthenticationError). */
export function handshakeError(status: number, rawBody: string, requestIds: Record<string, string>, url: string, secrets: readonly string[]): AuthenticationError | ConnectionError {
  const body = redactSecrets(rawBody.slice(0, MAX_BODY), secrets);
  // Header values are the server's too: one that echoes the key must not carry it into the error.
  const ids = Object.fromEntries(Object.entries(requestIds).map(([name, value]) => [name, redactSecrets(value, secrets)]));
  const response: HandshakeResponse = { status, body, requestIds: ids };
  const host = safeHost(url);
  const detail = summarizeBody(body);
  const idText = Object.values(ids).length ? ` (request id ${Object.values(ids)[0]})` : '';
  if (status === 401 || status === 403) {
    return new AuthenticationError(
      `DashScope refused the API key with HTTP ${status}${detail}${idText}. Check that the key is valid and belongs to the region of ${host}: keys are per region (Beijing keys for dashscope.aliyuncs.com, Singapore keys for dashscope-intl.aliyuncs.com); set region or DASHSCOPE_REGION to match.`,
      response,
    );
  }
  const hint =
    status === 404 ? ' Check the URL path (/api-ws/v1/realtime) and the model name.'
    : status === 429 ? ' The account is being rate limited: wait and retry, or lower the request rate.'
    : status === 400 ? ' Check the model name and the handshake parameters.'
    : status >= 300 && status < 400 ? ' Redirects are not followed, so that credentials never reach another host.'
    : '';
  return new ConnectionError(`The realtime handshake with ${host} failed with HTTP ${status}${detail}${idText}.${hint}`, 'handshake_failed', { response });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

function summarizeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    const parts = [parsed.code, parsed.message].filter((p) => typeof p === 'string' && p !== '');
    return parts.length ? ` (${parts.join(': ')})` : '';
  } catch {
    const text = body.trim().replace(/\s+/g, ' ').slice(0, 200);
    return text ? ` (${text})` : '';
  }
}
