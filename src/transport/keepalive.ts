/**
 * Dead-peer detection: a WebSocket ping every `intervalMs`; a ping that gets no pong in time means
 * the peer is gone (a half-open TCP connection reports nothing by itself), so the connection is
 * dropped and its `close` reports the drop. The pattern of `ws`' heartbeat example. protocol.md
 * §1.5: the service has no ping rule of its own and answers WebSocket pings; pings do not count
 * as activity for its idle cut-off, so this only finds dead peers, it keeps nothing alive.
 */

/** The longest a ping waits for its pong, whatever the interval. */
export const MAX_PONG_WAIT_MS = 10_000;

/**
 * Pings with `ping(timeoutMs)` every `intervalMs` and calls `onDead` when one fails. Returns the
 * function that stops it. The timer does not keep a Node process alive.
 */
export function startKeepalive(intervalMs: number, ping: (timeoutMs: number) => Promise<unknown>, onDead: (error: unknown) => void): () => void {
  const timer = setInterval(() => {
    ping(Math.min(intervalMs, MAX_PONG_WAIT_MS)).catch(onDead);
  }, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
