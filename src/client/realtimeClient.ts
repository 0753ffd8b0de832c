/**
 * RealtimeClient: one Qwen-Omni-Realtime WebSocket session, every event typed. This file holds
 * the connection's life (connect, keepalive, finish, close) and the public surface; the event
 * channel (`eventChannel.ts`), request matching (`sessionUpdates.ts`), input and backpressure
 * (`inputSender.ts`), the events it builds (`outgoingEvents.ts`) and diagnostics
 * (`diagnostics.ts`) each live in their own file. It keeps no conversation state: that is the
 * session layer's job. It is the default {@link RealtimeTransport} of `RealtimeSession`.
 */
import { AbortError, ConnectionError, RealtimeError, TimeoutError, ValidationError } from '../errors.js';
import { redactSecrets } from '../internal/redact.js';
import { untilAborted } from '../internal/untilAborted.js';
import type { ModelInfo } from '../protocol/models.js';
import type { AnyServerEvent, ServerEventType } from '../protocol/serverEvents.js';
import type { Session, SessionConfig } from '../protocol/session.js';
import { startKeepalive } from '../transport/keepalive.js';
import { openSocket } from '../transport/openSocket.js';
import type { CloseInfo, CreateResponseOptions, FinishResult, OutgoingEvent, RealtimeTransport, RealtimeTransportEvents, TransportState } from '../transport/realtimeTransport.js';
import type { Socket } from '../transport/socket.js';
import { resolveApiKey } from './apiKey.js';
import { Diagnostics } from './diagnostics.js';
import type { AudioInput, AudioInputFormat, ImageInput } from './encodeInput.js';
import { EventChannel, type WaitForOptions } from './eventChannel.js';
import { InputSender } from './inputSender.js';
import { checkTimerMs, handshakeHeaders, resolveOptions, type RealtimeClientOptions, type ResolvedOptions } from './options.js';
import { functionCallOutputEvent, responseCreateEvent, serializeEvent, userTextEvent } from './outgoingEvents.js';
import { checkSessionConfig, SessionUpdates } from './sessionUpdates.js';

export type { CloseInfo, CreateResponseOptions, FinishResult } from '../transport/realtimeTransport.js';
export type { WaitForOptions } from './eventChannel.js';

/** Everything `on()` can listen to: each server event type, plus the client's own events. */
export type RealtimeClientEvents = RealtimeTransportEvents;

/** Connection state of a {@link RealtimeClient}. */
export type ClientState = TransportState;

/** After `terminate()`, how long `close()` waits for the transport to report the close before giving up on it. */
const TERMINATE_GRACE_MS = 1000;

function noop(): void {}

/** A typed client for one Qwen-Omni-Realtime session. */
export class RealtimeClient implements RealtimeTransport, AsyncIterable<AnyServerEvent> {
  readonly #opts: ResolvedOptions;
  readonly #log: Diagnostics;
  readonly #channel: EventChannel;
  readonly #updates = new SessionUpdates();
  readonly #input: InputSender;
  /** Rejecters of the pings waiting for a pong; all rejected when the socket closes. */
  readonly #pings = new Set<(error: Error) => void>();
  #socket: Socket | undefined;
  /** Bumped at each connect and each forced teardown: events of an older socket are ignored. */
  #generation = 0;
  #connectAbort: AbortController | undefined;
  /** Settles once the connect in progress has settled and cleaned up (for `close()` during it). */
  #connecting: Promise<void> | undefined;
  #state: ClientState = 'idle';
  #session: Session | undefined;
  #secrets: string[] = [];
  #pauses = 0;
  #closeRequested = false;
  #finishSent = false;
  /** Set when the keepalive dropped the socket: the close then says why. */
  #deadPeer: string | undefined;
  #stopKeepalive: () => void = noop;

