/**
 * Chooses the transport for this runtime: `ws` on Node (it can send handshake headers and
 * exposes pause/resume and ping), the runtime's own WebSocket elsewhere.
 *
 * Browsers (and web workers): the second argument of `new WebSocket()` is the subprotocol list
 * there, so handshake headers are dropped (a browser cannot send `Authorization`, protocol.md
 * §1.3: it talks to a relay that adds the key). Bundlers never see `ws`: package.json's
 * `browser` field maps `nodeSocket.js` to an empty module, and the import below only runs on Node.
 */
import { openNativeSocket } from './nativeSocket.js';
import { detectRuntime } from './runtime.js';
import type { SocketFactory } from './socket.js';

/** The Node transport, imported once (see nodeSocket.ts for why a cached import matters). */
let nodeTransport: Promise<typeof import('./nodeSocket.js')> | undefined;

/** The default socket factory for the current runtime. */
export const openSocket: SocketFactory = async (options, handlers) => {
  const runtime = detectRuntime().name;
  if (runtime === 'node') {
    nodeTransport ??= import('./nodeSocket.js').catch((error: unknown) => {
      nodeTransport = undefined;
      throw error;
    });
    const { openNodeSocket } = await nodeTransport;
    return openNodeSocket(options, handlers);
  }
  // Only Deno and Bun take headers as a (non-standard) second argument.
  return openNativeSocket(runtime === 'deno' || runtime === 'bun' ? options : { ...options, headers: {} }, handlers);
};
