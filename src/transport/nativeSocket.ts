/**
 * The transport for runtimes with a standard WebSocket: Deno, Bun and browsers. Deno and Bun
 * accept handshake headers as a non-standard second argument (so does Node 22's, given as
 * `socketFactory`); browsers cannot send headers at all, so a browser connects through a relay
 * that adds the key (see the relay).
 *
 * What the standard API does not allow, this adapter does not do (docs/reliability.md, "The
 * native WebSocket adapter"): no ping (so no keepalive), no pause (a full iterator ends with
 * `queue_overflow`), no `maxPayloadBytes` (the runtime reads any frame), no HTTP status of a
 * refused handshake, and `terminate()` is a close handshake, which a peer that stops reading
 * never completes.
 */
import { AbortError, ConnectionError, TimeoutError } from '../errors.js';
import { redactSecrets } from '../internal/redact.js';
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
      try {
        ws.close();
      } catch {
        // already failed: nothing to close
      }
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
    ws.onerror = (event: Event) => {
      // After open, 'close' follows with the code. Before open, this is a refused or failed
      // handshake, and it ends the connect here: Node 22's WebSocket (undici) fires no 'close'
      // after it, so waiting for one would turn every refusal into a timeout at connectMs. The
      // HTTP status is hidden (browsers, undici); Deno puts it in the message, which is kept.
      if (opened || settled) return;
      const detail = (event as { message?: unknown }).message;
      const text = typeof detail === 'string' && detail ? `: ${redactSecrets(detail, options.secrets)}` : '';
      giveUp(new ConnectionError(`Could not connect to the realtime endpoint${text}. The runtime's WebSocket hides the HTTP status of a refused handshake (a wrong key and a server error look alike): check the key, or the relay's logs.`, 'connection_failed', { closeCode: 1006 }));
    };
    ws.onclose = (event: CloseEvent) => {
      // A connection dropped without a close frame is 1006 (RFC 6455 §7.1.5); Deno 2 reports it
      // as 0, which is no close code at all.
      const code = event.code >= 1000 ? event.code : 1006;
      if (!opened) {
        // Before open: a refused handshake; after a timeout or an abort, nobody is listening.
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(new ConnectionError(`Could not connect to the realtime endpoint (close code ${code}). In a browser the HTTP status of a refused handshake is hidden: check the relay's logs.`, 'connection_failed', { closeCode: code, closeReason: redactSecrets(event.reason, options.secrets) }));
        return;
      }
      handlers.onClose(code, event.reason);
    };
  });
};
