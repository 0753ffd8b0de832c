/**
 * `dashscope-realtime/browser`: Qwen-Omni-Realtime in a web page. The page connects to a relay
 * (`dashscope-realtime/relay`), which holds the key — a browser can neither send `Authorization`
 * on a WebSocket nor keep a key secret (protocol.md §1.3). Microphone capture and gapless playback
 * run in AudioWorklets; over WebRTC (`WebRTCTransport`) a `RealtimeSession` runs with the
 * microphone and the reply on media tracks.
 *
 * ```ts
 * import { RealtimeClient, MicrophoneCapture, StreamingPlayer, relayWebSocketUrl } from 'dashscope-realtime/browser';
 * const client = new RealtimeClient({ url: relayWebSocketUrl() });     // no key in the page
 * await client.connect();
 * const player = await StreamingPlayer.create();
 * client.on('response.audio.delta', (e) => player.write(pcm16FromBase64(e.delta), client.outputSampleRate));
 * const mic = await MicrophoneCapture.start({ onChunk: (pcm) => void client.appendAudio(pcm) });
 * ```
 */
export { RealtimeClient } from '../client/realtimeClient.js';
export type { ClientState, CloseInfo, CreateResponseOptions, FinishResult, RealtimeClientEvents, WaitForOptions } from '../client/realtimeClient.js';
export type { ClientTimeouts, Logger, RealtimeClientOptions } from '../client/options.js';
export { RealtimeSession } from '../session/realtimeSession.js';
export type { RealtimeSessionOptions, RealtimeSessionEvents } from '../session/realtimeSession.js';
export type { PlaybackAdapter } from '../session/interruption.js';
export { tool } from '../session/tools.js';
export type { Tool, ToolDefinition } from '../session/tools.js';
export type { Turn } from '../session/turn.js';
export { AbortError, AuthenticationError, ConnectionError, ProtocolError, RealtimeError, ServerError, TimeoutError, ValidationError } from '../errors.js';
export type { AnyServerEvent, ServerEvent, ServerEventOf, ServerEventType } from '../protocol/serverEvents.js';
export type { Session, SessionConfig } from '../protocol/session.js';
export { MicrophoneCapture, type MicrophoneCaptureOptions } from './microphoneCapture.js';
export { StreamingPlayer, type StreamingPlayerOptions } from './streamingPlayer.js';
export { connectWebRTC, WebRTCTransport, type WebRTCEvents, type WebRTCOptions } from './webrtc.js';
export type { RealtimeTransport, RealtimeTransportEvents } from '../transport/realtimeTransport.js';
export { relayWebSocketUrl, relaySignalingUrl, type RelayLocation } from './relayUrls.js';
export { pcm16FromBase64 } from '../audio/pcm.js';
