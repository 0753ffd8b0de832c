/**
 * Qwen-Omni-Realtime over WebRTC (protocol.md §6): the microphone goes up as an RTP track and the
 * reply comes back as one (no `input_audio_buffer.append`, no `response.audio.delta`); events
 * travel as the same JSON over a DataChannel the server opens, labelled `"txt"` (§6.2). The SDP
 * offer is POSTed to a signalling URL — the relay's, which adds the key (§6.1). Server VAD only:
 * there is no Manual mode over WebRTC (§6.2).
 */
import { AuthenticationError, ConnectionError, RealtimeError, TimeoutError, ValidationError } from '../errors.js';
import { TypedEmitter } from '../client/emitter.js';
import { parseServerEvent } from '../client/parseServerEvent.js';
import { newEventId } from '../protocol/ids.js';
import { DEFAULT_MODEL } from '../protocol/models.js';
import type { AnyServerEvent, ServerEventOf, ServerEventType, UnknownServerEvent } from '../protocol/serverEvents.js';
import type { SessionConfig } from '../protocol/session.js';

/** Options of {@link connectWebRTC}. */
export interface WebRTCOptions {
  /** The signalling endpoint, e.g. the relay's `https://app.example.com/api/v1/webrtc/realtime`; `?model=` is added. */
  signalingUrl: string;
  /** Model id (§2.1). Default `qwen3.5-omni-plus-realtime`. */
  model?: string;
  /** Sent as `session.update` once the `"txt"` channel opens. `turn_detection` must not be null (§6.2). */
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
  /** Bound on the signalling POST and on the `"txt"` channel opening. Default 15000. */
  timeoutMs?: number;
}

/** Everything `on()` can listen to on a WebRTC connection. */
export type WebRTCEvents = { [K in ServerEventType]: ServerEventOf<K> } & {
  /** Every server event, documented or not. */
  '*': AnyServerEvent;
  /** A server event whose type this SDK does not know. */
  unknown: UnknownServerEvent;
  /** The reply's audio track arrived. */
  track: MediaStream;
  /** The connection ended. */
  close: { reason: string };
  /** A frame that could not be understood, or a listener that threw. */
  client_error: RealtimeError;
};

/** A live WebRTC session. */
export interface WebRTCConnection {
  /** The peer connection, for stats and advanced use. */
  readonly peerConnection: RTCPeerConnection;
  /** The microphone stream sent up. */
  readonly localStream: MediaStream;
  /** The reply's audio stream, once the track arrived. */
  readonly remoteStream: MediaStream | undefined;
  /** The element playing the reply. */
  readonly audioElement: HTMLAudioElement;
  /** Listens to server events (and `track`, `close`, `client_error`); returns the unsubscribe function. */
  on<K extends keyof WebRTCEvents>(type: K, listener: (event: WebRTCEvents[K]) => void): () => void;
  /** Resolves with the next event of `type`; rejects with a TimeoutError or a ConnectionError on close. */
  waitFor<K extends ServerEventType>(type: K, options?: { timeoutMs?: number }): Promise<ServerEventOf<K>>;
  /** Sends a client event on the `"txt"` channel; returns its `event_id`. */
  send(event: { type: string; event_id?: string } & Record<string, unknown>): string;
  /** Sends `session.update`; refuses `turn_detection: null` (no Manual mode over WebRTC, §6.2). */
  updateSession(config: SessionConfig): string;
  /** Stops the microphone (if opened here) and closes the connection. */
  close(): void;
}

function checkSession(config: SessionConfig | undefined): void {
  if (config && 'turn_detection' in config && config.turn_detection === null) {
    throw new ValidationError('WebRTC supports server VAD only (protocol.md §6.2): turn_detection cannot be null. Use the WebSocket client for Manual mode.', 'session.turn_detection');
  }
}

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
  const body = (await response.text()).slice(0, 64 * 1024);
  if (response.ok) return body;
  let detail = '';
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    detail = [parsed.code, parsed.message].filter((p) => typeof p === 'string' && p !== '').join(': ');
  } catch {
    detail = body.trim().slice(0, 200);
  }
  const handshake = { status: response.status, body: body.slice(0, 4096), requestIds: {} };
  const message = `WebRTC signalling failed with HTTP ${response.status}${detail ? ` (${detail})` : ''}.`;
  if (response.status === 401 || response.status === 403) throw new AuthenticationError(message, handshake);
  throw new ConnectionError(message, 'handshake_failed', { response: handshake });
}

/**
 * Connects over WebRTC: asks for the microphone (unless `stream` is given), exchanges SDP through
 * `signalingUrl`, and resolves once the server's `"txt"` channel is open. Call it from a user
 * gesture so the reply can autoplay.
 */
