/**
 * The transport for runtimes with a standard WebSocket: Deno, Bun and browsers. Deno and Bun
 * accept handshake headers as a non-standard second argument; browsers cannot send headers at
 * all, so a browser connects through a relay that adds the key (see the relay).
 */
import { ConnectionError, TimeoutError } from '../errors.js';
import type { OpenSocketOptions, Socket, SocketFactory, SocketHandlers } from './socket.js';

type NativeWebSocketCtor = new (url: string, protocolsOrOptions?: unknown) => WebSocket;

/** Opens a socket with `globalThis.WebSocket`. */
export const openNativeSocket: SocketFactory = (options: OpenSocketOptions, handlers: SocketHandlers): Promise<Socket> => {
  const Ctor = (globalThis as { WebSocket?: NativeWebSocketCtor }).WebSocket;
  if (!Ctor) {
    return Promise.reject(new ConnectionError('This runtime has no WebSocket. On Node, install the ws package.', 'connection_failed'));
  }
  const hasHeaders = Object.keys(options.headers).length > 0;
  const ws = hasHeaders ? new Ctor(options.url, { headers: options.headers }) : new Ctor(options.url);
  ws.binaryType = 'arraybuffer';
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      ws.close();
      reject(new TimeoutError('connect', options.timeoutMs));
    }, options.timeoutMs);
    ws.onopen = () => {
      settled = true;
      clearTimeout(timer);
      resolve({
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        terminate: () => ws.close(),
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        get isOpen() {
          return ws.readyState === 1;
        },
      });
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') handlers.onText(event.data);
      else handlers.onBinary((event.data as ArrayBuffer).byteLength ?? 0);
    };
    ws.onerror = () => {
      // Browsers hide the HTTP status of a refused upgrade; 'close' follows with 1006.
    };
    ws.onclose = (event: CloseEvent) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new ConnectionError(`Could not connect to the realtime endpoint (close code ${event.code}). In a browser the HTTP status of a refused handshake is hidden: check the relay's logs.`, 'connection_failed', { closeCode: event.code, closeReason: event.reason }));
        return;
      }
      handlers.onClose(event.code, event.reason);
    };
  });
};
