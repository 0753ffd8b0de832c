/**
 * One browser connection and its upstream twin. Frames pass both ways untouched, except where
 * the operator asked otherwise: limits (size, rate, duration), the client-event filter, and the
 * relay's own session fields. Frames the browser sends while the upstream handshake is still
 * running are queued (bounded) and sent in order, so the browser's socket opens at once and an
 * upstream failure reaches it as a close reason it can read (a refused upgrade would only show
 * 1006 in a browser).
 */
import { WebSocket, type RawData } from 'ws';
import { Redactor } from '../internal/redact.js';
import { VERSION } from '../version.js';
import { browserCloseFor, closeReason, isSendableCode, RELAY_CLOSE_CODES } from './closeCodes.js';
import { relayErrorEvent } from './errorEvent.js';
import type { ClientEventFilter } from './eventFilter.js';
import type { ResolvedRelayOptions } from './options.js';
import { RateLimiter } from './rateLimiter.js';
import { SessionUpdateTracker } from './sessionUpdateTracker.js';
import { openUpstream, UpstreamFailure, upstreamUrl } from './upstream.js';

/** What a connection needs from its relay. */
export interface ConnectionContext {
  /** Number of the connection in this relay instance, for log lines. */
  id: number;
  /** The model of the browser's `?model=`. */
  model: string;
  options: ResolvedRelayOptions;
  filter: ClientEventFilter;
  /** Called once both sockets are done with. */
  closed(connection: RelayConnection): void;
}

// Backpressure: stop reading a side while the other side has this much queued (§ "ws" pattern).
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
// After a close frame, wait this long for the peer's before dropping the socket.
const CLOSE_GRACE_MS = 5_000;

/** A browser ↔ service pair. */
export class RelayConnection {
  private upstream: WebSocket | undefined;
  private pending: Array<{ data: Buffer; isBinary: boolean }> = [];
  private pendingBytes = 0;
  private done = false;
  private browserGone = false;
  private readonly limiter: RateLimiter;
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private alive = true;
  /** Scrubs the key from upstream frames, reasons and log lines (raw or JSON-escaped). */
  private readonly redactor = new Redactor();
  private readonly tracker: SessionUpdateTracker | undefined;
  private readonly started = Date.now();
  private framesIn = 0;
  private framesOut = 0;
  private readonly browserPaused = { value: false };
  private readonly upstreamPaused = { value: false };

  constructor(
    private readonly browser: WebSocket,
    private readonly ctx: ConnectionContext,
  ) {
    this.limiter = new RateLimiter(ctx.options.limits.maxMessagesPerSecond);
    this.tracker = ctx.options.session ? new SessionUpdateTracker(ctx.options.session) : undefined;
  }

  /** Starts relaying: limits, heartbeat, and the upstream handshake. */
  start(): void {
    const { limits, pingIntervalMs } = this.ctx.options;
    this.browser.on('message', (data, isBinary) => this.fromBrowser(toBuffer(data), isBinary));
    this.browser.on('close', (code, reason) => this.browserClosed(code, reason.toString('utf8')));
    this.browser.on('error', (error) => this.log('warn', `browser socket error: ${error.message}`));
    this.browser.on('pong', () => (this.alive = true));
    if (limits.maxSessionMs > 0) {
      this.timers.push(setTimeout(() => this.closeBoth(RELAY_CLOSE_CODES.sessionDuration, `session duration limit of ${formatMs(limits.maxSessionMs)} reached`, 'session duration limit'), limits.maxSessionMs));
    }
    if (pingIntervalMs > 0) {
      const ping = setInterval(() => {
        if (!this.alive) {
          this.log('info', 'browser stopped answering pings; dropping it');
          this.browser.terminate();
          return;
        }
        this.alive = false;
        this.browser.ping();
      }, pingIntervalMs);
      this.timers.push(ping);
    }
    void this.connectUpstream();
  }

  /** Closes both sides (relay shutdown). */
  shutdown(): void {
    this.closeBoth(RELAY_CLOSE_CODES.shuttingDown, 'relay shutting down', 'relay shutting down');
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.ctx.options.log(level, `[${this.ctx.id}] ${message}`);
  }

