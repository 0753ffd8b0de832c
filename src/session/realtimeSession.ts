/**
 * RealtimeSession: a conversation on top of RealtimeClient. It only wires the concerns together —
 * history, tools, response sequencing, interruption, reconnect and metrics each live in their
 * own module — and keeps the session across reconnects and the 120-minute cap.
 */
import { systemClock } from '../audio/pacing.js';
import { pcm16FromBase64 } from '../audio/pcm.js';
import { checkFormattedAudio, type AudioInput, type AudioInputFormat } from '../client/encodeInput.js';
import type { RealtimeClientOptions } from '../client/options.js';
import { RealtimeClient, type CloseInfo } from '../client/realtimeClient.js';
import { TypedEmitter } from '../client/emitter.js';
import { AbortError, ConnectionError, RealtimeError, ServerError, ValidationError } from '../errors.js';
import { newClientItemId } from '../protocol/ids.js';
import type { ResponseFunctionCallArgumentsDoneEvent } from '../protocol/serverEvents.js';
import type { SessionConfig } from '../protocol/session.js';
import { ConversationHistory, type HistoryChange, type HistoryItem } from './history.js';
import { PlaybackGate, type PlaybackAdapter } from './interruption.js';
import { SessionMetrics, type MetricsSnapshot } from './metrics.js';
import { backoffDelay, isRetryable, type ReconnectOptions } from './reconnect.js';
import { restoreConversation, type RestoreMode } from './restore.js';
import { ResponseSequencer } from './responseSequencer.js';
import { runTool, type Tool } from './tools.js';
import { Turn } from './turn.js';
import { BoundedAudioBuffer } from './audioBuffer.js';

/** Options of {@link RealtimeSession}: the client's, plus the session's own. */
export interface RealtimeSessionOptions extends RealtimeClientOptions {
  /** Configuration sent after connecting and again after every reconnect. */
  session?: SessionConfig;
  /** Tools declared in `session.update` and run automatically. */
  tools?: Tool<any>[];
  /** `auto` runs tools and asks for the reply; `manual` emits `tool_call` for the application. Default `auto`. */
  toolExecution?: 'auto' | 'manual';
  /** Where reply audio is played; stopped on barge-in to learn what was heard. */
  playback?: PlaybackAdapter;
  /** Reconnect settings, or `false` to never reconnect. */
  reconnect?: ReconnectOptions | false;
  /** How the conversation is carried into a new connection. Default `items` (text items). */
  restore?: RestoreMode;
  /**
   * Items `history` keeps. Past it the oldest finished items are removed (`item_removed`), so a
   * session that runs for days (rolling over every two hours) holds bounded memory (the 30-minute
   * soak measured about 2.3 KB a spoken turn, a user and an assistant item). A reconnect restores at most the last 40 either way. `Infinity` keeps
   * everything. Default 1000.
   */
  maxHistoryItems?: number;
  /** Session duration cap. Default: the model's (120 min). */
  maxSessionMs?: number;
  /** Roll over to a new connection this long before the cap, between turns. Default 5 min. */
  rolloverMarginMs?: number;
  /** Audio kept while disconnected, in ms at the input rate. Default 10000. */
  disconnectedAudioMs?: number;
  /** WebSocket ping interval (Node), or `false`. Default 20000. */
  keepaliveMs?: number | false;
  /** @internal Builds the client (tests). */
  createClient?: (options: RealtimeClientOptions) => RealtimeClient;
}

/** What `reconnected` reports. */
export interface ReconnectedInfo {
  reason: 'dropped' | 'rollover';
  attempt: number;
  restored: { config: boolean; tools: number; items: number; mode: RestoreMode };
}

/** Events of a session. */
export interface RealtimeSessionEvents {
  item_added: HistoryItem;
  item_updated: HistoryItem;
  item_completed: HistoryItem;
  /** The oldest item left `history` (past `maxHistoryItems`). */
  item_removed: HistoryItem;
  turn: Turn;
  tool_call: { callId: string; name: string; arguments: string };
  tool_result: { callId: string; name: string; status: string; output: string; error?: string };
  interrupted: { itemId: string | undefined; heardMs: number; heardText: string };
  reconnecting: { attempt: number; delayMs: number; error: Error };
  reconnected: ReconnectedInfo;
  audio_dropped: { droppedMs: number; totalDroppedMs: number };
  usage: MetricsSnapshot;
  error: RealtimeError;
  close: { error?: Error };
}