  /** Resolves and checks `options` (throws {@link ValidationError}); does not connect. */
  constructor(options: RealtimeClientOptions = {}) {
    this.#opts = resolveOptions(options);
    this.#log = new Diagnostics(this.#opts.logger, this.#opts.debug);
    for (const warning of this.#opts.warnings) this.#log.warn(warning);
    this.#channel = new EventChannel({
      isClosed: () => this.#state === 'closed',
      warn: (message) => this.#log.warn(message),
      flow: {
        pause: () => {
          if (!this.#socket?.pause) return false;
          // Closing or finishing: the answer must still be read, so the queue grows (bounded by closeMs) without a pause.
          if (this.#state === 'closing' || this.#finishSent) return true;
          if (this.#pauses++ === 0) this.#socket.pause();
          return true;
        },
        resume: () => {
          if (this.#pauses > 0 && --this.#pauses === 0) this.#socket?.resume?.();
        },
      },
    });
    this.#input = new InputSender(
      {
        requireOpen: (operation) => this.#requireOpen(operation),
        socket: () => this.#socket,
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
    return this.#state === 'open';
  }

  /** Connection state. */
  get state(): ClientState {
    return this.#state;
  }

  /** User audio travels as `input_audio_buffer.append` events. */
  get audioInput(): 'events' {
    return 'events';
  }

  /** Bytes queued on the socket but not yet sent. */
  get bufferedAmount(): number {
    return this.#socket?.bufferedAmount ?? 0;
  }

  /** The input sample rate the session expects (§3.1.2; 16 kHz unless configured). */
  get inputSampleRate(): number {
    const nested = this.#session?.audio?.input?.format?.sample_rate;
    return typeof nested === 'number' ? nested : this.#opts.modelInfo?.input.defaultSampleRate ?? 16_000;
  }

  /** The output sample rate of reply audio (§3.1.2; 24 kHz unless configured). */
  get outputSampleRate(): number {
    const nested = this.#session?.audio?.output?.format?.sample_rate;
    return typeof nested === 'number' ? nested : this.#opts.modelInfo?.output.defaultSampleRate ?? 24_000;
  }

  // ---- connecting -----------------------------------------------------------------------

  /**
   * Opens the socket and resolves with the session of `session.created`. Rejects with
   * {@link AuthenticationError} (401/403), {@link ConnectionError}, {@link TimeoutError} or
   * {@link ValidationError}. May be called again after the client closed.
   */
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
        : new ConnectionError(`connect failed: ${redactSecrets(error instanceof Error ? error.message : String(error), this.#secrets)}`, 'connection_failed', { cause: error });
    this.#teardown(this.#closeRequested ? 1000 : 1006, '', failure);
  }

  async #open(signal: AbortSignal): Promise<Session> {
    const started = Date.now();
    const apiKey = await resolveApiKey(this.#opts, signal);
    this.#secrets = apiKey === undefined ? [] : [apiKey];
    this.#input.reset();
    this.#session = undefined;
    const created = this.#nextSessionCreated();
    const generation = ++this.#generation;
    // Handlers of an older socket (one given up on) are ignored; and nothing the client runs
    // (listeners, the logger) may throw into the transport, where it would break `ws`' reader.
    const current = (fn: () => void) => {
      if (generation !== this.#generation) return;
      try {
        fn();
      } catch (error) {
        this.#channel.report(new RealtimeError(`A frame could not be handled and was skipped: ${error instanceof Error ? error.message : String(error)}`, 'internal_error', { cause: error }));
      }
    };
    try {
      const opening = (this.#opts.socketFactory ?? openSocket)(
        {
          url: this.#opts.url,
          headers: handshakeHeaders(this.#opts, apiKey),
          timeoutMs: Math.max(1, this.#opts.timeouts.connectMs - (Date.now() - started)),
          maxPayload: this.#opts.maxPayloadBytes,
          secrets: this.#secrets,
          signal,
        },
        {
          onText: (text) => current(() => this.#onText(text)),
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

  #startKeepalive(): void {
    const interval = this.#opts.keepaliveMs;
    if (interval === false || !this.#socket?.ping) return;
    const socket = this.#socket;
    this.#stopKeepalive = startKeepalive(interval, (timeoutMs) => this.ping(timeoutMs), (error) => {
      if (this.#socket !== socket || this.#state !== 'open') return;
      this.#deadPeer ??= error instanceof TimeoutError ? `no pong within ${error.timeoutMs} ms` : 'the ping failed';
      socket.terminate();
    });
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
    // A server that echoes the key (in an error message, say) must not hand it to listeners.
    const text = redactSecrets(frame, this.#secrets);
    this.#log.frame('←', text, this.#secrets);
    this.#channel.receive(text, this.#secrets, (event) => this.#track(event));
  }

  /** Client bookkeeping, done before listeners run so that `session` is current for them. */
  #track(event: AnyServerEvent): void {
    if (event.type === 'session.created' || event.type === 'session.updated') this.#session = event.session;
    this.#updates.settle(event);
    this.#input.noteReceived(event);
  }

  #onClose(code: number, rawReason: string): void {
    const expected = this.#closeRequested || this.#finishSent;
    const reason = redactSecrets(rawReason, this.#secrets);
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
    this.#updates.closed(code, reason, error);
    for (const reject of [...this.#pings]) reject(error ?? new ConnectionError(`The connection closed (code ${code}).`, 'connection_closed', { closeCode: code, closeReason: reason }));
    this.#input.releaseWaiters();
    this.#channel.end(error ? { code, reason, error } : { code, reason });
  }

  // ---- sending --------------------------------------------------------------------------

  #requireOpen(operation: string): Socket {
    if (this.#state !== 'open' || !this.#socket?.isOpen) {
      throw new ConnectionError(`${operation}: not connected (state ${this.#state}); call connect() first.`, 'not_connected');
    }
    return this.#socket;
  }

  /** Sends `event` as given, adding an `event_id` if it has none (the escape hatch). Returns the event id. */
  send(event: OutgoingEvent): string {
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || event.type === '') {
      throw new ValidationError('send: pass an event object with a string "type".', 'send(event)');
    }
    const socket = this.#requireOpen(`send(${event.type})`);
    const { eventId, json } = serializeEvent(event);
    this.#log.frame('→', json, this.#secrets);
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
    this.#requireOpen('updateSession');
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
  async finish(options: { timeoutMs?: number } = {}): Promise<FinishResult> {
    if (this.#state !== 'open') {
      await this.close();
      return { finished: false, reason: 'closed' };
    }
    const timeoutMs = options?.timeoutMs ?? this.#opts.timeouts.finishMs;
    checkTimerMs('finish options.timeoutMs', timeoutMs, 0);
    // The answer must be read even if an iterator is holding reading paused.
    this.#resumeReading();
    const channel = this.#channel;
    const result = new Promise<FinishResult>((resolve) => {
      const timer = setTimeout(() => done({ finished: false, reason: 'timeout' }), timeoutMs);
      const offs = [
        channel.on('session.finished', () => done({ finished: true, reason: 'session.finished' })),
        channel.on('error', () => done({ finished: false, reason: 'error' })),
        channel.on('close', (info) => done({ finished: !info.error, reason: 'closed' })),
      ];
      function done(value: FinishResult) {
        clearTimeout(timer);
        for (const off of offs) off();
        resolve(value);
      }
    });
    this.send({ type: 'session.finish' });
    this.#finishSent = true;
    const outcome = await result;
    await this.close(1000);
    return outcome;
  }

  /**
   * Closes the socket (code 1000 by default) and resolves once it is closed. During `connect()`
   * it aborts the connect (which rejects with an {@link AbortError}) and resolves once the
   * attempt is cleaned up. Always settles: after `closeMs` the socket is dropped, and a transport
   * that then still reports nothing is given up on.
   */
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
    this.#resumeReading();
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

  /**
   * Sends a WebSocket ping and resolves with the round trip in ms, or `undefined` where the
   * runtime cannot ping (browsers). Rejects with a {@link TimeoutError} when no pong arrives.
   * The keepalive (`keepaliveMs`) uses it to find a dead peer.
   */
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

  /** Lets the transport read again and drops every iterator's hold on it (closing needs the close frame). */
  #resumeReading(): void {
    this.#channel.releaseReaders();
    if (this.#pauses > 0) {
      this.#pauses = 0;
      this.#socket?.resume?.();
    }
  }

  /** Drops the connection at once, without a close handshake; `close` reports code 1006 as unexpected. */
  terminate(): void {
    this.#socket?.terminate();
  }

  /** A summary without secrets. */
  toString(): string {
    return `RealtimeClient(${this.#opts.model}, ${this.#state})`;
  }

  /** What `console.log` and `util.inspect` show: no key, no headers. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** JSON form without secrets. */
  toJSON(): { model: string; url: string; state: ClientState; sessionId: string | undefined } {
    return { model: this.#opts.model, url: this.#opts.url, state: this.#state, sessionId: this.#session?.id };
  }
}