export async function connectWebRTC(options: WebRTCOptions): Promise<WebRTCConnection> {
  if (typeof options?.signalingUrl !== 'string' || options.signalingUrl === '') throw new ValidationError('signalingUrl is required: the relay’s /api/v1/webrtc/realtime URL.', 'signalingUrl');
  checkSession(options.session);
  const model = options.model ?? DEFAULT_MODEL;
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (typeof RTCPeerConnection === 'undefined') throw new ValidationError('This runtime has no RTCPeerConnection.', 'runtime');
  const stream = options.stream ?? (await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false }));
  const pc = new RTCPeerConnection(options.rtcConfiguration ?? { iceServers: [] });
  const audio = options.audioElement ?? new Audio();
  audio.autoplay = true;
  const emitter = new TypedEmitter<WebRTCEvents>((error) => emitter.emit('client_error', error instanceof RealtimeError ? error : new RealtimeError(`A listener threw: ${error instanceof Error ? error.message : String(error)}`, 'listener_error', { cause: error })));
  let remoteStream: MediaStream | undefined;
  let channel: RTCDataChannel | undefined;
  let closed = false;
  let firstEventSeen = false;

  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    channel?.close();
    pc.close();
    if (!options.stream) for (const track of stream.getTracks()) track.stop();
    audio.srcObject = null;
    emitter.emit('close', { reason });
  };

  const onFrame = (data: unknown) => {
    if (typeof data !== 'string') {
      emitter.emit('client_error', new RealtimeError('The server sent a binary DataChannel message; events are JSON text (§6.2). It was skipped.', 'binary_frame'));
      return;
    }
    const parsed = parseServerEvent(data, []);
    if (parsed instanceof RealtimeError) {
      emitter.emit('client_error', parsed);
      return;
    }
    firstEventSeen = true;
    if (parsed.type === 'unknown') emitter.emit('unknown', parsed);
    else emitter.emit(parsed.type, parsed as never);
    emitter.emit('*', parsed);
  };

  try {
    for (const track of stream.getAudioTracks()) pc.addTrack(track, stream);
    // SCTP is negotiated only if the offer has a DataChannel (§6.2); the server then opens "txt".
    pc.createDataChannel('oai-events');
    pc.addEventListener('track', (event) => {
      remoteStream = event.streams[0] ?? new MediaStream([event.track]);
      audio.srcObject = remoteStream;
      void audio.play().catch(() => {});
      emitter.emit('track', remoteStream);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') close(`peer connection ${pc.connectionState}`);
    });
    const opened = new Promise<RTCDataChannel>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError('WebRTC "txt" DataChannel', timeoutMs)), timeoutMs);
      pc.addEventListener('datachannel', (event) => {
        if (event.channel.label !== 'txt') return;
        const ch = event.channel;
        ch.addEventListener('message', (e) => onFrame(e.data));
        ch.addEventListener('close', () => close('the "txt" channel closed'));
        const ready = () => {
          clearTimeout(timer);
          resolve(ch);
        };
        if (ch.readyState === 'open') ready();
        else ch.addEventListener('open', ready, { once: true });
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc, options.iceGatheringTimeoutMs ?? 5_000);
    const answer = await exchangeSdp(options, model, pc.localDescription?.sdp ?? '', timeoutMs);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    channel = await opened;
  } catch (error) {
    close('connect failed');
    throw error;
  }

  const send: WebRTCConnection['send'] = (event) => {
    if (closed || !channel || channel.readyState !== 'open') throw new ConnectionError('The WebRTC connection is closed.', 'not_connected');
    const withId = { ...event, event_id: event.event_id ?? newEventId() };
    channel.send(JSON.stringify(withId));
    return withId.event_id;
  };
  const connection: WebRTCConnection = {
    peerConnection: pc,
    localStream: stream,
    get remoteStream() {
      return remoteStream;
    },
    audioElement: audio,
    on: (type, listener) => emitter.on(type, listener),
    waitFor: (type, waitOptions = {}) =>
      new Promise((resolve, reject) => {
        const ms = waitOptions.timeoutMs ?? 60_000;
        const timer = setTimeout(() => {
          cleanup();
          reject(new TimeoutError(`waitFor(${type})`, ms));
        }, ms);
        const offEvent = emitter.on(type, (event) => {
          cleanup();
          resolve(event as never);
        });
        const offClose = emitter.on('close', ({ reason }) => {
          cleanup();
          reject(new ConnectionError(`waitFor(${type}): the WebRTC connection closed (${reason}).`, 'connection_closed'));
        });
        function cleanup() {
          clearTimeout(timer);
          offEvent();
          offClose();
        }
      }),
    send,
    updateSession(config) {
      checkSession(config);
      return send({ type: 'session.update', session: config as Record<string, unknown> });
    },
    close: () => close('closed by the client'),
  };
  // As the official demo: configure after the server's first event on "txt" (§6.2).
  const initial = options.session;
  if (initial) {
    if (firstEventSeen) connection.updateSession(initial);
    else emitter.once('*', () => connection.updateSession(initial));
  }
  return connection;
}
