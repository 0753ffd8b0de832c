/**
 * Temporary keys in the simulator (protocol.md §0.2.19): `POST /api/v1/tokens?expire_in_seconds=N`
 * with a key issues an `st-…` token, answered `{"token","expires_at"}`; an error is the documented
 * `{"code","message","request_id"}`. At the handshake an `st-` token is accepted only if this
 * simulator issued it and it has not expired, whatever `apiKeys` says.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handshakeBody, INVALID_API_KEY, THROTTLED } from './errors.js';

/** Path of the token endpoint (§0.2.19). */
export const TOKENS_PATH = '/api/v1/tokens';

/** Live tokens kept at most; past it a request is throttled (429), as a real quota would. */
const MAX_LIVE_TOKENS = 10_000;

/** The `st-` tokens one simulator issued, with their expiry. */
export class TokenIssuer {
  private readonly live = new Map<string, number>();

  /** `now` in ms (a test clock may be given). */
  constructor(private readonly now: () => number = Date.now) {}

  /** True when `token` was issued here and has not expired. */
  valid(token: string): boolean {
    const expiresMs = this.live.get(token);
    if (expiresMs === undefined) return false;
    if (this.now() < expiresMs) return true;
    this.live.delete(token);
    return false;
  }

  /** A new token living `seconds`; `undefined` when too many are live. */
  issue(seconds: number): { token: string; expires_at: number } | undefined {
    const now = this.now();
    for (const [token, expiresMs] of this.live) if (expiresMs <= now) this.live.delete(token);
    if (this.live.size >= MAX_LIVE_TOKENS) return undefined;
    const token = `st-${randomBytes(16).toString('hex')}`;
    const expiresMs = now + seconds * 1000;
    this.live.set(token, expiresMs);
    // Whole unix seconds, rounded down: the client never believes a token lives longer than it does.
    return { token, expires_at: Math.floor(expiresMs / 1000) };
  }

  /**
   * Answers one request on {@link TOKENS_PATH}. `keyAccepted` checks the Bearer key as the
   * handshake does; a temporary token cannot make another one (a leaked token must not be able
   * to extend its own life; the service's rule is undocumented).
   */
  handle(req: IncomingMessage, res: ServerResponse, key: string | undefined, keyAccepted: (key: string) => boolean): void {
    req.resume(); // the request has no body; anything sent is discarded, not buffered
    const reply = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    };
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return reply(405, handshakeBody('MethodNotAllowed', `Use POST ${TOKENS_PATH}?expire_in_seconds=N.`));
    }
    if (key === undefined || key.startsWith('st-') || !keyAccepted(key)) return reply(INVALID_API_KEY.status, handshakeBody(INVALID_API_KEY.code, INVALID_API_KEY.message));
    const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('expire_in_seconds');
    const seconds = raw === null ? 60 : /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(seconds >= 1 && seconds <= 1800)) {
      return reply(400, handshakeBody('InvalidParameter', 'expire_in_seconds must be an integer from 1 to 1800.'));
    }
    const issued = this.issue(seconds);
    if (!issued) return reply(THROTTLED.status, handshakeBody(THROTTLED.code, THROTTLED.message));
    reply(200, JSON.stringify(issued));
  }
}
