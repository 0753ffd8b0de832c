/**
 * RealtimeClient: one Qwen-Omni-Realtime WebSocket session, every event typed; the default
 * {@link RealtimeTransport} of `RealtimeSession`. This file is the public surface only; each
 * concern behind it has its own file: the socket's life (`connection.ts`), the receive side
 * (`eventChannel.ts`), `session.update` matching (`sessionUpdates.ts`), input and backpressure
 * (`inputSender.ts`), the events it builds (`outgoingEvents.ts`) and diagnostics
 * (`diagnostics.ts`). It keeps no conversation state: that is the session layer's job.
 */
import { ValidationError } from '../errors.js';
import { previewFrame, redactorOf } from '../internal/redact.js';
import type { ModelInfo } from '../protocol/models.js';
import type { AnyServerEvent, ServerEventType } from '../protocol/serverEvents.js';
import type { Session, SessionConfig } from '../protocol/session.js';
import type { CreateResponseOptions, FinishResult, OutgoingEvent, RealtimeTransport, RealtimeTransportEvents, TransportState } from '../transport/realtimeTransport.js';
import { Connection } from './connection.js';
import { Diagnostics } from './diagnostics.js';
import { allowedRate, type AudioInput, type AudioInputFormat, type ImageInput } from './encodeInput.js';
import { EventChannel, type WaitForOptions } from './eventChannel.js';
import { InputSender } from './inputSender.js';
import { resolveOptions, type RealtimeClientOptions, type ResolvedOptions } from './options.js';
import { functionCallOutputEvent, responseCreateEvent, serializeEvent, userTextEvent } from './outgoingEvents.js';
import { checkSessionConfig, SessionUpdates } from './sessionUpdates.js';
import { PeerLeniency } from './peerLeniency.js';

export type { CloseInfo, CreateResponseOptions, FinishResult } from '../transport/realtimeTransport.js';
export type { WaitForOptions } from './eventChannel.js';

/** Everything `on()` can listen to: each server event type, plus the client's own events. */
export type RealtimeClientEvents = RealtimeTransportEvents;

/** Connection state of a {@link RealtimeClient}. */
export type ClientState = TransportState;

/** A typed client for one Qwen-Omni-Realtime session. */
export class RealtimeClient implements RealtimeTransport, AsyncIterable<AnyServerEvent> {
  readonly #opts: ResolvedOptions;
  readonly #log: Diagnostics;
  readonly #channel: EventChannel;
  readonly #connection: Connection;
  readonly #updates = new SessionUpdates();
  readonly #input: InputSender;
  #session: Session | undefined;
  /** What a looser peer than the service left out, reported once per connection (issue 19). */
  readonly #leniency = new PeerLeniency((error) => this.#channel.report(error));

