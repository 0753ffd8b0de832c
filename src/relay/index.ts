/**
 * `dashscope-realtime/relay`: the browser relay (Node). A browser cannot put a key in a
 * WebSocket handshake (protocol.md §1.3) and must not hold one, so it connects here without a
 * key; the relay checks the origin and the operator's `authenticate` hook, opens the upstream
 * connection with the server-side key, and passes frames both ways — within per-connection
 * limits and an optional client-event filter. It also forwards WebRTC SDP offers (§6.1).
 *
 * ```ts
 * import { startRelay } from 'dashscope-realtime/relay';
 * const relay = await startRelay({
 *   port: 8080,
 *   authenticate: (req) => checkSessionCookie(req.headers.cookie),
 *   allowedOrigins: ['https://app.example.com'],
 *   filter: { allowedSessionFields: ['voice', 'turn_detection'] },
 * });
 * // the page: new RealtimeClient({ url: 'wss://app.example.com/api-ws/v1/realtime' })
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendRefusal } from './httpReply.js';
import { resolveRelayOptions, type RelayOptions } from './options.js';
import { relayHandler, type RelayHandler } from './relayServer.js';

export type { Authenticate, RelayFilter, RelayLimits, RelayLogLevel, RelayOptions, RelayTimeouts } from './options.js';
export type { RelayHandler } from './relayServer.js';
export type { RelayErrorCode } from './errorEvent.js';
export { RELAY_CLOSE_CODES } from './closeCodes.js';
export { MAX_SDP_BYTES } from './signaling.js';

/** A relay listening on its own HTTP server. */
export interface RunningRelay {
  /** `http://HOST:PORT` (the example page, when `staticDir` is set). */
  readonly url: string;
  /** `ws://HOST:PORT{path}`: what a browser's `RealtimeClient` connects to. */
  readonly wsUrl: string;
  /** `http://HOST:PORT{webrtc.path}`, unless signalling is off. */
  readonly signalingUrl: string | undefined;
  /** The bound interface. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** Live browser connections. */
  readonly connectionCount: number;
  /** The underlying server, e.g. to add routes. */
  readonly server: Server;
  /** Closes every connection (1001) and stops listening. */
  close(): Promise<void>;
}

/**
 * The relay's handlers for an existing server (`server.on('upgrade', …)`, `server.on('request', …)`);
 * options are checked at once (a bad one throws a `ValidationError`). `host` and `port` are ignored.
 */
export function createRelay(options: RelayOptions = {}): RelayHandler {
  return relayHandler(resolveRelayOptions(options));
}

/** Starts a relay on its own HTTP server; binds 127.0.0.1 on a free port unless told otherwise. */
export async function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const resolved = resolveRelayOptions(options);
  const handler = relayHandler(resolved);
  const server = createServer((req, res) => {
    if (!handler.handleRequest(req, res)) sendRefusal(res, { status: 404, code: 'NotFound', message: 'Not found.' });
  });
  server.on('upgrade', (req, socket, head: Buffer) => {
    if (!handler.handleUpgrade(req, socket, head)) {
      socket.on('error', () => {});
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl: `ws://${hostPart}:${address.port}${resolved.path}`,
    signalingUrl: resolved.webrtc ? `${url}${resolved.webrtc.path}` : undefined,
    host: address.address,
    port: address.port,
    get connectionCount() {
      return handler.connectionCount;
    },
    server,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await handler.close();
        server.closeAllConnections();
        await closed;
      })()),
  };
}
