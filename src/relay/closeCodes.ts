/**
 * The close codes the relay sends to a browser, and how upstream closes are passed on. A browser
 * cannot read the HTTP status of a refused upgrade (it sees 1006), so every upstream failure
 * becomes a close frame whose code says whether a retry can help and whose reason a page can
 * show. Codes follow the SDK's reconnect rules (src/session/reconnect.ts): 1008, 1009 and
 * 4000–4099 are fatal, everything else is retried.
 */

/** Close codes of the relay. */
export const RELAY_CLOSE_CODES = {
  /** The relay is shutting down; another instance behind the load balancer can take the retry. */
  shuttingDown: 1001,
  /** The browser sent frames faster than `limits.maxMessagesPerSecond` (fatal). */
  rateLimit: 1008,
  /** The relay's own `session` settings were refused by the service (an operator error). */
  relayConfigRefused: 1011,
  /** The service is throttled or failing (upstream handshake 408, 429 or 5xx), or the pending queue overflowed: try again later. */
  tryAgainLater: 1013,
  /** The service could not be reached, timed out, or dropped the connection (Bad Gateway). */
  upstreamUnavailable: 1014,
  /** The service refused the relay's key (upstream handshake 401/403): fatal until the operator fixes the key or region. */
  upstreamAuth: 4001,
  /** The service refused the handshake with another 4xx (an unknown model, a bad path): fatal. */
  upstreamRefused: 4000,
  /** The connection reached `limits.maxSessionMs` (retryable: a new connection is authenticated again). */
  sessionDuration: 4100,
} as const;

const ENCODER = new TextEncoder();

/** `reason` cut to the 123 bytes a close frame can carry, on a character boundary. */
export function closeReason(reason: string): string {
  if (ENCODER.encode(reason).length <= 123) return reason;
  let out = '';
  for (const ch of reason) {
    if (ENCODER.encode(out + ch + '…').length > 123) break;
    out += ch;
  }
  return out + '…';
}

/** True for a code a server may put in a close frame (RFC 6455 §7.4; 1005, 1006, 1015 are never sent). */
export function isSendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** The code and reason the browser gets when the upstream closes with `code` and `reason`. */
export function browserCloseFor(code: number, reason: string): { code: number; reason: string } {
  if (code === 1005) return { code: 1000, reason };
  if (!isSendableCode(code)) return { code: RELAY_CLOSE_CODES.upstreamUnavailable, reason: reason || `upstream connection lost (code ${code})` };
  return { code, reason };
}

/** The close for an upstream handshake answered with HTTP `status`. */
export function closeForHandshakeStatus(status: number): number {
  if (status === 401 || status === 403) return RELAY_CLOSE_CODES.upstreamAuth;
  if (status === 408 || status === 429 || status >= 500) return RELAY_CLOSE_CODES.tryAgainLater;
  return RELAY_CLOSE_CODES.upstreamRefused;
}
