/**
 * The connection under a session, and its lifecycle: connect, the close of a connection,
 * reconnect with backoff, rollover before the duration cap (§2.5), suspension after an inactivity
 * close (§0.2.11), and the waits for "open". The session keeps the conversation (history, turns,
 * configuration) and is told, through {@link ConnectionHost}, when a connection comes and goes.
 */
import { AbortError, ConnectionError, RealtimeError, type ServerError } from '../errors.js';
import type { SessionConfig } from '../protocol/session.js';
import type { CloseInfo, RealtimeTransport } from '../transport/realtimeTransport.js';
import { Readiness } from './readiness.js';
import { isRetryable, reconnectWithBackoff } from './reconnect.js';
import { RolloverSchedule } from './rollover.js';
import type { RealtimeSessionEvents, RealtimeSessionOptions, ReconnectedInfo, SessionState } from './sessionOptions.js';

/** §0.2.11: the service closes a session in which no response was generated for 180 s (or 300 s). */
const INACTIVITY = /no response was generated/i;

/** What the connection needs from its session. */
export interface ConnectionHost {
  /** Builds a connection (the `transport` option, or a WebSocket client). */
  newClient(): RealtimeTransport;
  /** Routes a new connection's events into the session; its `close` must reach {@link SessionConnection.closed}. */
  attach(client: RealtimeTransport): void;
  /** The configuration sent on every connection. */
  config(): SessionConfig;
  /** On a reconnect, after the configuration: the conversation restored on `client`. */
  restore(client: RealtimeTransport): Promise<Omit<ReconnectedInfo['restored'], 'config'>>;
  /** On a reconnect, once it is sure to stay: the audio kept while disconnected, sent. */
  flush(client: RealtimeTransport): Promise<void>;
  /** True while a turn or the user's speech holds a rollover back. */
  holdsRollover(): boolean;
  /** The connection is gone: what was in flight fails with `error`. */
  failActive(error: Error): void;
  emit<K extends keyof RealtimeSessionEvents>(event: K, payload: RealtimeSessionEvents[K]): void;
}

/** One live connection at a time under a session, replaced on reconnect. */
export class SessionConnection {
  readonly #readiness = new Readiness();
  readonly #rollover = new RolloverSchedule(() => void this.maybeRollover());
  #client: RealtimeTransport;
  #state: SessionState = 'idle';
  #startedAt = 0;
  #abort = new AbortController();
  /** The service said it closes for inactivity (§0.2.11): its close suspends instead of reconnecting. */
  #inactive: Error | undefined;
  /** The close of the connection connect() is opening, reported to connect() ({@link closed} leaves it alone). */
  #connectClose: Error | undefined;
  /** The last client whose `session.created` arrived (its handshake worked). */
  #created: RealtimeTransport | undefined;

  constructor(
    private readonly host: ConnectionHost,
    private readonly options: RealtimeSessionOptions,
  ) {
    this.#client = host.newClient();
  }

  /** The current connection. */
  get client(): RealtimeTransport {
    return this.#client;
  }

  /** The session's state. */
  get state(): SessionState {
    return this.#state;
  }

