/**
 * RealtimeSession: a conversation on top of a transport (a WebSocket RealtimeClient by default).
 * It wires the concerns together — history, tools, the turn state machine (turnMachine.ts), the
 * connection's lifecycle (sessionConnection.ts: reconnects, rollovers before the duration cap
 * §2.5, inactivity closes §0.2.11) and metrics each live in their own module — and keeps the
 * conversation going across connections, with the configuration `updateSession` changed.
 */
import { checkTimerMs } from '../client/options.js';
import { RealtimeClient } from '../client/realtimeClient.js';
import { ConnectionError, RealtimeError, ServerError, ValidationError } from '../errors.js';
import { redactorOf } from '../internal/redact.js';
import type { ErrorEvent } from '../protocol/serverEvents.js';
import type { Session, SessionConfig } from '../protocol/session.js';
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import { checkAsk, sendAsk, type AskInput } from './ask.js';
import { BoundedAudioBuffer } from './audioBuffer.js';
import { finishConnection } from './finishConnection.js';
import { ConversationHistory, type HistoryChange } from './history.js';
import { SessionMetrics, type MetricsSnapshot } from './metrics.js';
import { SessionEvents } from './sessionEvents.js';
import { restoreConversation } from './restore.js';
import { SessionConnection } from './sessionConnection.js';
import type { RealtimeSessionOptions, SessionState, SessionUpdate } from './sessionOptions.js';
import { SessionConfiguration } from './configuration.js';
import { Turn } from './turn.js';
import { TurnMachine } from './turnMachine.js';

export type { AskInput } from './ask.js';
export type { RealtimeSessionEvents, RealtimeSessionOptions, ReconnectedInfo, SessionState, SessionUpdate, ToolResultInfo } from './sessionOptions.js';

type State = SessionState;

/** A conversation that survives reconnects. */
export class RealtimeSession extends SessionEvents {
  readonly history: ConversationHistory;
  readonly #options: RealtimeSessionOptions;
  readonly #metrics: SessionMetrics;
  readonly #buffer: BoundedAudioBuffer;
  readonly #turns: TurnMachine;
  readonly #configuration: SessionConfiguration;
  readonly #connection: SessionConnection;
  #offs: Array<() => void> = [];
  /** Sends (asks, session updates) in call order, one at a time. */
  #sendQueue: Promise<void> = Promise.resolve();
  /** Items the last restore sent: their echoes are not new history. */
  #ignoredItemIds = new Set<string>();

  constructor(options: RealtimeSessionOptions = {}) {
    super(options.logger);
    this.#options = options;
    this.#connection = new SessionConnection(
      {
        newClient: () => {
          const { transport, ...clientOptions } = options;
          return transport ? transport(clientOptions) : new RealtimeClient(clientOptions);
        },
        attach: (client) => this.#attach(client),
        config: () => this.#configuration.wire,
        restore: (client) => this.#restore(client),
        flush: async (client) => {
          for (const chunk of this.#buffer.drain()) await client.appendAudio(chunk);
        },
        holdsRollover: () => this.busy || this.#turns.userSpeaking,
        failActive: (error) => this.#failActive(error),
        emit: (event, payload) => this.emitter.emit(event, payload),
      },
      options,
    );
    const client = this.#connection.client;
    this.#configuration = new SessionConfiguration(options.session, options.tools, { name: client.model, info: client.modelInfo, validate: options.validate !== false });
    const maxItems = options.maxHistoryItems ?? 1000;
    if (typeof maxItems !== 'number' || !(maxItems === Infinity || (Number.isInteger(maxItems) && maxItems >= 1))) {
      throw new ValidationError(`maxHistoryItems must be a whole number ≥ 1 or Infinity, got ${String(maxItems)}.`, 'maxHistoryItems');
    }
    for (const name of ['cancelSettleMs', 'readyTimeoutMs', 'askTrailingSilenceMs'] as const) if (options[name] !== undefined) checkTimerMs(name, options[name], 0);
    this.history = new ConversationHistory((change) => this.#historyChanged(change), maxItems);
    this.#metrics = new SessionMetrics(client.modelInfo);
    this.#buffer = new BoundedAudioBuffer(options.disconnectedAudioMs ?? 10_000);
    const metrics = this.#metrics;
    const history = this.history;
    this.#turns = new TurnMachine(
      {
        client: () => this.#connection.client,
        history,
        metrics,
        emit: (event, payload) => this.emitter.emit(event, payload),
        tools: () => this.#configuration.tools,
        signal: () => this.#connection.signal,
        idle: () => void this.#connection.maybeRollover(),
      },
      options,
    );
  }

  /** The current client (replaced on reconnect). Change the configuration with {@link updateSession}, which a reconnect replays. */
  get client(): RealtimeTransport {
    return this.#connection.client;
  }

