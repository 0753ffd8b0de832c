/**
 * The transport for runtimes with a standard WebSocket: Deno, Bun and browsers. Deno and Bun
 * accept handshake headers as a non-standard second argument; browsers cannot send headers at
 * all, so a browser connects through a relay that adds the key (see the relay).
 */
import { AbortError, ConnectionError, TimeoutError } from '../errors.js';
import type { OpenSocketOptions, Socket, SocketFactory, SocketHandlers } from './socket.js';

type NativeWebSocketCtor = new (url: string, protocolsOrOptions?: unknown) => WebSocket;

/** Opens a socket with `globalThis.WebSocket`. */
export const openNativeSocket: SocketFactory = (options: OpenSocketOptions, handlers: SocketHandlers): Promise<Socket> => {
  const Ctor = (globalThis as { WebSocket?: NativeWebSocketCtor }).WebSocket;
  if (!Ctor) {
    return Promise.reject(new ConnectionError('This runtime has no WebSocket. On Node, install the ws package.', 'connection_failed'));
  }
  if (options.signal?.aborted) return Promise.reject(new AbortError('connect'));
  const hasHeaders = Object.keys(options.headers).length > 0;
  const ws = hasHeaders ? new Ctor(options.url, { headers: options.headers }) : new Ctor(options.url);
  ws.binaryType = 'arraybuffer';
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    let opened = false;
    const giveUp = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      ws.close();
      reject(error);
    };
    const onAbort = () => giveUp(new AbortError('connect'));
    const timer = setTimeout(() => giveUp(new TimeoutError('connect', options.timeoutMs)), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    ws.onopen = () => {
      if (settled) return; // given up on (timeout or abort) before it opened
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      opened = true;
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
      if (!opened) {
        // Before open: a refused handshake; after a timeout or an abort, nobody is listening.
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(new ConnectionError(`Could not connect to the realtime endpoint (close code ${event.code}). In a browser the HTTP status of a refused handshake is hidden: check the relay's logs.`, 'connection_failed', { closeCode: event.code, closeReason: event.reason }));
        return;
      }
      handlers.onClose(event.code, event.reason);
    };
  });
};
