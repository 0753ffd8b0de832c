/**
 * The relay's connection to the service: the browser's `?model=` on the upstream URL, the key in
 * `Authorization: Bearer` (§1.3), no redirects (the key must never reach another host), and a
 * refused or failed handshake turned into a close code and a reason a browser can show — with
 * the key scrubbed from all of it.
 */
import { WebSocket } from 'ws';
import { Redactor } from '../internal/redact.js';
import { describeErrorBody, readResponseBody } from '../transport/handshakeError.js';
import { closeForHandshakeStatus, closeReason, RELAY_CLOSE_CODES } from './closeCodes.js';

/** Why the upstream could not be opened: the browser's close, and a line for the log. */
export class UpstreamFailure extends Error {
  constructor(
    /** Close code for the browser. */
    readonly closeCode: number,
    /** Close reason for the browser (≤ 123 bytes, no key). */
    readonly closeReason: string,
    /** Longer text for the relay's log (no key). */
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'UpstreamFailure';
  }
}

/** What the relay does with upstream frames and the upstream close. */
export interface UpstreamHandlers {
  /** A frame; `socket` is the upstream socket (frames can arrive before the open promise settles). */
  onMessage(data: Buffer, isBinary: boolean, socket: WebSocket): void;
  onClose(code: number, reason: string): void;
}

const MAX_BODY = 4096;


/** `code: message` of a DashScope JSON error body, or a short plain-text excerpt. */
function describeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    return [parsed.code, parsed.message].filter((p) => typeof p === 'string' && p !== '').join(': ');
  } catch {
    return body.trim().replace(/\s+/g, ' ').slice(0, 80);
  }
}

function failureForStatus(status: number, body: string): UpstreamFailure {
  const what = describeErrorBody(body, 80);
  const code = closeForHandshakeStatus(status);
  const lead = code === RELAY_CLOSE_CODES.upstreamAuth ? "upstream refused the relay's credentials" : 'upstream refused the connection';
  const reason = `${lead} (HTTP ${status}${what ? ` ${what}` : ''})`;
  return new UpstreamFailure(code, closeReason(reason), reason);
}

/** The upstream URL for `model`: the base with only `?model=` (nothing else from the browser, §1.1). */
export function upstreamUrl(base: string, model: string): string {
  const url = new URL(base);
  url.search = '';
  url.searchParams.set('model', model);
  return url.toString();
}

/** Opens the upstream socket; rejects with {@link UpstreamFailure}. Handlers are attached before the first frame can arrive. */
export function openUpstream(url: string, headers: Record<string, string>, timeoutMs: number, redactor: Redactor, handlers: UpstreamHandlers): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs, followRedirects: false, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const fail = (failure: UpstreamFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(failure);
    };
    // handshakeTimeout covers the upgrade only; this also bounds DNS and TCP connect.
    const timer = setTimeout(
      () => fail(new UpstreamFailure(RELAY_CLOSE_CODES.upstreamUnavailable, `upstream did not answer within ${Math.round(timeoutMs / 1000)} s`, `upstream handshake timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      void readResponseBody(res, MAX_BODY).then((body) => fail(failureForStatus(status, redactor.cut(body.text, MAX_BODY, body.truncated))));
    });
    ws.on('error', (error: Error & { code?: string }) => {
      if (settled) return; // after open, 'close' follows and reports it
      const detail = redactor.text(error.message);
      fail(new UpstreamFailure(RELAY_CLOSE_CODES.upstreamUnavailable, closeReason(`upstream unreachable (${error.code ?? detail})`), `upstream connection failed: ${detail}`));
    });
    ws.on('open', () => {
      settled = true;
      clearTimeout(timer);
      resolve(ws);
    });
    ws.on('message', (data, isBinary) => handlers.onMessage(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary, ws));
    ws.on('close', (code, reason) => {
      if (!settled) {
        fail(new UpstreamFailure(RELAY_CLOSE_CODES.upstreamUnavailable, 'upstream closed during the handshake', `upstream closed during the handshake (code ${code})`));
        return;
      }
      handlers.onClose(code, redactor.text(reason.toString('utf8')));
    });
  });
}