/** Input of {@link RealtimeSession.ask}. */
export interface AskInput {
  text?: string;
  /** PCM16 at the session's input rate, or samples with their format. */
  audio?: Int16Array | { data: Int16Array | Float32Array; format: AudioInputFormat };
  /** JPEG frames, sent after the first audio chunk. */
  images?: Uint8Array[];
}

/** Connection state of a {@link RealtimeSession}. */
export type SessionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
type State = SessionState;

const CHUNK_MS = 100;

/** `ask`'s input, checked: every mistake is a ValidationError that says what to pass, before anything is sent. */
function checkAsk(input: unknown): AskInput {
  const ask = (typeof input === 'string' ? { text: input } : input) as AskInput;
  if (typeof ask !== 'object' || ask === null) throw new ValidationError('ask: pass a string, or { text, audio, images }.', 'ask(input)');
  if (ask.text !== undefined && (typeof ask.text !== 'string' || ask.text.trim() === '')) throw new ValidationError('ask: text must be a non-empty string.', 'ask(input.text)');
  if (!ask.text && !ask.audio) throw new ValidationError('ask: give text, audio or both.', 'ask(input)');
  if (ask.audio !== undefined) {
    const audio = ask.audio as unknown;
    if (audio instanceof Int16Array) {
      if (audio.length === 0) throw new ValidationError('ask: the audio is empty.', 'ask(input.audio)');
    } else {
      const { data, format } = (typeof audio === 'object' && audio !== null ? audio : {}) as { data?: unknown; format?: unknown };
      if (!(data instanceof Int16Array) && !(data instanceof Float32Array)) {
        throw new ValidationError('ask: audio must be an Int16Array at the session rate, or { data: Int16Array | Float32Array, format: { sampleRate, channels } }.', 'ask(input.audio)');
      }
      checkFormattedAudio(data, format as AudioInputFormat, 'ask(input.audio)');
    }
  }
  if (ask.images !== undefined) {
    if (!Array.isArray(ask.images) || ask.images.some((i) => !(i instanceof Uint8Array))) throw new ValidationError('ask: images must be an array of JPEG bytes (Uint8Array).', 'ask(input.images)');
    // Frames travel with the audio of the turn (§3.5); with text only they would be dropped unseen.
    if (ask.images.length > 0 && !ask.audio) throw new ValidationError('ask: images need audio in the same turn (the service takes frames only alongside audio, protocol.md §3.5).', 'ask(input.images)');
  }
  return ask;
}

