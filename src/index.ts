/**
 * dashscope-realtime: a typed client for Alibaba Cloud Model Studio's Qwen-Omni-Realtime API.
 *
 * ```ts
 * import { RealtimeClient } from 'dashscope-realtime';
 * const client = new RealtimeClient({ model: 'qwen3.5-omni-plus-realtime' });
 * await client.connect();
 * ```
 */
export { RealtimeClient } from './client/realtimeClient.js';
export type { ClientState, CloseInfo, CreateResponseOptions, FinishResult, RealtimeClientEvents, WaitForOptions } from './client/realtimeClient.js';
export type { ClientTimeouts, Logger, RealtimeClientOptions } from './client/options.js';
export type { EndpointOptions } from './client/endpoint.js';
export { createTemporaryKey } from './client/temporaryKey.js';
export type { TemporaryKey, TemporaryKeyOptions } from './client/temporaryKey.js';
export type { AudioInput, AudioInputFormat, ImageInput } from './client/encodeInput.js';
export {
  AbortError,
  AuthenticationError,
  ConnectionError,
  ProtocolError,
  RealtimeError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './errors.js';
export type { HandshakeResponse } from './errors.js';
export type { OpenSocketOptions, Socket, SocketFactory, SocketHandlers } from './transport/socket.js';
export * from './protocol/index.js';
export { VERSION } from './version.js';
export * from './session/index.js';