  /** Connection state. */
  get state(): State {
    return this.#connection.state;
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
    return this.state === 'closed';
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
      return this.#connection.ready('whenReady', performance.now() + timeoutMs, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get #readyTimeoutMs(): number {
    return this.#options.readyTimeoutMs ?? 60_000;
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
    if (this.state === 'suspended') return this.whenReady();
    return this.#connection.connect();
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
      const state = this.state;
      if (state === 'idle' || state === 'closed') throw new ConnectionError(`updateSession: the session is ${state === 'idle' ? 'not connected; call connect() first' : 'closed'}.`, 'not_connected');
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
      await this.#connection.ready('updateSession', deadline);
      const client = this.#connection.client;
      const prepared = this.#configuration.prepare(update);
      try {
        const answer = await client.updateSession(prepared.wire);
        this.#configuration.commit(prepared);
        return answer;
      } catch (error) {
        // The connection went away before the answer: once more, on the next connection.
        if (attempt === 1 && error instanceof ConnectionError && (client !== this.#connection.client || this.state === 'reconnecting')) continue;
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
      client.on('response.created', () => this.#connection.responseCreated()),
      client.on('error', (e) => this.#serverError(e)),
      client.on('client_error', (e) => this.emitter.emit('error', e)),
      client.on('close', (info) => void this.#connection.closed(client, info)),
    );
  }

  #serverError(e: ErrorEvent): void {
    // close() sent session.finish: some models answer it with an error ("invalid event type",
    // §0.1.1), which means "close now" (the client's finish() closes on it), never a failure.
    if (this.state === 'closed') return;
    if (this.#turns.serverError(e)) return;
    const error = new ServerError(e.error, e.event_id);
    // The inactivity notice: the close that follows suspends the session (`suspended` carries it).
    if (!this.#connection.inactivityNotice(error)) this.emitter.emit('error', error);
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
    const state = this.state;
    if (state === 'idle' || state === 'closed') {
      throw new ConnectionError(`ask: the session is ${state === 'idle' ? 'not connected; call connect() first' : 'closed; call connect() to open it again'}.`, 'not_connected');
    }
    this.#connection.resumeIfSuspended();
    const turn = new Turn(this.client.outputSampleRate);
    this.emitter.emit('turn', turn);
    const deadline = performance.now() + this.#readyTimeoutMs;
    this.#sendQueue = this.#sendQueue.then(() => this.#sendTurn(turn, ask, deadline));
    return turn;
  }

  async #sendTurn(turn: Turn, ask: AskInput, deadline: number): Promise<void> {
    try {
      await this.#connection.ready('ask', deadline);
      if (turn.ended) return;
      this.#turns.asked(turn);
      const respond = await sendAsk(this.#connection.client, ask, this.history, this.#metrics, this.#options.askTrailingSilenceMs);
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
    this.#connection.resumeIfSuspended();
    const client = this.#connection.client;
    if (this.state === 'reconnecting') {
      const dropped = this.#buffer.push(data, client.inputSampleRate);
      if (dropped > 0) this.emitter.emit('audio_dropped', { droppedMs: dropped, totalDroppedMs: this.#buffer.totalDroppedMs });
      return;
    }
    if (this.state !== 'open') throw new ConnectionError(`appendAudio: the session is ${this.state}.`, 'not_connected');
    await client.appendAudio(data);
    this.#metrics.inputAudio(data.length / client.inputSampleRate);
  }

  /**
   * Stops the reply now: playback stops, the response is cancelled (its late audio never reaches
   * the player), running tools are aborted and no reply follows for the turn, the assistant item
   * is marked interrupted with what was heard. Does nothing when nothing is playing or running.
   */
  interrupt(): void {
    this.#turns.cut(true);
  }

  #failActive(error: Error): void {
    this.history.abandon();
    this.#turns.fail(error);
  }

  /** On a reconnect: the conversation restored (its echoes are not new history). */
  async #restore(client: RealtimeTransport) {
    this.#ignoredItemIds.clear(); // the echoes of the previous restore are over: bounded by one restore
    const restored = await restoreConversation(client, this.history.items, this.#configuration.wire, this.#options.restore ?? 'items', this.#ignoredItemIds);
    return { tools: this.#configuration.tools.size, ...restored };
  }

  #historyChanged(change: HistoryChange): void {
    this.emitter.emit(`item_${change.kind}`, change.item);
  }

  /** Ends the session: `session.finish`, then close, within the bounds of `finishConnection.ts`. */
  async close(): Promise<void> {
    const ending = this.#connection.beginClose();
    if (!ending) return;
    const { client, suspended } = ending;
    if (!suspended) await finishConnection(client);
    const reason = new RealtimeError('The session closed.', 'closed');
    this.#failActive(reason);
    this.#connection.endClose();
    this.emitter.emit('close', {});
  }
}

function noop(): void {}
