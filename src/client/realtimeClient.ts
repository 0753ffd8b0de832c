/**
 * RealtimeClient: one Qwen-Omni-Realtime WebSocket session, every event typed. It connects,
 * sends the exact JSON of protocol.md §3, and delivers server events through a typed emitter and
 * an async iterator. It keeps no conversation state: that is the session layer's job.
 */
import { AbortError, ConnectionError, ProtocolError, RealtimeError, ServerError, TimeoutError, ValidationError } from '../errors.js';
import { previewFrame, redactorOf } from '../internal/redact.js';
import type { ClientEvent, ResponseCreateEvent } from '../protocol/clientEvents.js';
import { newClientItemId, newEventId } from '../protocol/ids.js';
import type { ModelInfo } from '../protocol/models.js';
import type { AnyServerEvent, ServerEventOf, ServerEventType, UnknownServerEvent } from '../protocol/serverEvents.js';
import type { Modality, Session, SessionConfig } from '../protocol/session.js';
import { describeIssue, validateSessionConfig } from '../protocol/validateSession.js';
import { openSocket } from '../transport/openSocket.js';
import { detectRuntime } from '../transport/runtime.js';
import type { Socket } from '../transport/socket.js';
import { TypedEmitter } from './emitter.js';
import { Pcm16MonoConverter } from '../audio/convert.js';
import { encodeBase64 } from '../audio/base64.js';
import { allowedRate, checkFormattedAudio, checkJsonValue, encodeAudio, encodeImage, type AudioInput, type AudioInputFormat, type ImageInput } from './encodeInput.js';
import { EventQueue } from './eventQueue.js';
import { checkTimerMs, handshakeHeaders, resolveOptions, type RealtimeClientOptions, type ResolvedOptions } from './options.js';
import { parseServerEvent } from './parseServerEvent.js';

/** How the socket closed. */
export interface CloseInfo {
  /** WebSocket close code (1006: dropped without a close frame). */
  code: number;
  /** Close reason. */
  reason: string;
  /** Set when the close was not asked for by this client or by `session.finish`. */
  error?: ConnectionError;
}

/** Everything `on()` can listen to: each server event type, plus the client's own events. */
export type RealtimeClientEvents = { [K in ServerEventType]: ServerEventOf<K> } & {
  /** Every server event, documented or not. */
  '*': AnyServerEvent;
  /** A server event whose type this SDK does not know. */
  unknown: UnknownServerEvent;
  /** The socket closed. */
  close: CloseInfo;
  /** A problem inside the client: a bad frame from the server, a listener that threw. */
  client_error: RealtimeError;
};

/** Options of {@link RealtimeClient.waitFor}. */
export interface WaitForOptions<E> {
  /** Only resolve for events that pass this test. */
  filter?: (event: E) => boolean;
  /** Reject with a TimeoutError after this long. Default 60000; `Infinity` waits until close. */
  timeoutMs?: number;
  /** Reject with an AbortError when aborted. */
  signal?: AbortSignal;
}

/** Per-response options of `createResponse` (the official SDKs' `response` object, §3.6). */
export interface CreateResponseOptions {
  /** Instructions for this response only. */
  instructions?: string | null;
  /** Output modalities for this response only: `["text"]` or `["text","audio"]`. */
  modalities?: Modality[];
}

/** How `finish()` ended. */
export interface FinishResult {
  /** `session.finished` arrived (or the socket closed cleanly after the request). */
  finished: boolean;
  /** What ended the wait. */
  reason: 'session.finished' | 'error' | 'timeout' | 'closed';
}

/** Connection state of a {@link RealtimeClient}. */
export type ClientState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';
type State = ClientState;

interface PendingUpdate {
  eventId: string;
  resolve(session: Session): void;
  reject(error: Error): void;
}

const DEFAULT_WAIT_MS = 60_000;
/** After `terminate()`, how long `close()` waits for the transport to report the close before giving up on it. */
const TERMINATE_GRACE_MS = 1000;

function noop(): void {}

/**
 * `promise`, or an {@link AbortError} as soon as `signal` aborts. A value that arrives after the
 * abort goes to `onLate` (a socket that opened too late is closed there, not leaked).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, operation: string, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(onLate, noop);
      reject(new AbortError(operation));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A typed client for one Qwen-Omni-Realtime session. */
