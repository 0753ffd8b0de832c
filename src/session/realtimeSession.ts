/**
 * RealtimeSession: a conversation on top of RealtimeClient. It wires the concerns together —
 * history, tools, the turn state machine (turnMachine.ts), reconnect and metrics each live in
 * their own module — and keeps the session going across reconnects, rollovers before the duration
 * cap (§2.5) and inactivity closes (§0.2.11), with the configuration `updateSession` changed.
 */
import { checkTimerMs } from '../client/options.js';
import { RealtimeClient } from '../client/realtimeClient.js';
import { AbortError, ConnectionError, RealtimeError, ServerError, ValidationError } from '../errors.js';
import { redactorOf } from '../internal/redact.js';
import type { ErrorEvent } from '../protocol/serverEvents.js';
import type { Session, SessionConfig } from '../protocol/session.js';
import type { CloseInfo, RealtimeTransport } from '../transport/realtimeTransport.js';
import { checkAsk, sendAsk, type AskInput } from './ask.js';
import { BoundedAudioBuffer } from './audioBuffer.js';
import { finishConnection } from './finishConnection.js';
import { ConversationHistory, type HistoryChange } from './history.js';
import { SessionMetrics, type MetricsSnapshot } from './metrics.js';
import { Readiness } from './readiness.js';
import { SessionEvents } from './sessionEvents.js';
import { isRetryable, reconnectWithBackoff } from './reconnect.js';
import { RolloverSchedule } from './rollover.js';
import { restoreConversation } from './restore.js';
import type { RealtimeSessionOptions, ReconnectedInfo, SessionState, SessionUpdate } from './sessionOptions.js';
import { SessionConfiguration } from './configuration.js';
import { Turn } from './turn.js';
import { TurnMachine } from './turnMachine.js';

export type { AskInput } from './ask.js';
export type { RealtimeSessionEvents, RealtimeSessionOptions, ReconnectedInfo, SessionState, SessionUpdate, ToolResultInfo } from './sessionOptions.js';

type State = SessionState;

/** §0.2.11: the service closes a session in which no response was generated for 180 s (or 300 s). */
const INACTIVITY = /no response was generated/i;

/** A conversation that survives reconnects. */
export class RealtimeSession extends SessionEvents {
  readonly history: ConversationHistory;
  readonly #options: RealtimeSessionOptions;
  readonly #metrics: SessionMetrics;
  readonly #readiness = new Readiness();
  readonly #buffer: BoundedAudioBuffer;
  readonly #turns: TurnMachine;
  readonly #configuration: SessionConfiguration;
  #client: RealtimeTransport;
  #offs: Array<() => void> = [];
  #state: State = 'idle';
  /** Sends (asks, session updates) in call order, one at a time. */
  #sendQueue: Promise<void> = Promise.resolve();
  #startedAt = 0;
  readonly #rollover = new RolloverSchedule(() => void this.#maybeRollover());
  /** Items the last restore sent: their echoes are not new history. */
  #ignoredItemIds = new Set<string>();
  #abort = new AbortController();
  /** The service said it closes for inactivity (§0.2.11): its close suspends instead of reconnecting. */
  #inactive: Error | undefined;
  /** The close of the connection connect() is opening, reported to connect() (#closed leaves it alone). */
  #connectClose: Error | undefined;
  /** The last client whose `session.created` arrived (its handshake worked). */
  #created: RealtimeTransport | undefined;