  /** Resolves and checks `options` (throws {@link ValidationError}); does not connect. */
  constructor(options: RealtimeClientOptions = {}) {
    this.#opts = resolveOptions(options);
    this.#log = new Diagnostics(this.#opts.logger, this.#opts.debug);
    for (const warning of this.#opts.warnings) this.#log.warn(warning);
    this.#channel = new EventChannel({
      isClosed: () => this.#connection.state === 'closed',
      warn: (message) => this.#log.warn(message),
      flow: { pause: () => this.#connection.pauseReading(), resume: () => this.#connection.resumeReading() },
    });
    this.#connection = new Connection(this.#opts, this.#channel, {
      onText: (frame) => this.#onText(frame),
      opening: () => {
        this.#input.reset();
        this.#session = undefined;
        this.#leniency.reset();
      },
      closed: (code, reason, error) => {
        this.#updates.closed(code, reason, error);
        this.#input.releaseWaiters();
      },
      send: (event) => this.send(event),
    }, redactorOf(this));
    this.#input = new InputSender(
      {
        requireOpen: (operation) => this.#connection.requireOpen(operation),
        socket: () => this.#connection.socket,
        send: (event) => this.send(event),
        inputSampleRate: () => this.inputSampleRate,
        imageRefusal: () => (this.#opts.validate && this.#opts.modelInfo && !this.#opts.modelInfo.imageInput ? `appendImage: ${this.#opts.model} does not take image input.` : undefined),
      },
      this.#opts.sendHighWaterMark,
    );
  }

  /** The model this client connects to. */
  get model(): string {
    return this.#opts.model;
  }

  /** The catalog entry of the model, if known. */
  get modelInfo(): ModelInfo | undefined {
    return this.#opts.modelInfo;
  }

  /** The endpoint URL, with `?model=`. */
  get url(): string {
    return this.#opts.url;
  }

  /** The effective session of the last `session.created` / `session.updated`. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** True while the socket is open and `session.created` has arrived. */
  get isConnected(): boolean {
    return this.#connection.state === 'open';
  }

  /** Connection state. */
  get state(): ClientState {
    return this.#connection.state;
  }

  /** User audio travels as `input_audio_buffer.append` events. */
  get audioInput(): 'events' {
    return 'events';
  }

  /** Bytes queued on the socket but not yet sent. */
  get bufferedAmount(): number {
    return this.#connection.socket?.bufferedAmount ?? 0;
  }

  /** The input sample rate the session expects (§3.1.2; 16 kHz unless configured). A rate the model does not allow is ignored. */
  get inputSampleRate(): number {
    return allowedRate(this.#session?.audio?.input?.format?.sample_rate, this.#opts.modelInfo?.input.sampleRates, this.#opts.modelInfo?.input.defaultSampleRate ?? 16_000);
  }

  /** The output sample rate of reply audio (§3.1.2; 24 kHz unless configured). A rate the model does not allow is ignored. */
  get outputSampleRate(): number {
    return allowedRate(this.#session?.audio?.output?.format?.sample_rate, this.#opts.modelInfo?.output.sampleRates, this.#opts.modelInfo?.output.defaultSampleRate ?? 24_000);
  }

  // ---- connecting -----------------------------------------------------------------------

  /**
   * Opens the socket and resolves with the session of `session.created`. Rejects with
   * {@link AuthenticationError} (401/403), {@link ConnectionError}, {@link TimeoutError} or
   * {@link ValidationError}. May be called again after the client closed.
   */
  connect(): Promise<Session> {
    return this.#connection.connect();
  }

  // ---- receiving ------------------------------------------------------------------------

  /** Calls `listener` for every event of `type` (or `'*'`, `'unknown'`, `'close'`, `'client_error'`). Returns an unsubscribe function. */
  on<K extends keyof RealtimeClientEvents>(type: K, listener: (event: RealtimeClientEvents[K]) => void): () => void {
    return this.#channel.on(type, listener);
  }

  /** Calls `listener` for the next event of `type` only. */
  once<K extends keyof RealtimeClientEvents>(type: K, listener: (event: RealtimeClientEvents[K]) => void): () => void {
    return this.#channel.once(type, listener);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof RealtimeClientEvents>(type: K, listener: (event: RealtimeClientEvents[K]) => void): void {
    this.#channel.off(type, listener);
  }

  /** Listeners registered for `type`, the client's own waits included: lets a test check that none leak. */
  listenerCount(type: keyof RealtimeClientEvents): number {
    return this.#channel.listenerCount(type);
  }

  /**
   * Resolves with the next event of `type` that passes `filter`. Rejects with a
   * {@link TimeoutError}, an {@link AbortError}, or a {@link ConnectionError} if the socket closes.
   */
  waitFor<K extends ServerEventType | 'unknown'>(type: K, options: WaitForOptions<RealtimeClientEvents[K]> = {}): Promise<RealtimeClientEvents[K]> {
    return this.#channel.waitFor(type, options);
  }

  /**
   * An async iterator over every server event, ending when the socket closes. A bad frame or a
   * server `error` event never ends it. Each iterator has its own bounded queue.
   */
  events(options: { maxQueued?: number } = {}): AsyncIterableIterator<AnyServerEvent> {
    return this.#channel.events(options?.maxQueued ?? this.#opts.maxQueuedEvents, this.#opts.timeouts.readerStallMs);
  }

  [Symbol.asyncIterator](): AsyncIterator<AnyServerEvent> {
    return this.events();
  }

  #onText(frame: string): void {
    // A server that echoes the key (in an error message, say) must not hand it to listeners (the
    // redactor is shared with the session). An audio delta costs two memchr scans here, no copy.
    const secrets = this.#connection.redactor;
    const text = secrets.text(frame);
    this.#log.frame('←', text, secrets);
    // Every frame goes through here: the callbacks are made once, not per frame.
    this.#channel.receive(text, secrets, this.#admit, this.#onLoose);
  }

  /** Runs before listeners for every event: the peer's looseness, then the client's bookkeeping. */
  readonly #admit = (event: AnyServerEvent): void => {
    this.#leniency.admit(event, this.#session, this.#opts.model);
    this.#track(event);
  };

  /** An event was kept without documented fields it can do without (issue 19); `frame` is redacted. */
  readonly #onLoose = (type: ServerEventType, missing: readonly string[], frame: string): void => {
    this.#leniency.missingFields(type, missing, () => previewFrame(frame, this.#connection.redactor));
  };

  /** Client bookkeeping, done before listeners run so that `session` is current for them. */
  #track(event: AnyServerEvent): void {
    if (event.type === 'session.created' || event.type === 'session.updated') this.#session = event.session;
    this.#updates.settle(event);
    this.#input.noteReceived(event);
  }

  // ---- sending --------------------------------------------------------------------------

  /** Sends `event` as given, adding an `event_id` if it has none (the escape hatch). Returns the event id. */
  send(event: OutgoingEvent): string {
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || event.type === '') {
      throw new ValidationError('send: pass an event object with a string "type".', 'send(event)');
    }
    const socket = this.#connection.requireOpen(`send(${event.type})`);
    const { eventId, json } = serializeEvent(event);
    this.#log.frame('→', json, this.#connection.redactor);
    socket.send(json);
    this.#input.noteSent(event.type);
    return eventId;
  }

  /**
   * Sends `session.update` and resolves with the session of `session.updated`; rejects with the
   * server's {@link ServerError} for this event, or a {@link ValidationError} (nothing sent) when
   * the configuration does not fit the model (§3.1).
   */
  async updateSession(config: SessionConfig): Promise<Session> {
    this.#connection.requireOpen('updateSession');
    checkSessionConfig(config, this.#opts.modelInfo, this.#opts.validate, this.#opts.allowBrokenVoices);
    return this.#updates.request(config, this.#opts.timeouts.requestMs, (event) => this.send(event));
  }

  /**
   * Appends audio (§3.2). PCM16 bytes, an Int16Array or base64 are sent as they are; with
   * `format`, Int16Array or Float32Array samples at any rate and channel count are converted to
   * the session's input format. Throws a {@link ValidationError} for bad audio (nothing sent).
   * Resolves with the event id once the socket's outbound buffer is below the high-water mark.
   */
  appendAudio(data: AudioInput, format?: AudioInputFormat): Promise<string> {
    return this.#input.appendAudio(data, format);
  }

  /**
   * Appends a JPEG frame (§3.5). Audio must have been appended since the last commit; the
   * frame must be a JPEG of at most 256 KB after base64. Resolves like `appendAudio`.
   */
  appendImage(data: ImageInput, options: { mimeType?: string } = {}): Promise<string> {
    return this.#input.appendImage(data, options);
  }

  /** Commits the audio (and image) buffer as a user turn (§3.3). Returns the event id. */
  commitAudio(): string {
    return this.#input.commitAudio();
  }

  /** Clears uncommitted audio (§3.4). Returns the event id. */
  clearAudio(): string {
    return this.#input.clearAudio();
  }

  /** Asks for a response (§3.6); `options` become the `response` object. Returns the event id. */
  createResponse(options?: CreateResponseOptions): string {
    return this.send(responseCreateEvent(options, this.#opts.modelInfo));
  }

  /** Cancels the response in progress (§3.7). Returns the event id. */
  cancelResponse(): string {
    return this.send({ type: 'response.cancel' });
  }

  /**
   * Returns a tool's result (§3.8): a `function_call_output` item for `callId`. An object output
   * is sent as its JSON. Follow with `createResponse()` to get the reply (§8.7).
   */
  sendFunctionCallOutput(callId: string, output: string | Record<string, unknown> | unknown[]): string {
    return this.send(functionCallOutputEvent(callId, output));
  }

  /** Sends a user text message (`conversation.item.create` with `input_text`, §5.6). Returns the event id. */
  sendText(text: string): string {
    return this.send(userTextEvent(text, this.#opts.model, this.#opts.modelInfo, this.#opts.validate));
  }

  // ---- ending ---------------------------------------------------------------------------

  /**
   * Ends the session politely (§3.9): sends `session.finish`, waits for `session.finished`, then
   * closes. An `error` answer (some models, §0.1.1) or the timeout also close, without throwing.
   */
  finish(options: { timeoutMs?: number } = {}): Promise<FinishResult> {
    return this.#connection.finish(options);
  }

  /**
   * Closes the socket (code 1000 by default) and resolves once it is closed. During `connect()`
   * it aborts the connect (which rejects with an {@link AbortError}) and resolves once the
   * attempt is cleaned up. Always settles: after `closeMs` the socket is dropped, and a transport
   * that then still reports nothing is given up on.
   */
  close(code = 1000, reason = ''): Promise<void> {
    return this.#connection.close(code, reason);
  }

  /**
   * Sends a WebSocket ping and resolves with the round trip in ms, or `undefined` where the
   * runtime cannot ping (browsers). Rejects with a {@link TimeoutError} when no pong arrives.
   * The keepalive (`keepaliveMs`) uses it to find a dead peer.
   */
  ping(timeoutMs = 10_000): Promise<number | undefined> {
    return this.#connection.ping(timeoutMs);
  }

  /** Drops the connection at once, without a close handshake; `close` reports code 1006 as unexpected. */
  terminate(): void {
    this.#connection.terminate();
  }

  /** A summary without secrets. */
  toString(): string {
    return `RealtimeClient(${this.#opts.model}, ${this.#connection.state})`;
  }

  /** What `console.log` and `util.inspect` show: no key, no headers. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** JSON form without secrets. */
  toJSON(): { model: string; url: string; state: ClientState; sessionId: string | undefined } {
    return { model: this.#opts.model, url: this.#opts.url, state: this.#connection.state, sessionId: this.#session?.id };
  }
}
