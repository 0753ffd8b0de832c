/**
 * The life of the WebSocket under a `RealtimeClient`: connect (key, handshake, `session.created`
 * within `connectMs`), read-side pausing, the keepalive that finds a dead peer (§1.5), a polite
 * finish (§3.9), close and teardown. Each connect is a new generation: frames and closes of an
 * older socket (one given up on) are ignored. What the frames mean is the client's business.
 */
import { AbortError, ConnectionError, RealtimeError, TimeoutError } from '../errors.js';
import type { Redactor } from '../internal/redact.js';
import { untilAborted } from '../internal/untilAborted.js';
import type { Session } from '../protocol/session.js';
import { startKeepalive } from '../transport/keepalive.js';
import { openSocket } from '../transport/openSocket.js';
import type { FinishResult, OutgoingEvent, TransportState } from '../transport/realtimeTransport.js';
import type { Socket } from '../transport/socket.js';
import { resolveApiKey } from './apiKey.js';
import type { EventChannel } from './eventChannel.js';
import { checkTimerMs, handshakeHeaders, type ResolvedOptions } from './options.js';

/** What the connection asks of its client. */
export interface ConnectionHooks {
  /** A text frame arrived (not yet redacted). */
  onText(frame: string): void;
  /** A new socket is about to open: reset per-connection state. */
  opening(): void;
  /** The socket is gone: settle what waits on it (the channel's `close` follows). */
  closed(code: number, reason: string, error: ConnectionError | undefined): void;
  /** Sends a client event. */
  send(event: OutgoingEvent): string;
}

/** After `terminate()`, how long `close()` waits for the transport to report the close before giving up on it. */
const TERMINATE_GRACE_MS = 1000;

function noop(): void {}

/** One client's socket, across connects. */
export class Connection {
  readonly #opts: ResolvedOptions;
  readonly #channel: EventChannel;
  readonly #hooks: ConnectionHooks;
  /** Rejecters of the pings waiting for a pong; all rejected when the socket closes. */
  readonly #pings = new Set<(error: Error) => void>();
  #socket: Socket | undefined;
  /** Bumped at each connect and each forced teardown: events of an older socket are ignored. */
  #generation = 0;
  #connectAbort: AbortController | undefined;
  /** Settles once the connect in progress has settled and cleaned up (for `close()` during it). */
  #connecting: Promise<void> | undefined;
  #state: TransportState = 'idle';
  /** Scrubs the key of this connect from whatever the server sends back (the client's, shared with the session). */
  readonly #redactor: Redactor;
  #pauses = 0;
  #closeRequested = false;
  #finishSent = false;
  /** Set when the keepalive dropped the socket: the close then says why. */
  #deadPeer: string | undefined;
  #stopKeepalive: () => void = noop;

  constructor(opts: ResolvedOptions, channel: EventChannel, hooks: ConnectionHooks, redactor: Redactor) {
    this.#redactor = redactor;
    this.#opts = opts;
    this.#channel = channel;
    this.#hooks = hooks;
  }

  /** Connection state. */
  get state(): TransportState {
    return this.#state;
  }

  /** The open socket, if any. */
  get socket(): Socket | undefined {
    return this.#socket;
  }

  /** Removes the key of this connect from anything shown. */
  get redactor(): Redactor {
    return this.#redactor;
  }

  /** The open socket, or a {@link ConnectionError} naming `operation`. */
  requireOpen(operation: string): Socket {
    if (this.#state !== 'open' || !this.#socket?.isOpen) {
      throw new ConnectionError(`${operation}: not connected (state ${this.#state}); call connect() first.`, 'not_connected');
    }
    return this.#socket;
  }

  /** See `RealtimeClient.connect`. */
  connect(): Promise<Session> {
    if (this.#state === 'connecting' || this.#state === 'open' || this.#state === 'closing') {
      return Promise.reject(new RealtimeError(`connect() called while the client is ${this.#state}; close it first.`, 'invalid_state'));
    }
    this.#state = 'connecting';
    // Reset here, not after the first await of the connect: a close() called meanwhile must stick.
    this.#closeRequested = false;
    this.#finishSent = false;
    this.#deadPeer = undefined;
    const abort = new AbortController();
    this.#connectAbort = abort;
    const run = this.#connect(abort.signal);
    this.#connecting = run.then(noop, noop);
    return run;
  }

  async #connect(signal: AbortSignal): Promise<Session> {
    try {
      const session = await this.#open(signal);
      this.#startKeepalive();
      return session;
    } catch (error) {
      this.#connectFailed(error);
      throw error;
    } finally {
      if (this.#connectAbort?.signal === signal) this.#connectAbort = undefined;
    }
  }