  constructor(options: RealtimeSessionOptions = {}) {
    super(options.logger);
    this.#options = options;
    this.#client = this.#newClient();
    this.#configuration = new SessionConfiguration(options.session, options.tools, { name: this.#client.model, info: this.#client.modelInfo, validate: options.validate !== false });
    const maxItems = options.maxHistoryItems ?? 1000;
    if (typeof maxItems !== 'number' || !(maxItems === Infinity || (Number.isInteger(maxItems) && maxItems >= 1))) {
      throw new ValidationError(`maxHistoryItems must be a whole number ≥ 1 or Infinity, got ${String(maxItems)}.`, 'maxHistoryItems');
    }
    for (const name of ['cancelSettleMs', 'readyTimeoutMs', 'askTrailingSilenceMs'] as const) if (options[name] !== undefined) checkTimerMs(name, options[name], 0);
    this.history = new ConversationHistory((change) => this.#historyChanged(change), maxItems);
    this.#metrics = new SessionMetrics(this.#client.modelInfo);
    this.#buffer = new BoundedAudioBuffer(options.disconnectedAudioMs ?? 10_000);
    const metrics = this.#metrics;
    const history = this.history;
    this.#turns = new TurnMachine(
      {
        client: () => this.#client,
        history,
        metrics,
        emit: (event, payload) => this.emitter.emit(event, payload),
        tools: () => this.#configuration.tools,
        signal: () => this.#abort.signal,
        idle: () => void this.#maybeRollover(),
      },
      options,
    );
  }

  /** The current client (replaced on reconnect). Change the configuration with {@link updateSession}, which a reconnect replays. */
  get client(): RealtimeTransport {
    return this.#client;
  }

  /** Connection state. */
  get state(): State {
    return this.#state;
  }

  /** True while a turn is streaming, waiting for its reply, running tools, or a cancelled response has not settled. */
  get busy(): boolean {
    return this.#turns.busy;
  }

  /** Usage totals and latencies so far. */
  get metrics(): MetricsSnapshot {
    return this.#metrics.snapshot();
  }

  /** The configuration the session holds (and replays after a reconnect), tools as declared. */
  get config(): SessionConfig {
    return this.#configuration.wire;
  }

  /** True once the session closed: the inherited waits are refused. Kept in the declarations: it implements an abstract member. */
  protected get closed(): boolean {
    return this.#state === 'closed';
  }

