/**
 * Qwen-Omni-Realtime over WebRTC (protocol.md §6), as a {@link RealtimeTransport}: a
 * `RealtimeSession` runs on it in a browser with its tools, history and turns. The microphone
 * goes up as an RTP track and the reply comes back as one (no `input_audio_buffer.append`, no
 * `response.audio.delta`); events travel as the same JSON over a DataChannel the server opens,
 * labelled `"txt"` (§6.2). The SDP offer is POSTed to a signalling URL — the relay's, which adds
 * the key (§6.1). Server VAD only: there is no Manual mode over WebRTC (§6.2). Delivery, waits and
 * `session.update` matching are the WebSocket client's own (`EventChannel`, `SessionUpdates`).
 */
import { AuthenticationError, ConnectionError, RealtimeError, TimeoutError, ValidationError } from '../errors.js';
import { allowedRate } from '../client/encodeInput.js';
import { EventChannel, type WaitForOptions } from '../client/eventChannel.js';
import { responseCreateEvent, serializeEvent } from '../client/outgoingEvents.js';
import { checkTimerMs } from '../client/options.js';
import { checkSessionConfig, SessionUpdates } from '../client/sessionUpdates.js';
import { DEFAULT_MODEL, getModelInfo, type ModelInfo } from '../protocol/models.js';
import type { AnyServerEvent, ServerEventType } from '../protocol/serverEvents.js';
import type { Session, SessionConfig } from '../protocol/session.js';
import type { CloseInfo, CreateResponseOptions, FinishResult, OutgoingEvent, RealtimeTransport, RealtimeTransportEvents, TransportState } from '../transport/realtimeTransport.js';
import { describeErrorBody, readResponseBody } from '../transport/handshakeError.js';
import { TrackPlayback } from './trackPlayback.js';

/** Options of {@link WebRTCTransport} and {@link connectWebRTC}. */
export interface WebRTCOptions {
  /** The signalling endpoint, e.g. the relay's `https://app.example.com/api/v1/webrtc/realtime`; `?model=` is added. */
  signalingUrl: string;
  /** Model id (§2.1). Default `qwen3.5-omni-plus-realtime`. */
  model?: string;
  /** `connectWebRTC` only: sent as `session.update` once connected. `turn_detection` must not be null (§6.2). */
  session?: SessionConfig;
  /** Use this stream instead of asking for the microphone (its tracks are not stopped by `close()`). */
  stream?: MediaStream;
  /** Where the reply plays. Default: a new autoplaying `Audio` element. */
  audioElement?: HTMLAudioElement;
  /** Extra headers on the signalling POST, e.g. `Authorization: Bearer <relay token>`. */
  headers?: Record<string, string>;
  /** Peer connection settings. Default `{ iceServers: [] }`, as the official examples (§6.1). */
  rtcConfiguration?: RTCConfiguration;
  /** Wait at most this long for ICE gathering before sending the offer. Default 5000. */
  iceGatheringTimeoutMs?: number;
  /** Bound on the signalling POST and on `session.created` arriving on `"txt"`. Default 15000. */
  timeoutMs?: number;
  /** Bound on the wait for `session.updated`. Default 15000. */
  requestMs?: number;
  /** Where problems go when nobody listens to `client_error`. Default `console.warn`. */
  logger?: { warn(message: string): void };
}

/** Everything `on()` can listen to on a WebRTC transport: the transport events, plus the reply's track. */
export type WebRTCEvents = RealtimeTransportEvents & {
  /** The reply's audio track arrived. */
  track: MediaStream;
};

const MEDIA_AUDIO = 'Over WebRTC the microphone track carries the audio (protocol.md §6.2); there is no input_audio_buffer to append to or commit. Use the WebSocket client (RealtimeClient) to send audio as events.';