  private async connectUpstream(): Promise<void> {
    const { options, model } = this.ctx;
    let key: string;
    try {
      key = await options.getApiKey();
    } catch {
      this.log('error', 'no API key for the upstream connection');
      this.closeBoth(RELAY_CLOSE_CODES.relayConfigRefused, 'the relay has no API key configured', 'no key');
      return;
    }
    this.redactor.set([key]);
    const headers: Record<string, string> = { Authorization: `Bearer ${key}`, 'user-agent': `dashscope-realtime-relay/${VERSION}` };
    if (options.workspaceId !== undefined) headers['X-DashScope-WorkSpace'] = options.workspaceId;
    try {
      const upstream = await openUpstream(upstreamUrl(options.upstreamBase, model), headers, options.timeouts.upstreamConnectMs, this.redactor, {
        onMessage: (data, isBinary, socket) => this.fromUpstream(data, isBinary, socket),
        onClose: (code, reason) => this.upstreamClosed(code, reason),
      });
      upstream.on('error', (error) => this.log('warn', `upstream socket error: ${this.redactor.text(error.message)}`));
      if (this.done) {
        upstream.close(1000);
        return;
      }
      this.upstream = upstream;
      this.log('info', `upstream open (model ${model})`);
      // With a relay session, the page's frames wait for the relay's own session.update (sent
      // on session.created): a frame sent before it would run under the page's settings.
      if (!this.tracker || this.tracker.sentOwnUpdate) this.flushPending(upstream);
    } catch (error) {
      const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure(RELAY_CLOSE_CODES.upstreamUnavailable, 'upstream unreachable', this.redactor.text(String(error)));
      this.log('warn', failure.detail);
      this.closeBoth(failure.closeCode, failure.closeReason, 'upstream failed');
    }
  }

  private fromBrowser(data: Buffer, isBinary: boolean): void {
    if (this.done) return;
    this.framesIn++;
    const { limits } = this.ctx.options;
    if (!this.limiter.take()) {
      this.log('warn', `browser exceeded ${limits.maxMessagesPerSecond} messages per second`);
      this.closeBoth(RELAY_CLOSE_CODES.rateLimit, `message rate limit exceeded (${limits.maxMessagesPerSecond} per second)`, 'rate limit');
      return;
    }
    if (data.length > limits.maxMessageBytes) {
      this.log('info', `refused a ${data.length}-byte frame (limit ${limits.maxMessageBytes})`);
      this.toBrowser(relayErrorEvent('message_too_large', `The message is ${data.length} bytes; the relay forwards at most ${limits.maxMessageBytes} bytes per message. It was not sent.`, '', peekEventId(data)));
      return;
    }
    let out = data;
    const filter = this.ctx.filter;
    if (filter.active) {
      if (isBinary) {
        this.toBrowser(relayErrorEvent('invalid_event', 'The relay accepts JSON text frames only (protocol.md §1.4).'));
        return;
      }
      const verdict = filter.check(data.toString('utf8'));
      if (!verdict.ok) {
        this.toBrowser(verdict.error);
        return;
      }
      if (verdict.type === 'session.update') this.tracker?.browserUpdate(verdict.eventId);
      out = Buffer.from(verdict.text, 'utf8');
    }
    if (this.upstream && this.pending.length === 0 && (!this.tracker || this.tracker.sentOwnUpdate)) {
      this.forward(this.upstream, this.browser, out, isBinary, this.browserPaused);
      return;
    }
    if (this.pendingBytes + out.length > limits.maxPendingBytes) {
      this.closeBoth(RELAY_CLOSE_CODES.tryAgainLater, 'too much sent before the upstream connection opened', 'pending queue overflow');
      return;
    }
    this.pending.push({ data: out, isBinary });
    this.pendingBytes += out.length;
  }