  /**
   * Resolves once the session is open: at once when it is, else after the connect or reconnect in
   * progress (an inactivity-suspended session reconnects now). Rejects with a ConnectionError when
   * the session was never connected or closes for good, a TimeoutError after `timeoutMs`
   * (default `readyTimeoutMs`, 60 s), an AbortError when `signal` aborts.
   */
  whenReady(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    try {
      if (typeof options !== 'object' || options === null) throw new ValidationError('whenReady: options must be an object ({ timeoutMs, signal }).', 'whenReady(options)');
      const timeoutMs = checkTimerMs('whenReady options.timeoutMs', options.timeoutMs ?? this.#readyTimeoutMs, 0, true);
      return this.#ready('whenReady', performance.now() + timeoutMs, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get #readyTimeoutMs(): number {
    return this.#options.readyTimeoutMs ?? 60_000;
  }

  async #ready(operation: string, deadline: number, signal?: AbortSignal): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state === 'idle') throw new ConnectionError(`${operation}: the session was never connected; call connect() first.`, 'not_connected');
    if (this.#state === 'closed') throw new ConnectionError(`${operation}: the session is closed; call connect() to open it again.`, 'not_connected');
    if (this.#state === 'suspended') this.#resume();
    await this.#readiness.wait(operation, Math.max(0, deadline - performance.now()), signal);
  }

  /**
   * Connects and configures the session (configuration and tools). On a suspended session,
   * reconnects. A connection that closes before `session.created` rejects (nothing was
   * established: the caller decides). One that closes after `session.created` — while the
   * configuration is sent or answered, or in the ticks before connect() returns — goes through the
   * reconnect path (the handshake worked, the drop is like any other; `reconnect: false` or a
   * fatal close rejects): connect() then resolves once reconnected, and rejects only when
   * reconnecting fails for good.
   */
  async connect(): Promise<void> {
    if (this.#state === 'suspended') return this.whenReady();
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
    // A close while connecting is left to connect() by #closed: it may come after #open resolved.
    const cause = failure ?? (client.isConnected ? undefined : (this.#connectClose ?? new ConnectionError('The connection closed while connect() was finishing.', 'connection_closed')));
    if (cause === undefined) return this.#setOpen();
    if (this.#created === client && this.#options.reconnect !== false && isRetryable(cause) && cause instanceof ConnectionError) {
      client.terminate();
      const ready = this.#readiness.wait('connect', Infinity); // bounded by the reconnect attempts and close()
      void this.#reconnect('dropped', cause);
      return ready;
    }
    this.#state = 'closed';
    this.#readiness.fail(cause instanceof Error ? cause : new Error(String(cause)));
    throw cause;
  }

  #newClient(): RealtimeTransport {
    const { transport, ...clientOptions } = this.#options;
    return transport ? transport(clientOptions) : new RealtimeClient(clientOptions);
  }

  async #open(client: RealtimeTransport): Promise<void> {
    this.#attach(client);
    await client.connect();
    this.#created = client;
    this.#startedAt = Date.now();
    const config = this.#configuration.wire;
    if (Object.keys(config).length > 0) await client.updateSession(config);
  }

  #setOpen(): void {
    this.#state = 'open';
    const cap = this.#options.maxSessionMs ?? (this.#client.modelInfo?.limits.sessionMinutes ?? 120) * 60_000;
    this.#rollover.start(this.#startedAt, cap, this.#options.rolloverMarginMs ?? 5 * 60_000);
    this.#readiness.open();
  }

  /**
   * Changes the configuration: `update`'s fields replace the session's (top-level keys), `tools`
   * replaces the tools. The whole configuration is sent (the official SDKs do so: merge or
   * replace on the service side, §3.1, gives the same result), and resolves with the service's
   * `session.updated`. Once confirmed, it is what every reconnect and rollover replays; a refused
   * update changes nothing. Calls are applied one at a time, in call order; made while the session
   * (re)connects, they wait for it (`readyTimeoutMs`).
   */
  updateSession(update: SessionUpdate): Promise<Session> {
    try {
      this.#configuration.prepare(update); // a bad update is refused before anything waits
      if (this.#state === 'idle' || this.#state === 'closed') throw new ConnectionError(`updateSession: the session is ${this.#state === 'idle' ? 'not connected; call connect() first' : 'closed'}.`, 'not_connected');
    } catch (error) {
      return Promise.reject(error);
    }
    const deadline = performance.now() + this.#readyTimeoutMs;
    const run = this.#sendQueue.then(() => this.#applyUpdate(update, deadline));
    this.#sendQueue = run.then(noop, noop);
    return run;
  }

  async #applyUpdate(update: SessionUpdate, deadline: number): Promise<Session> {
    for (let attempt = 1; ; attempt++) {
      await this.#ready('updateSession', deadline);
      const client = this.#client;
      const prepared = this.#configuration.prepare(update);
      try {
        const answer = await client.updateSession(prepared.wire);
        this.#configuration.commit(prepared);
        return answer;
      } catch (error) {
        // The connection went away before the answer: once more, on the next connection.
        if (attempt === 1 && error instanceof ConnectionError && (client !== this.#client || this.#state === 'reconnecting')) continue;
        throw error;
      }
    }
  }

  #attach(client: RealtimeTransport): void {
    for (const off of this.#offs.splice(0)) off();
    // The client's redactor: a key split over two deltas must not come out whole in the history.
    const redactor = redactorOf(client);
    this.#offs.push(
      client.on('*', (event) => {
        if (event.type === 'conversation.item.created' && this.#ignoredItemIds.has(event.item.id ?? '')) return;
        this.history.apply(event, client.outputSampleRate, redactor);
      }),
      ...this.#turns.attach(client),
      // A response generated after an inactivity notice makes it stale: a later drop reconnects.
      client.on('response.created', () => (this.#inactive = undefined)),
      client.on('error', (e) => this.#serverError(e)),
      client.on('client_error', (e) => this.emitter.emit('error', e)),
      client.on('close', (info) => void this.#closed(client, info)),
    );
  }

  #serverError(e: ErrorEvent): void {
    // close() sent session.finish: some models answer it with an error ("invalid event type",
    // §0.1.1), which means "close now" (the client's finish() closes on it), never a failure.
    if (this.#state === 'closed') return;
    if (this.#turns.serverError(e)) return;
    const error = new ServerError(e.error, e.event_id);
    if (INACTIVITY.test(error.message)) {
      // The close that follows suspends the session (`suspended` carries this error).
      this.#inactive = error;
      return;
    }
    this.emitter.emit('error', error);
  }

  /**
   * Answers a `tool_call` in `toolExecution: 'manual'`; the reply is requested once every call has
   * its output. Returns false, sending nothing, for a call the turn dropped when it was
   * interrupted (the service would refuse it, §0.2.10).
   */
  submitToolOutput(callId: string, output: string | Record<string, unknown>): boolean {
    return this.#turns.submitToolOutput(callId, output);
  }

  /**
   * Starts a turn: text, audio, images or a mix. Returns at once; the turn streams and its `done`
   * resolves when the reply (tool calls included) is complete. While the session reconnects (a
   * dropped connection, a rollover, an inactivity close) the turn waits for the new connection,
   * at most `readyTimeoutMs`, and fails only when reconnecting fails for good. Throws a
   * ConnectionError when the session was never connected or was closed.
   */
  ask(input: string | AskInput): Turn {
    const ask = checkAsk(input);
    if (this.#state === 'idle' || this.#state === 'closed') {
      throw new ConnectionError(`ask: the session is ${this.#state === 'idle' ? 'not connected; call connect() first' : 'closed; call connect() to open it again'}.`, 'not_connected');
    }
    if (this.#state === 'suspended') this.#resume();
    const turn = new Turn(this.#client.outputSampleRate);
    this.emitter.emit('turn', turn);
    const deadline = performance.now() + this.#readyTimeoutMs;
    this.#sendQueue = this.#sendQueue.then(() => this.#sendTurn(turn, ask, deadline));
    return turn;
  }

  async #sendTurn(turn: Turn, ask: AskInput, deadline: number): Promise<void> {
    try {
      await this.#ready('ask', deadline);
      if (turn.ended) return;
      this.#turns.asked(turn);
      const respond = await sendAsk(this.#client, ask, this.history, this.#metrics, this.#options.askTrailingSilenceMs);
      if (!respond || turn.ended) return;
      turn.markInputEnd();
      this.#turns.requestResponse();
    } catch (error) {
      this.#turns.end(turn, 'failed', error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Streams microphone audio. While reconnecting, audio is kept up to `disconnectedAudioMs` and
   * sent after the reconnect; past that it is dropped and reported by `audio_dropped`. On a
   * suspended session it reconnects.
   */
  async appendAudio(data: Int16Array): Promise<void> {
    // Checked before buffering: a bad chunk kept while disconnected would fail the reconnect.
    if (!(data instanceof Int16Array) || data.length === 0) {
      throw new ValidationError('appendAudio: pass PCM16 samples at the session input rate as a non-empty Int16Array (use the client for other forms).', 'appendAudio(data)');
    }
    if (this.#state === 'suspended') this.#resume();
    if (this.#state === 'reconnecting') {
      const dropped = this.#buffer.push(data, this.#client.inputSampleRate);
      if (dropped > 0) this.emitter.emit('audio_dropped', { droppedMs: dropped, totalDroppedMs: this.#buffer.totalDroppedMs });
      return;
    }
    if (this.#state !== 'open') throw new ConnectionError(`appendAudio: the session is ${this.#state}.`, 'not_connected');
    await this.#client.appendAudio(data);
    this.#metrics.inputAudio(data.length / this.#client.inputSampleRate);
  }

  /**
   * Stops the reply now: playback stops, the response is cancelled (its late audio never reaches
   * the player), running tools are aborted and no reply follows for the turn, the assistant item
   * is marked interrupted with what was heard. Does nothing when nothing is playing or running.
   */
  interrupt(): void {
    this.#turns.cut(true);
  }

  async #closed(client: RealtimeTransport, info: CloseInfo): Promise<void> {
    // During connect() the failure is connect()'s to report; during a reconnect, the loop's.
    if (client === this.#client && this.#state === 'connecting') this.#connectClose = info.error;
    if (client !== this.#client || this.#state === 'closed' || this.#state === 'reconnecting' || this.#state === 'connecting' || this.#state === 'suspended') return;
    const error = info.error;
    if (!error) {
      this.#shutdown();
      return;
    }
    this.#failActive(error);
    const inactive = this.#inactive;
    if (inactive) {
      // §0.2.11: reconnecting now would only be closed again in 180 s; the next use reconnects.
      this.#state = 'suspended';
      this.#rollover.stop();
      this.emitter.emit('suspended', { error: inactive });
      return;
    }
    if (this.#options.reconnect === false || !isRetryable(error)) {
      this.emitter.emit('error', error);
      this.#shutdown(error);
      return;
    }
    await this.#reconnect('dropped', error);
  }

  #resume(): void {
    const cause = this.#inactive ?? new RealtimeError('resumed after an inactivity close', 'resumed');
    this.#inactive = undefined;
    void this.#reconnect('resumed', cause);
  }

  #failActive(error: Error): void {
    this.history.abandon();
    this.#turns.fail(error);
  }

  async #reconnect(reason: ReconnectedInfo['reason'], cause: Error): Promise<void> {
    this.#state = 'reconnecting';
    this.#rollover.stop();
    const failure = await reconnectWithBackoff(
      {
        options: this.#options.reconnect,
        immediate: reason !== 'dropped',
        signal: this.#abort.signal,
        wanted: () => this.#state === 'reconnecting',
        onAttempt: (attempt, delayMs, error) => this.emitter.emit('reconnecting', { attempt, delayMs, error }),
        connect: (attempt) => this.#reopen(reason, attempt),
      },
      cause,
    );
    if (!failure) return;
    const failed = failure instanceof RealtimeError ? failure : new RealtimeError(failure.message, 'reconnect_failed', { cause: failure });
    this.emitter.emit('error', failed);
    this.#shutdown(failed);
  }

  /** One reconnect attempt: a new client, the configuration and the conversation restored, the buffered audio sent. */
  async #reopen(reason: ReconnectedInfo['reason'], attempt: number): Promise<void> {
    const client = (this.#client = this.#newClient());
    try {
      await this.#open(client);
      this.#ignoredItemIds.clear(); // the echoes of the previous restore are over: bounded by one restore
      const restored = await restoreConversation(client, this.history.items, this.#configuration.wire, this.#options.restore ?? 'items', this.#ignoredItemIds);
      // close() while this connection was being set up: it must not come back to life.
      if (this.#state !== 'reconnecting') {
        client.terminate();
        return;
      }
      for (const chunk of this.#buffer.drain()) await client.appendAudio(chunk);
      this.#setOpen();
      this.emitter.emit('reconnected', { reason, attempt, restored: { config: true, tools: this.#configuration.tools.size, ...restored } });
    } catch (error) {
      client.terminate();
      throw error;
    }
  }

  /** Rolls over when due, between turns only: never in the middle of a reply, a tool run or the user's speech. */
  async #maybeRollover(): Promise<void> {
    if (this.#state !== 'open' || this.busy || this.#turns.userSpeaking || !this.#rollover.due) return;
    const old = this.#client;
    this.#state = 'reconnecting';
    this.#rollover.stop();
    await old.close(1000, 'rollover');
    if (this.#state !== 'reconnecting') return; // closed meanwhile
    await this.#reconnect('rollover', new RealtimeError('session duration cap approaching', 'rollover'));
  }

  #historyChanged(change: HistoryChange): void {
    this.emitter.emit(`item_${change.kind}`, change.item);
  }

  #shutdown(error?: Error): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopTimers();
    const reason = error ?? new RealtimeError('The session closed.', 'closed');
    this.#failActive(reason);
    this.#readiness.fail(new ConnectionError(`the session closed: ${reason.message}`, 'not_connected'));
    this.emitter.emit('close', error ? { error } : {});
  }

  #stopTimers(): void {
    this.#rollover.stop();
    this.#abort.abort();
  }

  /** Ends the session: `session.finish`, then close, within the bounds of `finishConnection.ts`. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    const client = this.#client;
    const suspended = this.#state === 'suspended';
    this.#state = 'closed';
    this.#stopTimers();
    if (!suspended) await finishConnection(client);
    const reason = new RealtimeError('The session closed.', 'closed');
    this.#failActive(reason);
    this.#readiness.fail(new ConnectionError('the session was closed by close().', 'not_connected'));
    this.emitter.emit('close', {});
  }
}

function noop(): void {}