  /** Aborted when the session closes. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Waits until open, at most until `deadline` (performance.now() time); a suspended session
   * reconnects now. Throws a ConnectionError on a session never connected or closed.
   */
  async ready(operation: string, deadline: number, signal?: AbortSignal): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state === 'idle') throw new ConnectionError(`${operation}: the session was never connected; call connect() first.`, 'not_connected');
    if (this.#state === 'closed') throw new ConnectionError(`${operation}: the session is closed; call connect() to open it again.`, 'not_connected');
    this.resumeIfSuspended();
    await this.#readiness.wait(operation, Math.max(0, deadline - performance.now()), signal);
  }

  /**
   * Connects and configures. A close before `session.created` rejects; one after it (while the
   * configuration is sent or answered, or before connect() returns) reconnects, and connect()
   * resolves once reconnected (docs/reconnect.md). `reconnect: false` or a fatal close rejects.
   */
  async connect(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'closed') throw new RealtimeError(`connect() called while the session is ${this.#state}.`, 'invalid_state');
    this.#state = 'connecting';
    this.#abort = new AbortController();
    this.#connectClose = undefined;
    const client = this.#client;
    let failure: unknown;
    try {
      await this.#open(client);
    } catch (error) {
      failure = error;
    }
    // close() during the configuration: the connection it is ending must not be marked open.
    if (this.#state !== 'connecting') {
      client.terminate();
      throw failure instanceof AbortError ? failure : new AbortError('connect');
    }
    // A close while connecting is left to connect() by closed(): it may come after #open resolved.
    const cause = failure ?? (client.isConnected ? undefined : (this.#connectClose ?? new ConnectionError('The connection closed while connect() was finishing.', 'connection_closed')));
    if (cause === undefined) return this.#setOpen();
    if (this.#created === client && this.options.reconnect !== false && isRetryable(cause) && cause instanceof ConnectionError) {
      client.terminate();
      const ready = this.#readiness.wait('connect', Infinity); // bounded by the reconnect attempts and close()
      void this.#reconnect('dropped', cause);
      return ready;
    }
    this.#state = 'closed';
    this.#readiness.fail(cause instanceof Error ? cause : new Error(String(cause)));
    throw cause;
  }

  async #open(client: RealtimeTransport): Promise<void> {
    this.host.attach(client);
    await client.connect();
    this.#created = client;
    this.#startedAt = Date.now();
    const config = this.host.config();
    if (Object.keys(config).length > 0) await client.updateSession(config);
  }

  #setOpen(): void {
    this.#state = 'open';
    const cap = this.options.maxSessionMs ?? (this.#client.modelInfo?.limits.sessionMinutes ?? 120) * 60_000;
    this.#rollover.start(this.#startedAt, cap, this.options.rolloverMarginMs ?? 5 * 60_000);
    this.#readiness.open();
  }

  /** A server error: true when it is the inactivity notice (§0.2.11), whose close then suspends the session. */
  inactivityNotice(error: ServerError): boolean {
    if (!INACTIVITY.test(error.message)) return false;
    this.#inactive = error;
    return true;
  }

  /** A response was generated after an inactivity notice: it is stale, a later drop reconnects. */
  responseCreated(): void {
    this.#inactive = undefined;
  }

  /** A suspended session (inactivity close) reconnects now. */
  resumeIfSuspended(): void {
    if (this.#state !== 'suspended') return;
    const cause = this.#inactive ?? new RealtimeError('resumed after an inactivity close', 'resumed');
    this.#inactive = undefined;
    void this.#reconnect('resumed', cause);
  }

  /** `client` closed: reconnect, suspend, or end the session. */
  async closed(client: RealtimeTransport, info: CloseInfo): Promise<void> {
    // During connect() the failure is connect()'s to report; during a reconnect, the loop's.
    if (client === this.#client && this.#state === 'connecting') this.#connectClose = info.error;
    if (client !== this.#client || this.#state === 'closed' || this.#state === 'reconnecting' || this.#state === 'connecting' || this.#state === 'suspended') return;
    const error = info.error;
    if (!error) {
      this.#shutdown();
      return;
    }
    this.host.failActive(error);
    const inactive = this.#inactive;
    if (inactive) {
      // §0.2.11: reconnecting now would only be closed again in 180 s; the next use reconnects.
      this.#state = 'suspended';
      this.#rollover.stop();
      this.host.emit('suspended', { error: inactive });
      return;
    }
    if (this.options.reconnect === false || !isRetryable(error)) {
      this.host.emit('error', error);
      this.#shutdown(error);
      return;
    }
    await this.#reconnect('dropped', error);
  }

  async #reconnect(reason: ReconnectedInfo['reason'], cause: Error): Promise<void> {
    this.#state = 'reconnecting';
    this.#rollover.stop();
    const failure = await reconnectWithBackoff(
      {
        options: this.options.reconnect,
        immediate: reason !== 'dropped',
        signal: this.#abort.signal,
        wanted: () => this.#state === 'reconnecting',
        onAttempt: (attempt, delayMs, error) => this.host.emit('reconnecting', { attempt, delayMs, error }),
        connect: (attempt) => this.#reopen(reason, attempt),
      },
      cause,
    );
    if (!failure) return;
    const failed = failure instanceof RealtimeError ? failure : new RealtimeError(failure.message, 'reconnect_failed', { cause: failure });
    this.host.emit('error', failed);
    this.#shutdown(failed);
  }

  /** One reconnect attempt: a new client, the configuration and the conversation restored, the buffered audio sent. */
  async #reopen(reason: ReconnectedInfo['reason'], attempt: number): Promise<void> {
    const client = (this.#client = this.host.newClient());
    try {
      await this.#open(client);
      const restored = await this.host.restore(client);
      // close() while this connection was being set up: it must not come back to life.
      if (this.#state !== 'reconnecting') {
        client.terminate();
        return;
      }
      await this.host.flush(client);
      this.#setOpen();
      this.host.emit('reconnected', { reason, attempt, restored: { config: true, ...restored } });
    } catch (error) {
      client.terminate();
      throw error;
    }
  }

  /** Rolls over when due, between turns only: never in the middle of a reply, a tool run or the user's speech. */
  async maybeRollover(): Promise<void> {
    if (this.#state !== 'open' || this.host.holdsRollover() || !this.#rollover.due) return;
    const old = this.#client;
    this.#state = 'reconnecting';
    this.#rollover.stop();
    await old.close(1000, 'rollover');
    if (this.#state !== 'reconnecting') return; // closed meanwhile
    await this.#reconnect('rollover', new RealtimeError('session duration cap approaching', 'rollover'));
  }

  #shutdown(error?: Error): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopTimers();
    const reason = error ?? new RealtimeError('The session closed.', 'closed');
    this.host.failActive(reason);
    this.#readiness.fail(new ConnectionError(`the session closed: ${reason.message}`, 'not_connected'));
    this.host.emit('close', error ? { error } : {});
  }

  #stopTimers(): void {
    this.#rollover.stop();
    this.#abort.abort();
  }

  /**
   * close() begins: the session is closed from now on (nothing reconnects, waits end). Returns
   * the connection to finish, and whether it is still open; undefined when there is nothing to close.
   */
  beginClose(): { client: RealtimeTransport; suspended: boolean } | undefined {
    if (this.#state === 'closed' || this.#state === 'idle') return undefined;
    const suspended = this.#state === 'suspended';
    this.#state = 'closed';
    this.#stopTimers();
    return { client: this.#client, suspended };
  }

  /** close() ended: the waits still pending reject. */
  endClose(): void {
    this.#readiness.fail(new ConnectionError('the session was closed by close().', 'not_connected'));
  }
}