/** Resolves when ICE gathering completes, or after `timeoutMs` with what was gathered (§6.1: the offer carries the candidates). */
function iceGathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() {
      if (pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

async function exchangeSdp(options: WebRTCOptions, model: string, offer: string, timeoutMs: number): Promise<string> {
  const url = new URL(options.signalingUrl, globalThis.location?.href);
  url.searchParams.set('model', model);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { ...(options.headers ?? {}), 'Content-Type': 'application/sdp' }, body: offer, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') throw new TimeoutError('WebRTC signalling', timeoutMs);
    throw new ConnectionError(`The signalling endpoint ${url.origin} could not be reached.`, 'connection_failed', { cause: error });
  }
  // Read up to the limit, the rest discarded: a hostile endpoint cannot make the page hold more.
  const { text: body } = await readResponseBody(response.body, 64 * 1024);
  if (response.ok) return body;
  const detail = describeErrorBody(body);
  const handshake = { status: response.status, body: body.slice(0, 4096), requestIds: {} };
  const message = `WebRTC signalling failed with HTTP ${response.status}${detail ? ` (${detail})` : ''}.`;
  if (response.status === 401 || response.status === 403) throw new AuthenticationError(message, handshake);
  throw new ConnectionError(message, 'handshake_failed', { response: handshake });
}

/** One WebRTC connection to the service (or the relay); a `RealtimeSession` transport. */
export class WebRTCTransport implements RealtimeTransport {
  readonly #options: WebRTCOptions;
  readonly #channel: EventChannel<WebRTCEvents>;
  readonly #updates = new SessionUpdates();
  /** The reply item playing on the media track, for barge-in (the session stops it on a cut). */
  readonly mediaPlayback: TrackPlayback = new TrackPlayback(() => this.#audio);
  #state: TransportState = 'idle';
  #session: Session | undefined;
  #pc: RTCPeerConnection | undefined;
  #dataChannel: RTCDataChannel | undefined;
  #stream: MediaStream | undefined;
  #audio: HTMLAudioElement | undefined;
  #remoteStream: MediaStream | undefined;
  #finishSent = false;

  /** Checks `options` (throws {@link ValidationError}); does not connect. */
  constructor(options: WebRTCOptions) {
    if (typeof options?.signalingUrl !== 'string' || options.signalingUrl === '') throw new ValidationError('signalingUrl is required: the relay’s /api/v1/webrtc/realtime URL.', 'signalingUrl');
    for (const name of ['timeoutMs', 'requestMs', 'iceGatheringTimeoutMs'] as const) if (options[name] !== undefined) checkTimerMs(name, options[name], 1);
    if (options.logger !== undefined && typeof options.logger?.warn !== 'function') throw new ValidationError('logger must be an object with a warn(message) function, e.g. console.', 'logger');
    if (options.session !== undefined) checkSessionConfig(options.session, getModelInfo(options.model ?? DEFAULT_MODEL), true);
    this.#options = options;
    const warn = options.logger ? (m: string) => options.logger!.warn(m) : (m: string) => console.warn(m);
    this.#channel = new EventChannel<WebRTCEvents>({
      isClosed: () => this.#state === 'closed',
      warn: (message) => warn(`dashscope-realtime: ${message}`),
      // A DataChannel cannot pause reading: a reader that falls behind gets a typed error.
      flow: { pause: () => false, resume: () => {} },
    });
  }

  /** The model of this connection. */
  get model(): string {
    return this.#options.model ?? DEFAULT_MODEL;
  }

  /** The catalog entry of the model, if known. */
  get modelInfo(): ModelInfo | undefined {
    return getModelInfo(this.model);
  }

  /** Connection state. */
  get state(): TransportState {
    return this.#state;
  }

  /** True while the `"txt"` channel is open and `session.created` has arrived. */
  get isConnected(): boolean {
    return this.#state === 'open';
  }

  /** The effective session of the last `session.created` / `session.updated`. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** The input sample rate the session reports (the track is resampled by WebRTC itself). */
  get inputSampleRate(): number {
    return allowedRate(this.#session?.audio?.input?.format?.sample_rate, this.modelInfo?.input.sampleRates, this.modelInfo?.input.defaultSampleRate ?? 16_000);
  }

  /** The sample rate the session reports for reply audio. */
  get outputSampleRate(): number {
    return allowedRate(this.#session?.audio?.output?.format?.sample_rate, this.modelInfo?.output.sampleRates, this.modelInfo?.output.defaultSampleRate ?? 24_000);
  }

  /** User audio travels on the microphone track. */
  get audioInput(): 'media' {
    return 'media';
  }

  /** The peer connection, for stats and advanced use (once connecting). */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#pc;
  }

  /** The microphone stream sent up (once connecting). */
  get localStream(): MediaStream | undefined {
    return this.#stream;
  }

  /** The reply's audio stream, once the track arrived. */
  get remoteStream(): MediaStream | undefined {
    return this.#remoteStream;
  }

  /** The element playing the reply (once connecting). */
  get audioElement(): HTMLAudioElement | undefined {
    return this.#audio;
  }

  /**
   * Asks for the microphone (unless `stream` is given), exchanges SDP through `signalingUrl`, and
   * resolves with the session of `session.created`, the first event on `"txt"`. Call it from a
   * user gesture so the reply can autoplay. May be called again after a close.
   */
  async connect(): Promise<Session> {
    if (this.#state === 'connecting' || this.#state === 'open' || this.#state === 'closing') throw new RealtimeError(`connect() called while the transport is ${this.#state}; close it first.`, 'invalid_state');
    if (typeof RTCPeerConnection === 'undefined') throw new ValidationError('This runtime has no RTCPeerConnection.', 'runtime');
    const options = this.#options;
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.#state = 'connecting';
    this.#finishSent = false;
    this.#session = undefined;
    try {
      const stream = options.stream ?? (await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false }));
      this.#stream = stream;
      const pc = new RTCPeerConnection(options.rtcConfiguration ?? { iceServers: [] });
      this.#pc = pc;
      const audio = options.audioElement ?? new Audio();
      audio.autoplay = true;
      this.#audio = audio;
      for (const track of stream.getAudioTracks()) pc.addTrack(track, stream);
      // SCTP is negotiated only if the offer has a DataChannel (§6.2); the server then opens "txt".
      pc.createDataChannel('oai-events');
      pc.addEventListener('track', (event) => {
        this.#remoteStream = event.streams[0] ?? new MediaStream([event.track]);
        audio.srcObject = this.#remoteStream;
        void audio.play().catch(() => {});
        this.#channel.emit('track', this.#remoteStream);
      });
      // Liveness: a failed peer connection is a dropped connection (the session reconnects on it).
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'failed' && this.#pc === pc) this.#end(1006, 'peer connection failed', true);
      });
      pc.addEventListener('datachannel', (event) => {
        if (event.channel.label !== 'txt' || this.#pc !== pc) return;
        const ch = event.channel;
        this.#dataChannel = ch;
        ch.addEventListener('message', (e) => this.#onFrame(e.data));
        ch.addEventListener('close', () => this.#pc === pc && this.#end(1006, 'the "txt" channel closed', !this.#finishSent && this.#state !== 'closing'));
      });
      const created = this.#channel.waitFor('session.created', { timeoutMs });
      created.catch(() => {});
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc, options.iceGatheringTimeoutMs ?? 5_000);
      const answer = await exchangeSdp(options, this.model, pc.localDescription?.sdp ?? '', timeoutMs);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      const session = (await created).session;
      if (this.#state !== 'connecting') throw new ConnectionError('The WebRTC connection closed while connecting.', 'connection_closed');
      this.#state = 'open';
      return session;
    } catch (error) {
      this.#end(1006, 'connect failed', true);
      throw error;
    }
  }

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') {
      this.#channel.report(new RealtimeError('The server sent a binary DataChannel message; events are JSON text (§6.2). It was skipped.', 'binary_frame'));
      return;
    }
    this.#channel.receive(data, [], (event) => this.#track(event));
  }

  #track(event: AnyServerEvent): void {
    if (event.type === 'session.created' || event.type === 'session.updated') this.#session = event.session;
    this.#updates.settle(event);
    this.mediaPlayback.observe(event);
  }

  /** Ends the connection once: releases the microphone (if opened here) and emits `close`. */
  #end(code: number, reason: string, unexpected: boolean): void {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    this.#state = 'closed';
    const pc = this.#pc;
    this.#pc = undefined;
    this.#dataChannel?.close();
    this.#dataChannel = undefined;
    pc?.close();
    if (!this.#options.stream) for (const track of this.#stream?.getTracks() ?? []) track.stop();
    if (this.#audio) this.#audio.srcObject = null;
    const error = unexpected ? new ConnectionError(`The WebRTC connection closed unexpectedly (${reason}).`, 'connection_closed', { closeCode: code, closeReason: reason }) : undefined;
    this.#updates.closed(code, reason, error);
    const info: CloseInfo = error ? { code, reason, error } : { code, reason };
    this.#channel.end(info);
  }

  /** Listens to server events (and `track`, `close`, `client_error`); returns the unsubscribe function. */
  on<K extends keyof WebRTCEvents>(type: K, listener: (event: WebRTCEvents[K]) => void): () => void {
    return this.#channel.on(type, listener);
  }

  /** Calls `listener` for the next event of `type` only. */
  once<K extends keyof WebRTCEvents>(type: K, listener: (event: WebRTCEvents[K]) => void): () => void {
    return this.#channel.once(type, listener);
  }

  /** Removes a listener. */
  off<K extends keyof WebRTCEvents>(type: K, listener: (event: WebRTCEvents[K]) => void): void {
    this.#channel.off(type, listener);
  }

  /** Resolves with the next event of `type`; rejects with a TimeoutError, an AbortError, or a ConnectionError on close. */
  waitFor<K extends ServerEventType | 'unknown'>(type: K, options?: WaitForOptions<WebRTCEvents[K]>): Promise<WebRTCEvents[K]> {
    return this.#channel.waitFor(type, options);
  }

  /** Sends a client event on the `"txt"` channel; returns its `event_id`. */
  send(event: OutgoingEvent): string {
    const { eventId, json } = serializeEvent(event);
    const channel = this.#dataChannel;
    if (this.#state !== 'open' || !channel || channel.readyState !== 'open') throw new ConnectionError(`send(${event.type}): the WebRTC connection is not open (state ${this.#state}).`, 'not_connected');
    channel.send(json);
    return eventId;
  }

  /** Sends `session.update` and resolves with its `session.updated`; refuses `turn_detection: null` (no Manual mode over WebRTC, §6.2). */
  async updateSession(config: SessionConfig): Promise<Session> {
    checkSessionConfig(config, this.modelInfo, true);
    if ('turn_detection' in config && config.turn_detection === null) {
      throw new ValidationError('WebRTC supports server VAD only (protocol.md §6.2): turn_detection cannot be null. Use the WebSocket client for Manual mode.', 'session.turn_detection');
    }
    return this.#updates.request(config, this.#options.requestMs ?? 15_000, (event) => this.send(event));
  }

  /** Refused: the microphone track carries the audio (§6.2). */
  appendAudio(): Promise<string> {
    return Promise.reject(new ValidationError(`appendAudio: ${MEDIA_AUDIO}`, 'appendAudio(data)', undefined, 'unsupported_feature'));
  }

  /** Refused: frames travel on a video track over WebRTC (§6.2), which this transport does not send. */
  appendImage(): Promise<string> {
    return Promise.reject(new ValidationError('appendImage: over WebRTC images travel as a video track (protocol.md §6.2), which this transport does not send; use the WebSocket client for frames.', 'appendImage(data)', undefined, 'unsupported_feature'));
  }

  /** Refused: no Manual mode over WebRTC (§6.2). */
  commitAudio(): string {
    throw new ValidationError(`commitAudio: ${MEDIA_AUDIO}`, 'commitAudio()', undefined, 'unsupported_feature');
  }

  /** Asks for a response (§3.6). */
  createResponse(options?: CreateResponseOptions): string {
    return this.send(responseCreateEvent(options, this.modelInfo));
  }

  /** Cancels the response in progress (§3.7). */
  cancelResponse(): string {
    return this.send({ type: 'response.cancel' });
  }

  /** Sends `session.finish` (§3.9), waits for `session.finished` (or an error, or the timeout), then closes. */
  async finish(options: { timeoutMs?: number } = {}): Promise<FinishResult> {
    if (this.#state !== 'open') {
      await this.close();
      return { finished: false, reason: 'closed' };
    }
    const answer = this.#channel.finishOutcome(options.timeoutMs ?? 20_000);
    this.send({ type: 'session.finish' });
    this.#finishSent = true;
    const outcome = await answer;
    await this.close();
    return outcome;
  }

  /** Closes the connection (the microphone too, if opened here); resolves at once. */
  close(code = 1000, reason = 'closed by the client'): Promise<void> {
    this.#end(code, reason, false);
    return Promise.resolve();
  }

  /** Drops the connection; `close` reports it as unexpected. */
  terminate(): void {
    this.#end(1006, 'terminated', true);
  }
}

/**
 * Connects a {@link WebRTCTransport} and sends `options.session` (if any) once `session.created`
 * arrived on `"txt"`, as the official demo does (§6.2). For tools, history, turns and barge-in,
 * give the transport to a session instead: `new RealtimeSession({ transport: () => new WebRTCTransport(options) })`.
 */
export async function connectWebRTC(options: WebRTCOptions): Promise<WebRTCTransport> {
  if (options?.session && 'turn_detection' in options.session && options.session.turn_detection === null) {
    throw new ValidationError('WebRTC supports server VAD only (protocol.md §6.2): turn_detection cannot be null. Use the WebSocket client for Manual mode.', 'session.turn_detection');
  }
  const transport = new WebRTCTransport(options);
  await transport.connect();
  if (options.session) {
    try {
      await transport.updateSession(options.session);
    } catch (error) {
      await transport.close();
      throw error;
    }
  }
  return transport;
}