export class RealtimeClient implements AsyncIterable<AnyServerEvent> {
  readonly #opts: ResolvedOptions;
  readonly #emitter: TypedEmitter<RealtimeClientEvents>;
  /** Each iterator's queue. */
  readonly #queues = new Set<EventQueue<AnyServerEvent>>();
  /** Rejecters of the pings waiting for a pong; all rejected when the socket closes. */
  readonly #pings = new Set<(error: Error) => void>();
  #socket: Socket | undefined;
  /** Bumped at each connect and each forced teardown: events of an older socket are ignored. */
  #generation = 0;
  #connectAbort: AbortController | undefined;
  /** Settles once the connect in progress has settled and cleaned up (for `close()` during it). */
  #connecting: Promise<void> | undefined;
  #state: State = 'idle';
  #session: Session | undefined;
  /** Scrubs the key from whatever the server sends back (shared with the session through `redactorOf`). */
  readonly #redactor = redactorOf(this);
  #pendingUpdates: PendingUpdate[] = [];
  #pauses = 0;
  #closeRequested = false;
  #finishSent = false;
  #audioSinceCommit = false;
  #drainWaiters: Array<() => void> = [];
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #converter: { key: string; converter: Pcm16MonoConverter } | undefined;

  /** Resolves and checks `options` (throws {@link ValidationError}); does not connect. */
  constructor(options: RealtimeClientOptions = {}) {
    this.#opts = resolveOptions(options);
    this.#emitter = new TypedEmitter<RealtimeClientEvents>((error, event) => this.#listenerFailed(error, String(event)));
    for (const warning of this.#opts.warnings) this.#warn(warning);
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
  get state(): State {
    return this.#state;
  }

  /** Bytes queued on the socket but not yet sent. */
  get bufferedAmount(): number {
    return this.#socket?.bufferedAmount ?? 0;
  }

  /** The input sample rate the session expects (§3.1.2; 16 kHz unless configured). A rate the model does not allow is ignored. */
  get inputSampleRate(): number {
    return allowedRate(this.#session?.audio?.input?.format?.sample_rate, this.#opts.modelInfo?.input.sampleRates, this.#opts.modelInfo?.input.defaultSampleRate ?? 16_000);
  }

  /** The output sample rate of reply audio (§3.1.2; 24 kHz unless configured). A rate the model does not allow is ignored. */
  get outputSampleRate(): number {
    return allowedRate(this.#session?.audio?.output?.format?.sample_rate, this.#opts.modelInfo?.output.sampleRates, this.#opts.modelInfo?.output.defaultSampleRate ?? 24_000);
  }

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
    const abort = new AbortController();
    this.#connectAbort = abort;
    const run = this.#connect(abort.signal);
    this.#connecting = run.then(noop, noop);
    return run;
  }

  async #connect(signal: AbortSignal): Promise<Session> {
    try {
      return await this.#open(signal);
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

  /** The key of `apiKey` (a string or a function), within the connect deadline; typed errors only. */
  async #apiKey(signal: AbortSignal, timeoutMs: number): Promise<string | undefined> {
    const getApiKey = this.#opts.getApiKey;
    if (!getApiKey) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError('connect (waiting for the apiKey function)', timeoutMs)), timeoutMs);
    });
    try {
      return await untilAborted(Promise.race([getApiKey(), deadline]), signal, 'connect', noop);
    } catch (error) {
      if (error instanceof RealtimeError) throw error;
      // The function's own message is kept (it names the failing vault or file); nothing was sent.
      throw new RealtimeError(`The apiKey function failed: ${error instanceof Error ? error.message : String(error)}. Nothing was sent; fix the function or pass the key as a string.`, 'api_key_unavailable', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async #open(signal: AbortSignal): Promise<Session> {
    const started = Date.now();
    const apiKey = await this.#apiKey(signal, this.#opts.timeouts.connectMs);
    if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.trim() === '')) {
      throw new ValidationError('The apiKey function returned no key; return a non-empty string.', 'apiKey');
    }
    if (apiKey !== undefined && detectRuntime().name === 'browser' && apiKey.startsWith('sk-') && !this.#opts.dangerouslyAllowBrowser) {
      throw new ValidationError(
        'Refusing to use a long-lived sk- API key in a browser, where any visitor can read it. Run the relay (dashscope-realtime relay) on your server and connect the browser to its URL without a key; pass dangerouslyAllowBrowser: true only for local experiments.',
        'apiKey',
      );
    }
    this.#redactor.set([apiKey]);
    this.#audioSinceCommit = false;
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
        this.#report(new RealtimeError(`A frame could not be handled and was skipped: ${error instanceof Error ? error.message : String(error)}`, 'internal_error', { cause: error }));
      }
    };
    try {
      const opening = this.#socketFactory()(
        {
          url: this.#opts.url,
          headers: handshakeHeaders(this.#opts, apiKey),
          timeoutMs: Math.max(1, this.#opts.timeouts.connectMs - (Date.now() - started)),
          maxPayload: this.#opts.maxPayloadBytes,
          secrets: this.#redactor.secrets,
          signal,
        },
        {
          onText: (text) => current(() => this.#onText(text)),
          onBinary: (n) => current(() => this.#report(new RealtimeError(`The server sent a binary frame of ${n} bytes; DashScope sends JSON text frames only (protocol.md §1.4). It was skipped.`, 'binary_frame'))),
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
      const session = await untilAborted(created.wait(remaining), signal, 'connect', noop);
      // close() in the ticks after session.created arrived: it still aborts this connect.
      if (signal.aborted) throw new AbortError('connect');
      this.#state = 'open';
      return session;
    } catch (error) {
      this.#socket?.terminate();
      throw error;
    }
  }

  #socketFactory() {
    return this.#opts.socketFactory ?? openSocket;
  }

  /** A one-shot wait for `session.created`, registered before the socket opens. */
  #nextSessionCreated() {
    let offCreated = () => {};
    let offClose = () => {};
    let settle: ((session: Session) => void) | undefined;
    let fail: ((error: Error) => void) | undefined;
    const promise = new Promise<Session>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    offCreated = this.#emitter.on('session.created', (event) => settle?.(event.session));
    offClose = this.#emitter.on('close', (info) =>
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

  // ---- receiving ------------------------------------------------------------------------

  /** Calls `listener` for every event of `type` (or `'*'`, `'unknown'`, `'close'`, `'client_error'`). Returns an unsubscribe function. */
  on<K extends keyof RealtimeClientEvents>(type: K, listener: (event: RealtimeClientEvents[K]) => void): () => void {
    return this.#emitter.on(type, listener);
  }

  /** Calls `listener` for the next event of `type` only. */
  once<K extends keyof RealtimeClientEvents>(type: K, listener: (event: RealtimeClientEvents[K]) => void): () => void {
    return this.#emitter.once(type, listener);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof RealtimeClientEvents>(type: K, listener: (event: RealtimeClientEvents[K]) => void): void {
    this.#emitter.off(type, listener);
  }

  /** Listeners registered for `type`, the client's own waits included: lets a test check that none leak. */
  listenerCount(type: keyof RealtimeClientEvents): number {
    return this.#emitter.listenerCount(type);
  }

  /**
   * Resolves with the next event of `type` that passes `filter`. Rejects with a
   * {@link TimeoutError}, an {@link AbortError}, or a {@link ConnectionError} if the socket closes.
   */
  waitFor<K extends ServerEventType | 'unknown'>(type: K, options: WaitForOptions<RealtimeClientEvents[K]> = {}): Promise<RealtimeClientEvents[K]> {
    if (typeof options !== 'object' || options === null) return Promise.reject(new ValidationError(`waitFor(${String(type)}): options must be an object.`, 'waitFor(options)'));
    const { filter, timeoutMs = DEFAULT_WAIT_MS, signal } = options;
    try {
      checkTimerMs(`waitFor(${String(type)}) options.timeoutMs`, timeoutMs, 0, true);
    } catch (error) {
      return Promise.reject(error);
    }
    if (filter !== undefined && typeof filter !== 'function') return Promise.reject(new ValidationError(`waitFor(${String(type)}): filter must be a function.`, 'waitFor(options.filter)'));
    if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
      return Promise.reject(new ValidationError(`waitFor(${String(type)}): signal must be an AbortSignal.`, 'waitFor(options.signal)'));
    }
    return new Promise((resolve, reject) => {
      if (this.#state === 'closed') {
        reject(new ConnectionError(`waitFor(${type}): the client is closed.`, 'not_connected'));
        return;
      }
      if (signal?.aborted) {
        reject(new AbortError(`waitFor(${type})`));
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = () => {
        offEvent();
        offClose();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortError(`waitFor(${type})`));
      };
      const offEvent = this.#emitter.on(type, (event) => {
        let match: boolean;
        try {
          match = !filter || filter(event);
        } catch (error) {
          // A throwing filter ends the wait with its error instead of leaving it to time out.
          cleanup();
          reject(new RealtimeError(`waitFor(${type}): the filter threw: ${error instanceof Error ? error.message : String(error)}`, 'listener_error', { cause: error }));
          return;
        }
        if (!match) return;
        cleanup();
        resolve(event);
      });
      const offClose = this.#emitter.on('close', (info) => {
        cleanup();
        reject(info.error ?? new ConnectionError(`waitFor(${type}): the connection closed (code ${info.code}).`, 'connection_closed', { closeCode: info.code, closeReason: info.reason }));
      });
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`waitFor(${type})`, timeoutMs));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * An async iterator over every server event, ending when the socket closes. A bad frame or a
   * server `error` event never ends it. Each iterator has its own bounded queue.
   */
  events(options: { maxQueued?: number } = {}): AsyncIterableIterator<AnyServerEvent> {
    const limit = options?.maxQueued ?? this.#opts.maxQueuedEvents;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new ValidationError(`events: maxQueued must be a whole number of events ≥ 1, got ${String(limit)}.`, 'events(options.maxQueued)');
    }
    const queue: EventQueue<AnyServerEvent> = new EventQueue(limit, this.#opts.timeouts.readerStallMs, {
      onFull: () => {
        if (!this.#socket?.pause) return false;
        // Closing: the close frame must still be read, so the queue grows (bounded by closeMs) without a
        // pause. Finishing keeps pausing: finish() took the holds back once, and a server that floods
        // instead of answering session.finished is bounded by the queue, then by finishMs.
        if (this.#state === 'closing') return true;
        if (this.#pauses++ === 0) this.#socket.pause();
        return true;
      },
      onDrained: () => {
        if (this.#pauses > 0 && --this.#pauses === 0) this.#socket?.resume?.();
      },
      onReturn: () => this.#queues.delete(queue),
    });
    if (this.#state === 'closed') queue.end();
    else this.#queues.add(queue);
    return queue;
  }

  [Symbol.asyncIterator](): AsyncIterator<AnyServerEvent> {
    return this.events();
  }

  #onText(frame: string): void {
    // A server that echoes the key (in an error message, say) must not hand it to listeners.
    const text = this.#redactor.text(frame);
    if (this.#opts.debug) this.#debug(`← ${previewFrame(text, this.#redactor, 2000)}`);
    const parsed = parseServerEvent(text, this.#redactor);
    if (parsed instanceof RealtimeError) {
      this.#report(parsed);
      return;
    }
    this.#track(parsed);
    if (parsed.type === 'unknown') this.#emitter.emit('unknown', parsed);
    else this.#emitter.emit(parsed.type, parsed as never);
    this.#emitter.emit('*', parsed);
    for (const queue of this.#queues) queue.push(parsed);
  }

  /** Client bookkeeping, done before listeners run so that `session` is current for them. */
  #track(event: AnyServerEvent): void {
    switch (event.type) {
      case 'session.created':
        this.#session = event.session;
        break;
      case 'session.updated': {
        this.#session = event.session;
        this.#pendingUpdates.shift()?.resolve(event.session);
        break;
      }
      case 'input_audio_buffer.committed':
      case 'input_audio_buffer.cleared':
        this.#audioSinceCommit = false;
        break;
      case 'error': {
        if (this.#pendingUpdates.length === 0) break;
        // ServerError keeps only the fields that are strings (optional fields are not shape-checked).
        const error = new ServerError(event.error, event.event_id);
        const index = error.eventId ? this.#pendingUpdates.findIndex((p) => p.eventId === error.eventId) : -1;
        // An error without event_id that names a session field belongs to the oldest update.
        const fallback = index < 0 && !error.eventId && (error.param ?? '').startsWith('session') ? 0 : index;
        const pending = fallback >= 0 ? this.#pendingUpdates.splice(fallback, 1)[0] : undefined;
        pending?.reject(error);
        break;
      }
      default:
        break;
    }
  }

  #onClose(code: number, rawReason: string): void {
    const expected = this.#closeRequested || this.#finishSent;
    const reason = this.#redactor.text(rawReason);
    const error = expected
      ? undefined
      : new ConnectionError(`The connection closed unexpectedly (code ${code}${reason ? `: ${reason}` : ''}).`, 'connection_closed', { closeCode: code, closeReason: reason });
    this.#teardown(code, reason, error);
  }

  /** Everything a close ends: pending requests, pings, drain waits, iterators; then `close`. */
  #teardown(code: number, reason: string, error: ConnectionError | undefined): void {
    this.#state = 'closed';
    this.#socket = undefined;
    this.#pauses = 0;
    const closed = () => new ConnectionError(`The connection closed (code ${code}).`, 'connection_closed', { closeCode: code, closeReason: reason });
    for (const pending of this.#pendingUpdates.splice(0)) {
      pending.reject(error ?? new ConnectionError('The connection closed before session.updated arrived.', 'connection_closed', { closeCode: code, closeReason: reason }));
    }
    for (const reject of [...this.#pings]) reject(error ?? closed());
    this.#releaseDrainWaiters();
    for (const queue of this.#queues) queue.end();
    this.#queues.clear();
    this.#emitter.emit('close', error ? { code, reason, error } : { code, reason });
  }

  /** A warning to the logger; a logger that throws is ignored (it runs inside frame handling). */
  #warn(message: string): void {
    try {
      this.#opts.logger.warn(`dashscope-realtime: ${message}`);
    } catch {
      // nowhere left to report it
    }
  }

  #debug(message: string): void {
    try {
      this.#opts.logger.debug?.(message);
    } catch {
      // as #warn
    }
  }

  #report(error: RealtimeError): void {
    if (this.#emitter.listenerCount('client_error') > 0) this.#emitter.emit('client_error', error);
    else this.#warn(error.message);
  }

  #listenerFailed(error: unknown, event: string): void {
    if (event === 'client_error') {
      this.#warn(`a client_error listener threw: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const wrapped = new RealtimeError(`A listener for '${event}' threw: ${error instanceof Error ? error.message : String(error)}`, 'listener_error', { cause: error });
    this.#report(wrapped);
  }

  // ---- sending --------------------------------------------------------------------------

  #requireOpen(operation: string): Socket {
    if (this.#state !== 'open' || !this.#socket?.isOpen) {
      throw new ConnectionError(`${operation}: not connected (state ${this.#state}); call connect() first.`, 'not_connected');
    }
    return this.#socket;
  }

  /** Sends `event` as given, adding an `event_id` if it has none (the escape hatch). Returns the event id. */
  send(event: ClientEvent | ({ type: string; event_id?: string } & Record<string, unknown>)): string {
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || event.type === '') {
      throw new ValidationError('send: pass an event object with a string "type".', 'send(event)');
    }
    const socket = this.#requireOpen(`send(${event.type})`);
    const { event_id: given, ...rest } = event;
    const eventId = typeof given === 'string' && given !== '' ? given : newEventId();
    let json: string;
    try {
      // event_id first, as both official SDKs put it (official-sdk-traces).
      json = JSON.stringify({ event_id: eventId, ...rest });
    } catch (error) {
      throw new ValidationError(`send(${event.type}): the event cannot be serialised to JSON (${error instanceof Error ? error.message : String(error)}).`, 'send(event)');
    }
    if (this.#opts.debug) this.#debug(`→ ${previewFrame(json, this.#redactor, 2000)}`);
    socket.send(json);
    if (event.type === 'input_audio_buffer.append') this.#audioSinceCommit = true;
    else if (event.type === 'input_audio_buffer.commit' || event.type === 'input_audio_buffer.clear') this.#audioSinceCommit = false;
    return eventId;
  }

  /**
   * Sends `session.update` and resolves with the session of `session.updated`; rejects with the
   * server's {@link ServerError} for this event, or a {@link ValidationError} (nothing sent) when
   * the configuration does not fit the model (§3.1).
   */
  async updateSession(config: SessionConfig): Promise<Session> {
    this.#requireOpen('updateSession');
    this.#validateSession(config);
    const eventId = newEventId();
    return new Promise<Session>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pendingUpdates = this.#pendingUpdates.filter((p) => p !== pending);
        reject(new TimeoutError('updateSession (waiting for session.updated)', this.#opts.timeouts.requestMs));
      }, this.#opts.timeouts.requestMs);
      const pending: PendingUpdate = {
        eventId,
        resolve: (session) => {
          clearTimeout(timer);
          resolve(session);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#pendingUpdates.push(pending);
      try {
        this.send({ type: 'session.update', event_id: eventId, session: config });
      } catch (error) {
        this.#pendingUpdates = this.#pendingUpdates.filter((p) => p !== pending);
        pending.reject(error as Error);
      }
    });
  }

  #validateSession(config: SessionConfig): void {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new ValidationError('updateSession: pass a session configuration object.', 'session');
    }
    checkJsonValue(config, 'session');
    const info = this.#opts.modelInfo;
    if (!this.#opts.validate || !info) return;
    const [issue] = validateSessionConfig(info, config, { refuseSilentFailureVoices: !this.#opts.allowBrokenVoices });
    if (issue) throw new ValidationError(describeIssue(issue, info), issue.param, issue.allowed, issue.kind === 'unsupported' ? 'unsupported_feature' : 'invalid_value');
  }

  /**
   * Appends audio (§3.2). PCM16 bytes, an Int16Array or base64 are sent as they are; with
   * `format`, Int16Array or Float32Array samples at any rate and channel count are converted to
   * the session's input format. Throws a {@link ValidationError} for bad audio (nothing sent).
   * Resolves with the event id once the socket's outbound buffer is below the high-water mark.
   */
  appendAudio(data: AudioInput, format?: AudioInputFormat): Promise<string> {
    const socket = this.#requireOpen('appendAudio');
    let audio: string;
    if (format !== undefined && (typeof format !== 'object' || format === null)) {
      throw new ValidationError('appendAudio: the second argument is the format of the samples, { sampleRate, channels }; leave it out for PCM16 at the session rate.', 'appendAudio(format)');
    }
    if (format === undefined) audio = encodeAudio(data);
    else {
      // One streaming converter across chunks: resampling chunk by chunk separately would click
      // at every boundary. Its filter tail is flushed before a commit.
      const samples = checkFormattedAudio(data, format);
      const pcm = this.#converterFor(format).process(samples);
      if (pcm.length === 0) return Promise.resolve('');
      audio = encodeBase64(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    }
    const eventId = this.send({ type: 'input_audio_buffer.append', audio });
    return this.#drained(socket).then(() => eventId);
  }

  #converterFor(format: AudioInputFormat): Pcm16MonoConverter {
    const key = `${format.sampleRate}/${format.channels ?? 1}/${this.inputSampleRate}`;
    if (this.#converter?.key !== key) {
      this.#flushConverter();
      this.#converter = { key, converter: new Pcm16MonoConverter({ sampleRate: format.sampleRate, channels: format.channels ?? 1 }, this.inputSampleRate) };
    }
    return this.#converter.converter;
  }

  /** Sends what the streaming converter still holds, so that no converted audio is lost. */
  #flushConverter(): void {
    const tail = this.#converter?.converter.flush();
    this.#converter = undefined;
    if (tail && tail.length > 0 && this.#socket?.isOpen) {
      this.send({ type: 'input_audio_buffer.append', audio: encodeBase64(new Uint8Array(tail.buffer, tail.byteOffset, tail.byteLength)) });
    }
  }

  /**
   * Appends a JPEG frame (§3.5). Audio must have been appended since the last commit; the
   * frame must be a JPEG of at most 256 KB after base64. Resolves like `appendAudio`.
   */
  appendImage(data: ImageInput, options: { mimeType?: string } = {}): Promise<string> {
    const socket = this.#requireOpen('appendImage');
    if (typeof options !== 'object' || options === null) throw new ValidationError('appendImage: options must be an object, e.g. { mimeType: "image/jpeg" }.', 'appendImage(options)');
    if (this.#opts.validate && this.#opts.modelInfo && !this.#opts.modelInfo.imageInput) {
      throw new ValidationError(`appendImage: ${this.#opts.model} does not take image input.`, 'appendImage(data)', undefined, 'unsupported_feature');
    }
    const image = encodeImage(data, options.mimeType === undefined ? {} : { mimeType: options.mimeType });
    if (!this.#audioSinceCommit) {
      throw new ValidationError('appendImage: append audio before the first image of a turn; the service refuses an image with no audio before it (protocol.md §3.5).', 'appendImage(data)');
    }
    const eventId = this.send({ type: 'input_image_buffer.append', image });
    return this.#drained(socket).then(() => eventId);
  }

  /** Commits the audio (and image) buffer as a user turn (§3.3). Returns the event id. */
  commitAudio(): string {
    this.#requireOpen('commitAudio');
    this.#flushConverter();
    if (!this.#audioSinceCommit) {
      throw new ValidationError('commitAudio: the audio buffer is empty; append audio before committing.', 'commitAudio()');
    }
    return this.send({ type: 'input_audio_buffer.commit' });
  }

  /** Clears uncommitted audio (§3.4). Returns the event id. */
  clearAudio(): string {
    this.#converter = undefined;
    return this.send({ type: 'input_audio_buffer.clear' });
  }

  /** Asks for a response (§3.6); `options` become the `response` object. Returns the event id. */
  createResponse(options?: CreateResponseOptions): string {
    const event: ResponseCreateEvent = { type: 'response.create' };
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) throw new ValidationError('createResponse: options must be an object.', 'createResponse(options)');
      const response: NonNullable<ResponseCreateEvent['response']> = {};
      if (options.instructions !== undefined) {
        if (options.instructions !== null && typeof options.instructions !== 'string') throw new ValidationError('createResponse: instructions must be a string or null.', 'response.instructions');
        response.instructions = options.instructions;
      }
      if (options.modalities !== undefined) {
        const issue = validateSessionConfig(this.#opts.modelInfo ?? ({} as ModelInfo), { modalities: options.modalities }).find((i) => i.param === 'session.modalities');
        if (issue) throw new ValidationError(issue.message, 'response.modalities', issue.allowed);
        response.modalities = options.modalities;
      }
      event.response = response;
    }
    return this.send(event);
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
    if (typeof callId !== 'string' || callId === '') {
      throw new ValidationError('sendFunctionCallOutput: callId must be the call_id of response.function_call_arguments.done.', 'item.call_id');
    }
    let text: string;
    if (typeof output === 'string') text = output;
    else {
      try {
        text = JSON.stringify(output);
      } catch {
        text = '';
      }
      if (typeof text !== 'string' || text === '') throw new ValidationError('sendFunctionCallOutput: output must be a string or a JSON-serialisable value.', 'item.output');
    }
    return this.send({ type: 'conversation.item.create', item: { id: newClientItemId(), type: 'function_call_output', call_id: callId, output: text } });
  }

  /** Sends a user text message (`conversation.item.create` with `input_text`, §5.6). Returns the event id. */
  sendText(text: string): string {
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ValidationError('sendText: pass a non-empty string.', 'item.content[0].text');
    }
    if (this.#opts.validate && this.#opts.modelInfo && !this.#opts.modelInfo.textInput) {
      throw new ValidationError(`sendText: ${this.#opts.model} does not take text input; send audio instead.`, 'item.content', undefined, 'unsupported_feature');
    }
    return this.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  }

  /** Resolves once the outbound buffer is at or below the high-water mark (or the socket closed). */
  #drained(socket: Socket): Promise<void> {
    if (socket.bufferedAmount <= this.#opts.sendHighWaterMark || !socket.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drainWaiters.push(resolve);
      this.#pollDrain();
    });
  }

  #pollDrain(): void {
    if (this.#drainTimer !== undefined) return;
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = undefined;
      const socket = this.#socket;
      if (!socket || !socket.isOpen || socket.bufferedAmount <= this.#opts.sendHighWaterMark) this.#releaseDrainWaiters();
      else this.#pollDrain();
    }, 5);
  }

  #releaseDrainWaiters(): void {
    clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
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
    const after = this.#emitter;
    const result = new Promise<FinishResult>((resolve) => {
      const timer = setTimeout(() => done({ finished: false, reason: 'timeout' }), timeoutMs);
      const offs = [
        after.on('session.finished', () => done({ finished: true, reason: 'session.finished' })),
        after.on('error', () => done({ finished: false, reason: 'error' })),
        after.on('close', (info) => done({ finished: !info.error, reason: 'closed' })),
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
      const off = this.#emitter.on('close', () => {
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
    // With room for one more queue of events: the answer being waited for must get past a full queue.
    for (const queue of this.#queues) queue.release(true);
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
  toJSON(): { model: string; url: string; state: State; sessionId: string | undefined } {
    return { model: this.#opts.model, url: this.#opts.url, state: this.#state, sessionId: this.#session?.id };
  }
}