  private fromUpstream(data: Buffer, isBinary: boolean, upstream: WebSocket): void {
    if (this.done) return;
    let out = data;
    // Defence in depth: the service never echoes the key, but if a frame ever did, the browser must not get it.
    // Escaped forms too (`\u0073k-…` parses to the key); an audio delta costs two memchr scans.
    if (this.redactor.mayHoldBytes(data)) {
      const text = data.toString('utf8');
      const clean = this.redactor.text(text);
      if (clean !== text) {
        this.log('warn', 'an upstream frame contained the API key; it was redacted');
        out = Buffer.from(clean, 'utf8');
      }
    }
    if (this.tracker && !isBinary) {
      const verdict = this.tracker.fromUpstream(out);
      if (verdict.sendFirst) {
        upstream.send(verdict.sendFirst);
        if (this.upstream) this.flushPending(upstream); // else connectUpstream flushes once the open settles
      }
      if (verdict.refused !== undefined) {
        this.log('error', `the service refused the relay's session settings: ${verdict.refused}`);
        this.closeBoth(RELAY_CLOSE_CODES.relayConfigRefused, closeReason(`relay session settings refused: ${verdict.refused}`), 'relay session refused');
        return;
      }
      if (verdict.swallow) return;
    }
    this.framesOut++;
    this.forward(this.browser, upstream, out, isBinary, this.upstreamPaused);
  }

  /** Sends what the browser sent while the upstream (or the relay's session.update) was not ready, in order. */
  private flushPending(upstream: WebSocket): void {
    for (const frame of this.pending.splice(0)) this.forward(upstream, this.browser, frame.data, frame.isBinary, this.browserPaused);
    this.pendingBytes = 0;
  }

  /** Sends `data` to `to`; pauses reading `from` while `to` has too much queued. */
  private forward(to: WebSocket, from: WebSocket, data: Buffer, isBinary: boolean, paused: { value: boolean }): void {
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data, { binary: isBinary }, () => {
      if (paused.value && to.bufferedAmount < LOW_WATER) {
        paused.value = false;
        from.resume();
      }
    });
    if (!paused.value && to.bufferedAmount > HIGH_WATER) {
      paused.value = true;
      from.pause();
    }
  }

  private toBrowser(text: string): void {
    if (this.browser.readyState === WebSocket.OPEN) this.browser.send(text);
  }

  private upstreamClosed(code: number, reason: string): void {
    if (this.done) return;
    const close = browserCloseFor(code, reason);
    this.log('info', `upstream closed with ${code}${reason ? ` (${reason})` : ''}`);
    this.closeBoth(close.code, closeReason(close.reason), 'upstream closed');
  }

  private browserClosed(code: number, reason: string): void {
    this.browserGone = true;
    if (!this.done) {
      this.done = true;
      const upstreamCode = isSendableCode(code) && code < 3000 ? code : 1000;
      this.closeUpstream(upstreamCode);
    }
    this.finish(code, reason);
  }

  private closeUpstream(code: number): void {
    const upstream = this.upstream;
    if (!upstream) return;
    if (upstream.readyState === WebSocket.OPEN) {
      upstream.close(code);
      const t = setTimeout(() => upstream.terminate(), CLOSE_GRACE_MS);
      upstream.once('close', () => clearTimeout(t));
    } else if (upstream.readyState === WebSocket.CONNECTING) {
      upstream.terminate();
    }
  }

  /** Closes the browser with `code`/`reason` and the upstream with 1000. */
  private closeBoth(code: number, reason: string, why: string): void {
    if (this.done) return;
    this.done = true;
    this.log('info', `closing (${why}): ${code} ${reason}`);
    this.closeUpstream(1000);
    if (this.browser.readyState === WebSocket.OPEN) {
      this.browser.close(code, closeReason(reason));
      const t = setTimeout(() => this.browser.terminate(), CLOSE_GRACE_MS);
      this.browser.once('close', () => clearTimeout(t));
    } else if (!this.browserGone) {
      this.browser.terminate();
    }
  }

  private finishedOnce = false;

  private finish(code: number, reason: string): void {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    for (const t of this.timers.splice(0)) clearTimeout(t);
    this.pending = [];
    this.log('info', `closed ${code}${reason ? ` (${reason})` : ''} after ${formatMs(Date.now() - this.started)}; ${this.framesIn} frames in, ${this.framesOut} out`);
    this.ctx.closed(this);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The `event_id` of an oversized frame, found without parsing all of it, so the error can name it (§0.1.2). */
function peekEventId(data: Buffer): string {
  const head = data.subarray(0, 256).toString('utf8');
  return /"event_id"\s*:\s*"([^"\\]{1,100})"/.exec(head)?.[1] ?? '';
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}
