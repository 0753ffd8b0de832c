/**
 * Chooses the transport for this runtime: `ws` on Node (it can send handshake headers and
 * exposes pause/resume and ping), the runtime's own WebSocket elsewhere.
 */
import { openNativeSocket } from './nativeSocket.js';
import { detectRuntime } from './runtime.js';
import type { SocketFactory } from './socket.js';

/** The default socket factory for the current runtime. */
export const openSocket: SocketFactory = async (options, handlers) => {
  if (detectRuntime().name === 'node') {
    const { openNodeSocket } = await import('./nodeSocket.js');
    return openNodeSocket(options, handlers);
  }
  return openNativeSocket(options, handlers);
};