/** A conversation that survives reconnects. */
export class RealtimeSession {
  readonly history: ConversationHistory;
  readonly #options: RealtimeSessionOptions;
  readonly #emitter = new TypedEmitter<RealtimeSessionEvents>((error) => {
    try {
      this.#opts.logger?.warn?.(`dashscope-realtime: a session listener threw: ${String(error)}`);
    } catch {
      // a throwing logger must not break the emit it reports on (it may run inside a close)
    }
  });
  readonly #sequencer = new ResponseSequencer();
  readonly #metrics: SessionMetrics;
  readonly #tools = new Map<string, Tool<any>>();
  readonly #playback: PlaybackGate;
  readonly #buffer: BoundedAudioBuffer;
  #client: RealtimeClient;
  #offs: Array<() => void> = [];
  #state: State = 'idle';
  #pendingTurns: Turn[] = [];
  #turn: Turn | undefined;
  #calls: ResponseFunctionCallArgumentsDoneEvent[] = [];
  #manualOutputs = new Map<string, string | undefined>();
  #startedAt = 0;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #ignoredItemIds = new Set<string>();
  #abort = new AbortController();

  constructor(options: RealtimeSessionOptions = {}) {
    this.#options = options;
    for (const t of options.tools ?? []) this.#tools.set(t.name, t);
    this.#client = this.#newClient();
    const maxItems = options.maxHistoryItems ?? 1000;
    if (typeof maxItems !== 'number' || !(maxItems === Infinity || (Number.isInteger(maxItems) && maxItems >= 1))) {
      throw new ValidationError(`maxHistoryItems must be a whole number ≥ 1 or Infinity, got ${String(maxItems)}.`, 'maxHistoryItems');
    }
    this.history = new ConversationHistory((change) => this.#historyChanged(change), maxItems);
    this.#metrics = new SessionMetrics(this.#client.modelInfo);
    this.#playback = new PlaybackGate(options.playback);
    this.#buffer = new BoundedAudioBuffer(options.disconnectedAudioMs ?? 10_000);
    if (this.#tools.size > 0 && this.#client.modelInfo && !this.#client.modelInfo.tools && options.validate !== false) {
      throw new ValidationError(`${this.#client.model} does not support function calling; remove the tools or use a qwen3.5 / qwen3.8 model.`, 'tools', undefined, 'unsupported_feature');
    }
    if (this.#tools.size > 0 && options.session?.enable_search) {
      throw new ValidationError('tools and enable_search cannot be used together: declare tools or enable web search, not both.', 'tools');
    }
  }

  get #opts(): RealtimeSessionOptions {
    return this.#options;
  }

  /** The current client (replaced on reconnect). */
  get client(): RealtimeClient {
    return this.#client;
  }

  /** Connection state. */
  get state(): State {
    return this.#state;
  }

  /** True while a turn is streaming or waiting for its reply. */
  get busy(): boolean {
    return this.#turn !== undefined || this.#pendingTurns.length > 0 || this.#sequencer.active;
  }

  /** Usage totals and latencies so far. */
  get metrics(): MetricsSnapshot {
    return this.#metrics.snapshot();
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof RealtimeSessionEvents>(event: K, listener: (payload: RealtimeSessionEvents[K]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  /** Connects and configures the session (configuration and tools). */
  async connect(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'closed') throw new RealtimeError(`connect() called while the session is ${this.#state}.`, 'invalid_state');
    this.#state = 'connecting';
    this.#abort = new AbortController();
    const client = this.#client;
    try {
      await this.#open(client);
    } catch (error) {
      if (this.#state === 'connecting') this.#state = 'closed';
      throw error;
    }
    // close() during the configuration: the connection it is ending must not be marked open.
    if (this.#state !== 'connecting') {
      client.terminate();
      throw new AbortError('connect');
    }
    this.#state = 'open';
    this.#startKeepalive();
  }

  #newClient(): RealtimeClient {
    const { createClient, ...clientOptions } = this.#options;
    return createClient ? createClient(clientOptions) : new RealtimeClient(clientOptions);
  }

  #sessionConfig(): SessionConfig {
    const config: SessionConfig = { ...(this.#options.session ?? {}) };
    if (this.#tools.size > 0) config.tools = [...this.#tools.values()].map((t) => t.declaration);
    return config;
  }

  async #open(client: RealtimeClient): Promise<void> {
    this.#attach(client);
    await client.connect();
    this.#startedAt = Date.now();
    const config = this.#sessionConfig();
    if (Object.keys(config).length > 0) await client.updateSession(config);
  }

  #attach(client: RealtimeClient): void {
    for (const off of this.#offs.splice(0)) off();
    this.#offs.push(
      client.on('*', (event) => {
        if (event.type === 'conversation.item.created' && this.#ignoredItemIds.has(event.item.id ?? '')) return;
        this.history.apply(event, client.outputSampleRate);
      }),
      client.on('response.created', (e) => {
        this.#sequencer.started();
        const turn = this.#turn ?? this.#pendingTurns.shift() ?? this.#serverTurn();
        this.#turn = turn;
        turn.responseCreated(e.response.id);
      }),
      client.on('response.audio_transcript.delta', (e) => this.#turn?.transcriptDelta(e.delta, false)),
      client.on('response.text.delta', (e) => this.#turn?.transcriptDelta(e.delta, true)),
      client.on('response.audio.delta', (e) => {
        const pcm = pcm16FromBase64(e.delta);
        this.#turn?.audioDelta(pcm);
        this.#metrics.outputAudio(pcm.length / client.outputSampleRate);
        this.#playback.write(pcm, client.outputSampleRate, e.item_id);
      }),
      client.on('response.function_call_arguments.done', (e) => {
        this.#calls.push(e);
        this.#turn?.toolCall({ callId: e.call_id, name: e.name, arguments: e.arguments });
      }),
      client.on('response.done', (e) => this.#responseDone(e.response.status, e.response.id, e.response.usage)),
      client.on('input_audio_buffer.speech_started', () => this.#bargeIn(false)),
      client.on('input_audio_buffer.speech_stopped', () => this.#metrics.speechStopped()),
      client.on('error', (e) => this.#emitter.emit('error', new ServerError(e.error, e.event_id))),
      client.on('client_error', (e) => this.#emitter.emit('error', e)),
      client.on('close', (info) => void this.#closed(client, info)),
    );
  }

  #serverTurn(): Turn {
    const turn = new Turn(this.#client.outputSampleRate);
    turn.markInputEnd(this.#metrics.lastSpeechStop ?? performance.now());
    this.#emitter.emit('turn', turn);
    return turn;
  }

  #responseDone(status: string, responseId: string, usage: Parameters<Turn['usage']>[0] | undefined): void {
    this.#sequencer.ended();
    if (usage) {
      this.#turn?.usage(usage);
      this.#emitter.emit('usage', this.#metrics.addUsage(responseId, usage));
    }
    const turn = this.#turn;
    if (!turn) return;
    if (status === 'cancelled' || status === 'incomplete') {
      this.#calls = [];
      this.#endTurn(turn, 'interrupted');
    } else if (status === 'failed') {
      this.#endTurn(turn, 'failed', new RealtimeError(`Response ${responseId} failed.`, 'response_failed'));
    } else if (this.#calls.length > 0) {
      void this.#handleCalls(turn);
    } else {
      this.#endTurn(turn, 'completed');
    }
  }

  #endTurn(turn: Turn, status: 'completed' | 'interrupted' | 'failed', error?: Error): void {
    if (this.#turn === turn) this.#turn = undefined;
    turn.end(status, error);
    this.#metrics.turnEnded(turn.result.latency);
    void this.#maybeRollover();
  }

  async #handleCalls(turn: Turn): Promise<void> {
    try {
      await this.#runCalls(turn);
    } catch (error) {
      // The connection went away while the tools ran: the close handling ends the turn; this
      // must not surface as an unhandled rejection.
      this.#emitter.emit('error', error instanceof RealtimeError ? error : new RealtimeError(String(error), 'tool_output_failed', { cause: error }));
    }
  }

  async #runCalls(turn: Turn): Promise<void> {
    const calls = this.#calls.splice(0);
    if (this.#options.toolExecution === 'manual') {
      for (const call of calls) {
        this.#manualOutputs.set(call.call_id, undefined);
        this.#emitter.emit('tool_call', { callId: call.call_id, name: call.name, arguments: call.arguments });
      }
      return;
    }
    const runs = await Promise.all(calls.map((call) => runTool(this.#tools.get(call.name), call.name, call.arguments, call.call_id, this.#abort.signal).then((run) => ({ call, run }))));
    if (this.#turn !== turn || turn.ended) return;
    for (const { call, run } of runs) {
      const record = turn.result.toolCalls.find((c) => c.callId === call.call_id);
      if (record) Object.assign(record, { output: run.output, status: run.status });
      this.#emitter.emit('tool_result', { callId: call.call_id, name: call.name, status: run.status, output: run.output, ...(run.error ? { error: run.error } : {}) });
      this.#sendOutput(call.call_id, run.output);
    }
    this.#requestResponse();
  }

  /** Answers a `tool_call` in `toolExecution: 'manual'`; the reply is requested once every call has its output. */
  submitToolOutput(callId: string, output: string | Record<string, unknown>): void {
    if (!this.#manualOutputs.has(callId)) throw new ValidationError(`submitToolOutput: no pending call ${String(callId)}.`, 'callId');
    let text: unknown;
    try {
      text = typeof output === 'string' ? output : JSON.stringify(output);
    } catch {
      text = undefined;
    }
    if (typeof text !== 'string') throw new ValidationError('submitToolOutput: output must be a string or a JSON-serialisable object.', 'output');
    this.#manualOutputs.set(callId, text);
    this.#sendOutput(callId, text);
    if ([...this.#manualOutputs.values()].every((v) => v !== undefined)) {
      this.#manualOutputs.clear();
      this.#requestResponse();
    }
  }

  #sendOutput(callId: string, output: string): void {
    const id = newClientItemId();
    this.history.noteFunctionOutput(id, callId, output);
    this.#client.send({ type: 'conversation.item.create', item: { id, type: 'function_call_output', call_id: callId, output } });
  }

  #requestResponse(): void {
    this.#sequencer.request(() => this.#client.createResponse());
  }

  /**
   * Starts a turn: text, audio, images or a mix. Returns at once; the turn streams and its
   * `done` resolves when the reply (tool calls included) is complete.
   */
  ask(input: string | AskInput): Turn {
    const ask = checkAsk(input);
    if (this.#state !== 'open') throw new ConnectionError(`ask: the session is ${this.#state}; call connect() first.`, 'not_connected');
    const turn = new Turn(this.#client.outputSampleRate);
    this.#pendingTurns.push(turn);
    this.#emitter.emit('turn', turn);
    this.#sendAsk(ask, turn).catch((error: unknown) => {
      this.#pendingTurns = this.#pendingTurns.filter((t) => t !== turn);
      turn.end('failed', error instanceof Error ? error : new Error(String(error)));
    });
    return turn;
  }

  async #sendAsk(ask: AskInput, turn: Turn): Promise<void> {
    const client = this.#client;
    const vad = client.session?.turn_detection != null;
    if (ask.audio) {
      const rate = client.inputSampleRate;
      const { data, format } = ask.audio instanceof Int16Array ? { data: ask.audio, format: undefined } : ask.audio;
      const step = format ? Math.round((format.sampleRate * (format.channels ?? 1) * CHUNK_MS) / 1000) : Math.round((rate * CHUNK_MS) / 1000);
      for (let i = 0; i < data.length; i += step) {
        await client.appendAudio(data.subarray(i, i + step) as AudioInput, format);
        if (i === 0) for (const image of ask.images ?? []) {
          await client.appendImage(image);
          this.history.noteImage();
        }
      }
      const seconds = format ? data.length / (format.channels ?? 1) / format.sampleRate : data.length / rate;
      this.history.noteAudio(seconds * 1000);
      this.#metrics.inputAudio(seconds);
      if (!vad) client.commitAudio();
      else {
        // The server ends the turn itself once it hears silence (§3.2).
        for (let ms = 0; ms < 1500; ms += CHUNK_MS) await client.appendAudio(new Int16Array(Math.round((rate * CHUNK_MS) / 1000)));
        if (!ask.text) return;
      }
    }
    if (ask.text) {
      const id = newClientItemId();
      this.history.noteUserText(id, ask.text);
      client.send({ type: 'conversation.item.create', item: { id, type: 'message', role: 'user', content: [{ type: 'input_text', text: ask.text }] } });
    }
    turn.markInputEnd();
    this.#requestResponse();
  }

  /**
   * Streams microphone audio. While reconnecting, audio is kept up to `disconnectedAudioMs` and
   * sent after the reconnect; past that it is dropped and reported by `audio_dropped`.
   */
  async appendAudio(data: Int16Array): Promise<void> {
    // Checked before buffering: a bad chunk kept while disconnected would fail the reconnect.
    if (!(data instanceof Int16Array) || data.length === 0) {
      throw new ValidationError('appendAudio: pass PCM16 samples at the session input rate as a non-empty Int16Array (use the client for other forms).', 'appendAudio(data)');
    }
    if (this.#state === 'reconnecting') {
      const dropped = this.#buffer.push(data, this.#client.inputSampleRate);
      if (dropped > 0) this.#emitter.emit('audio_dropped', { droppedMs: dropped, totalDroppedMs: this.#buffer.totalDroppedMs });
      return;
    }
    if (this.#state !== 'open') throw new ConnectionError(`appendAudio: the session is ${this.#state}.`, 'not_connected');
    await this.#client.appendAudio(data);
    this.#metrics.inputAudio(data.length / this.#client.inputSampleRate);
  }

  /** Stops the reply now: playback stops, the response is cancelled, the item marked interrupted. */
  interrupt(): void {
    this.#bargeIn(true);
  }

  #bargeIn(byApplication: boolean): void {
    const { heardMs, itemId } = this.#playback.stop(this.#client.outputSampleRate);
    const responding = this.#sequencer.active;
    if (!responding && itemId === undefined) return;
    const item = itemId ? this.history.interrupt(itemId, heardMs) : undefined;
    // With VAD the service stops the response itself (§5.3); only an explicit interrupt cancels.
    if (byApplication && responding && this.#client.isConnected) this.#client.cancelResponse();
    this.#emitter.emit('interrupted', { itemId, heardMs, heardText: item?.heard?.text ?? '' });
  }

  #startKeepalive(): void {
    const interval = this.#options.keepaliveMs ?? 20_000;
    if (interval === false) return;
    clearInterval(this.#keepalive);
    this.#keepalive = setInterval(() => {
      const client = this.#client;
      if (!client.isConnected) return;
      client.ping(Math.min(interval, 10_000)).catch(() => client.terminate());
    }, interval);
    (this.#keepalive as { unref?: () => void }).unref?.();
  }

  async #closed(client: RealtimeClient, info: CloseInfo): Promise<void> {
    // During connect() the failure is connect()'s to report; during a reconnect, the loop's.
    if (client !== this.#client || this.#state === 'closed' || this.#state === 'reconnecting' || this.#state === 'connecting') return;
    const error = info.error;
    if (!error) {
      this.#shutdown();
      return;
    }
    this.#failActive(error);
    if (this.#options.reconnect === false || !isRetryable(error)) {
      this.#emitter.emit('error', error);
      this.#shutdown(error);
      return;
    }
    await this.#reconnect('dropped', error);
  }

  #failActive(error: Error): void {
    this.history.abandon();
    this.#sequencer.reset();
    this.#calls = [];
    this.#playback.stop(this.#client.outputSampleRate);
    for (const turn of [this.#turn, ...this.#pendingTurns]) turn?.end('failed', error);
    this.#turn = undefined;
    this.#pendingTurns = [];
  }

  async #reconnect(reason: 'dropped' | 'rollover', cause: Error): Promise<void> {
    this.#state = 'reconnecting';
    const max = this.#options.reconnect === false ? 0 : this.#options.reconnect?.maxAttempts ?? 5;
    let lastError: Error = cause;
    for (let attempt = 1; attempt <= Math.max(1, max); attempt++) {
      const delayMs = reason === 'rollover' && attempt === 1 ? 0 : backoffDelay(attempt, this.#options.reconnect || {});
      this.#emitter.emit('reconnecting', { attempt, delayMs, error: lastError });
      // Cut short by close(), which must not leave a timer behind (the check below then returns).
      await systemClock.sleep(delayMs, this.#abort.signal).catch(() => {});
      if (this.#state !== 'reconnecting') return;
      const client = this.#newClient();
      this.#client = client;
      try {
        await this.#open(client);
        const restored = await restoreConversation(client, this.history.items, this.#sessionConfig(), this.#options.restore ?? 'items', this.#ignoredItemIds);
        // close() while this connection was being set up: it must not come back to life.
        if (this.#state !== 'reconnecting') {
          client.terminate();
          return;
        }
        this.#state = 'open';
        for (const chunk of this.#buffer.drain()) await client.appendAudio(chunk);
        this.#emitter.emit('reconnected', { reason, attempt, restored: { config: true, tools: this.#tools.size, ...restored } });
        return;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        client.terminate();
        if (this.#state !== 'reconnecting') return;
        if (!isRetryable(error)) break;
      }
    }
    this.#emitter.emit('error', lastError instanceof RealtimeError ? lastError : new RealtimeError(lastError.message, 'reconnect_failed', { cause: lastError }));
    this.#shutdown(lastError);
  }

  async #maybeRollover(): Promise<void> {
    const cap = this.#options.maxSessionMs ?? (this.#client.modelInfo?.limits.sessionMinutes ?? 120) * 60_000;
    const margin = this.#options.rolloverMarginMs ?? 5 * 60_000;
    if (this.#state !== 'open' || this.#turn || this.#pendingTurns.length > 0 || Date.now() - this.#startedAt < cap - margin) return;
    const old = this.#client;
    this.#state = 'reconnecting';
    await old.close(1000, 'rollover');
    if (this.#state !== 'reconnecting') return; // closed meanwhile
    await this.#reconnect('rollover', new RealtimeError('session duration cap approaching', 'rollover'));
  }

  #historyChanged(change: HistoryChange): void {
    this.#emitter.emit(`item_${change.kind}`, change.item);
  }

  #shutdown(error?: Error): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#keepalive);
    this.#abort.abort();
    this.#failActive(error ?? new RealtimeError('The session closed.', 'closed'));
    this.#emitter.emit('close', error ? { error } : {});
  }

  /** Ends the session: `session.finish`, then close. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    const client = this.#client;
    this.#state = 'closed';
    clearInterval(this.#keepalive);
    this.#abort.abort();
    await client.finish({ timeoutMs: 5000 }).catch(() => client.close());
    this.#failActive(new RealtimeError('The session closed.', 'closed'));
    this.#emitter.emit('close', {});
  }
}
