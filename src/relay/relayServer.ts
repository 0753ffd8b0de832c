/**
 * The relay's routes on a Node HTTP server: the WebSocket upgrade on `path`, the WebRTC
 * signalling POST, and (optionally) static files. Usable on the relay's own server
 * (`startRelay`) or mounted on an existing one (`createRelay`). Each connection keeps its own
 * state only, so any number of instances can run behind a load balancer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { admit } from './admission.js';
import { ClientEventFilter } from './eventFilter.js';
import { refuseUpgrade, sendRefusal } from './httpReply.js';
import type { ResolvedRelayOptions } from './options.js';
import { RelayConnection } from './relayConnection.js';
import { handleSignaling } from './signaling.js';
import { serveStatic } from './staticFiles.js';

/** The relay's request handlers, to mount on any `node:http` (or `https`) server. */
export interface RelayHandler {
  /** Handles an `upgrade` event; returns false (and does nothing) when the path is not the relay's. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Handles a `request` event; returns false (and does nothing) when the path is not the relay's. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Live browser connections. */
  readonly connectionCount: number;
  /** Closes every connection (1001 to browsers) and stops accepting new ones. */
  close(): Promise<void>;
}

/** Builds the handlers for resolved options. Internal: use `createRelay`. */
export function relayHandler(options: ResolvedRelayOptions): RelayHandler {
  // The hard cap on a browser frame, above the soft limit that gets an error event (see limits.maxMessageBytes).
  const hardCap = Math.max(options.limits.maxMessageBytes * 4, options.limits.maxMessageBytes + 64 * 1024);
  const wss = new WebSocketServer({ noServer: true, maxPayload: hardCap, perMessageDeflate: false });
  const filter = new ClientEventFilter(options.filter.eventTypes, options.filter.sessionFields, options.session);
  const live = new Set<RelayConnection>();
  const waiters = new Set<() => void>();
  let nextId = 0;
  let closing = false;

  const pathOf = (request: IncomingMessage): URL | undefined => {
    try {
      return new URL(request.url ?? '/', 'http://relay.invalid');
    } catch {
      return undefined;
    }
  };

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> => {
    if (closing) return refuseUpgrade(socket, { status: 503, code: 'ServiceUnavailable', message: 'The relay is shutting down.' });
    const admission = await admit(options, request, url);
    if (!admission.ok) {
      options.log('info', `upgrade refused with ${admission.refusal.status} ${admission.refusal.code}`);
      return refuseUpgrade(socket, admission.refusal);
    }
    if (socket.destroyed) return;
    const max = options.limits.maxConnections;
    if (max > 0 && live.size >= max) {
      options.log('warn', `upgrade refused with 503: ${live.size} browser connections open (limits.maxConnections)`);
      return refuseUpgrade(socket, { status: 503, code: 'TooManyConnections', message: `The relay serves at most ${max} connections at once; try again shortly.` });
    }
    // Synchronous in ws (no verifyClient, no extensions): no other upgrade passes the check
    // above before this connection is counted in \`live\`.
    wss.handleUpgrade(request, socket, head, (ws) => {
      const id = nextId++;
      const connection = new RelayConnection(ws, {
        id,
        model: admission.model,
        options,
        filter,
        closed: (c) => {
          live.delete(c);
          if (live.size === 0) for (const wake of waiters) wake();
        },
      });
      live.add(connection);
      options.log('info', `[${id}] browser connected (model ${admission.model}${request.headers.origin ? `, origin ${String(request.headers.origin).slice(0, 100)}` : ''})`);
      if (closing) connection.shutdown();
      connection.start();
    });
  };

  return {
    handleUpgrade(request, socket, head) {
      const url = pathOf(request);
      if (!url || url.pathname !== options.path) return false;
      socket.on('error', () => {}); // a browser resetting mid-upgrade must not crash the relay
      upgrade(request, socket, head, url).catch((error: unknown) => {
        options.log('error', `upgrade failed: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      });
      return true;
    },
    handleRequest(request, response) {
      const url = pathOf(request);
      if (!url) return false;
      if (options.webrtc && url.pathname === options.webrtc.path) {
        handleSignaling(options, options.webrtc.url, request, response, url).catch((error: unknown) => {
          options.log('error', `signalling failed: ${error instanceof Error ? error.message : String(error)}`);
          if (!response.headersSent) sendRefusal(response, { status: 500, code: 'InternalError', message: 'The relay failed to handle the offer.' });
          else response.destroy();
        });
        return true;
      }
      if (url.pathname === options.path) {
        sendRefusal(response, { status: 426, code: 'BadRequest', message: 'Expected a WebSocket upgrade.' }, { Upgrade: 'websocket' });
        return true;
      }
      const dir = options.staticDir;
      if (dir !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
        serveStatic(dir, request, response, url.pathname).then(
          (served) => {
            if (!served) sendRefusal(response, { status: 404, code: 'NotFound', message: 'Not found.' });
          },
          () => sendRefusal(response, { status: 500, code: 'InternalError', message: 'Could not read the file.' }),
        );
        return true;
      }
      return false;
    },
    get connectionCount() {
      return live.size;
    },
    async close() {
      closing = true;
      for (const c of live) c.shutdown();
      if (live.size > 0) {
        // Bounded: each connection drops its sockets at most 5 s after its close frame.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, 6_000);
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