  /**
   * A failed or aborted connect ends like a close: iterators end, waiters reject and `close` is
   * emitted (as a browser WebSocket does), so nothing registered during the attempt waits forever.
   */
  #connectFailed(error: unknown): void {
    if (this.#state === 'closed') return; // the socket's own close already did the rest
    const socket = this.#socket;
    this.#generation++; // a late close of this attempt's socket must not be reported twice
    socket?.terminate();
    const failure = this.#closeRequested
      ? undefined
      : error instanceof ConnectionError
        ? error
        : new ConnectionError(`connect failed: ${this.#redactor.text(error instanceof Error ? error.message : String(error))}`, 'connection_failed', { cause: error instanceof RealtimeError ? error : this.#redactor.safeCause(error) });
    this.#teardown(this.#closeRequested ? 1000 : 1006, '', failure);
  }

  async #open(signal: AbortSignal): Promise<Session> {
    const started = Date.now();
    const apiKey = await resolveApiKey(this.#opts, signal);
    this.#redactor.set([apiKey]);
    this.#hooks.opening();
    const created = this.#nextSessionCreated();
    const generation = ++this.#generation;
    // Handlers of an older socket (one given up on) are ignored; and nothing the client runs
    // (listeners, the logger) may throw into the transport, where it would break `ws`' reader.
    // `onText` runs for every frame: it calls straight through, without a closure per frame.
    const failed = (error: unknown) => this.#channel.report(new RealtimeError(`A frame could not be handled and was skipped: ${error instanceof Error ? error.message : String(error)}`, 'internal_error', { cause: error }));
    const current = (fn: () => void) => {
      if (generation !== this.#generation) return;
      try {
        fn();
      } catch (error) {
        failed(error);
      }
    };
    const hooks = this.#hooks;
    try {
      const opening = (this.#opts.socketFactory ?? openSocket)(
        {
          url: this.#opts.url,
          headers: handshakeHeaders(this.#opts, apiKey),
          timeoutMs: Math.max(1, this.#opts.timeouts.connectMs - (Date.now() - started)),
          maxPayload: this.#opts.maxPayloadBytes,
          secrets: this.#redactor.secrets,
          signal,
        },
        {
          onText: (text) => {
            if (generation !== this.#generation) return;
            try {
              hooks.onText(text);
            } catch (error) {
              failed(error);
            }
          },
          onBinary: (n) => current(() => this.#channel.report(new RealtimeError(`The server sent a binary frame of ${n} bytes; DashScope sends JSON text frames only (protocol.md §1.4). It was skipped.`, 'binary_frame'))),
          onClose: (code, reason) => current(() => this.#onClose(code, reason)),
        },
      );
      this.#socket = await untilAborted(opening, signal, 'connect', (late) => late.terminate());
    } catch (error) {
      created.cancel();
      // The transport got what was left of connectMs; the error names the limit the user set.
      if (error instanceof TimeoutError && error.operation === 'connect') throw new TimeoutError('connect', this.#opts.timeouts.connectMs);
      throw error;
    }
    const remaining = Math.max(1, this.#opts.timeouts.connectMs - (Date.now() - started));
    try {
      const session = await untilAborted(created.wait(remaining), signal, 'connect');
      // close() in the ticks after session.created arrived: it still aborts this connect.
      if (signal.aborted) throw new AbortError('connect');
      this.#state = 'open';
      return session;
    } catch (error) {
      this.#socket?.terminate();
      throw error;
    }
  }

  /** A one-shot wait for `session.created`, registered before the socket opens. */
  #nextSessionCreated() {
    let settle: ((session: Session) => void) | undefined;
    let fail: ((error: Error) => void) | undefined;
    const promise = new Promise<Session>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const offCreated = this.#channel.on('session.created', (event) => settle?.(event.session));
    const offClose = this.#channel.on('close', (info) =>
      fail?.(info.error ?? new ConnectionError(`The connection closed before session.created (code ${info.code}).`, 'connection_closed', { closeCode: info.code, closeReason: info.reason })),
    );
    const cleanup = () => {
      offCreated();
      offClose();
    };
    return {
      cancel: cleanup,
      wait: async (timeoutMs: number): Promise<Session> => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError('connect (waiting for session.created)', this.#opts.timeouts.connectMs)), timeoutMs);
        });
        try {
          return await Promise.race([promise, timeout]);
        } finally {
          clearTimeout(timer);
          cleanup();
        }
      },
    };
  }

  /** Pauses reading for an iterator that fell behind; false where the socket cannot pause. */
  pauseReading(): boolean {
    if (!this.#socket?.pause) return false;
    // Closing: the close frame must still be read, so the queue grows (bounded by closeMs) without a
    // pause. Finishing keeps pausing: finish() took the holds back once, and a server that floods
    // instead of answering session.finished is bounded by the queue, then by finishMs.
    if (this.#state === 'closing') return true;
    if (this.#pauses++ === 0) this.#socket.pause();
    return true;
  }

  /** An iterator that held reading paused caught up. */
  resumeReading(): void {
    if (this.#pauses > 0 && --this.#pauses === 0) this.#socket?.resume?.();
  }

  /** Lets the transport read again and drops every iterator's hold on it (closing needs the close frame). */
  #forceReading(): void {
    this.#channel.releaseReaders();
    if (this.#pauses > 0) {
      this.#pauses = 0;
      this.#socket?.resume?.();
    }
  }

  #onClose(code: number, rawReason: string): void {
    const expected = this.#closeRequested || this.#finishSent;
    const reason = this.#redactor.text(rawReason);
    const why = `code ${code}${reason ? `: ${reason}` : ''}${this.#deadPeer ? `; dropped by the keepalive: ${this.#deadPeer}, the peer is gone` : ''}`;
    const error = expected ? undefined : new ConnectionError(`The connection closed unexpectedly (${why}).`, 'connection_closed', { closeCode: code, closeReason: reason });
    this.#teardown(code, reason, error);
  }

  /** Everything a close ends: pending requests, pings, drain waits, iterators; then `close`. */
  #teardown(code: number, reason: string, error: ConnectionError | undefined): void {
    this.#state = 'closed';
    this.#socket = undefined;
    this.#pauses = 0;
    this.#stopKeepalive();
    this.#stopKeepalive = noop;
    this.#hooks.closed(code, reason, error);
    for (const reject of [...this.#pings]) reject(error ?? new ConnectionError(`The connection closed (code ${code}).`, 'connection_closed', { closeCode: code, closeReason: reason }));
    this.#channel.end(error ? { code, reason, error } : { code, reason });
  }

  /** See `RealtimeClient.finish`. */
  async finish(options: { timeoutMs?: number } = {}): Promise<FinishResult> {
    if (this.#state !== 'open') {
      await this.close();
      return { finished: false, reason: 'closed' };
    }
    const timeoutMs = options?.timeoutMs ?? this.#opts.timeouts.finishMs;
    checkTimerMs('finish options.timeoutMs', timeoutMs, 0);
    // The answer must be read even if an iterator is holding reading paused.
    this.#forceReading();
    const result = this.#channel.finishOutcome(timeoutMs);
    this.#hooks.send({ type: 'session.finish' });
    this.#finishSent = true;
    const outcome = await result;
    await this.close(1000);
    return outcome;
  }

  /** See `RealtimeClient.close`. */
  close(code = 1000, reason = ''): Promise<void> {
    if (this.#state === 'connecting') {
      this.#closeRequested = true;
      this.#connectAbort?.abort();
      return this.#connecting ?? Promise.resolve();
    }
    const socket = this.#socket;
    if (!socket || this.#state === 'closed' || this.#state === 'idle') {
      this.#state = this.#state === 'idle' ? 'idle' : 'closed';
      return Promise.resolve();
    }
    this.#closeRequested = true;
    this.#state = 'closing';
    // The server's close frame must be read even if an iterator is holding reading paused.
    this.#forceReading();
    return new Promise<void>((resolve) => {
      let abandon: ReturnType<typeof setTimeout> | undefined;
      const timer = setTimeout(() => {
        socket.terminate();
        abandon = setTimeout(() => {
          if (this.#socket !== socket) return;
          this.#generation++;
          this.#teardown(1006, '', undefined);
        }, TERMINATE_GRACE_MS);
      }, this.#opts.timeouts.closeMs);
      const off = this.#channel.on('close', () => {
        clearTimeout(timer);
        clearTimeout(abandon);
        off();
        resolve();
      });
      try {
        socket.close(code, reason);
      } catch {
        socket.terminate();
      }
    });
  }

  /** Drops the connection at once, without a close handshake; `close` reports code 1006 as unexpected. */
  terminate(): void {
    this.#socket?.terminate();
  }

  // ---- liveness ---------------------------------------------------------------------------

  #startKeepalive(): void {
    const interval = this.#opts.keepaliveMs;
    if (interval === false || !this.#socket?.ping) return;
    const socket = this.#socket;
    this.#stopKeepalive = startKeepalive(interval, (timeoutMs) => this.ping(timeoutMs), (error) => {
      if (this.#socket !== socket || this.#state !== 'open') return;
      // The first failure names the cause; later pings fail only because of the drop.
      this.#deadPeer ??= error instanceof TimeoutError ? `no pong within ${error.timeoutMs} ms` : 'the ping failed';
      socket.terminate();
    });
  }

  /** See `RealtimeClient.ping`. */
  ping(timeoutMs = 10_000): Promise<number | undefined> {
    try {
      checkTimerMs('ping timeoutMs', timeoutMs, 1);
    } catch (error) {
      return Promise.reject(error);
    }
    const socket = this.#socket;
    if (!socket?.isOpen) return Promise.reject(new ConnectionError('ping: not connected.', 'not_connected'));
    if (!socket.ping) return Promise.resolve(undefined);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      // Settled once: by the pong, the timeout, or the close (which rejects every pending ping).
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.#pings.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => fail(new TimeoutError('ping', timeoutMs)), timeoutMs);
      this.#pings.add(fail);
      try {
        socket.ping!(() => {
          if (!this.#pings.delete(fail)) return;
          clearTimeout(timer);
          resolve(performance.now() - started);
        });
      } catch (error) {
        fail(new ConnectionError(`ping: ${error instanceof Error ? error.message : String(error)}`, 'not_connected', { cause: error }));
      }
    });
  }
}
