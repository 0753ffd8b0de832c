/**
 * The Node transport, on the `ws` package (loaded only here, only on Node). It sends the
 * handshake headers, never follows redirects (credentials must not reach another host), and
 * turns a refused upgrade into a typed error with the HTTP status, body and request ids.
 */
import { AbortError, ConnectionError, TimeoutError } from '../errors.js';
import { Redactor } from '../internal/redact.js';
import { handshakeError, pickRequestIds, readResponseBody } from './handshakeError.js';
import type { OpenSocketOptions, Socket, SocketFactory, SocketHandlers } from './socket.js';

const MAX_ERROR_BODY = 64 * 1024;
/** Pings awaiting a pong at most; older ones are forgotten (their caller has timed out by then). */
const MAX_PENDING_PINGS = 64;


/**
 * `ws`, imported once: a dynamic import per connect costs a round trip to the loader thread
 * under tsx or any other loader hook (~130 µs, measured in docs/benchmarks.md).
 */
const importWs = () => import('ws');
let wsModule: ReturnType<typeof importWs> | undefined;

function loadWs(): ReturnType<typeof importWs> {
  const loading = (wsModule ??= importWs().catch((error: unknown) => {
    wsModule = undefined; // a failed import is tried again at the next connect
    throw error;
  }));
  return loading;
}

/** Opens a socket with `ws`. */
export const openNodeSocket: SocketFactory = async (options: OpenSocketOptions, handlers: SocketHandlers): Promise<Socket> => {
  const { WebSocket } = await loadWs();
  if (options.signal?.aborted) throw new AbortError('connect');
  // The handlers below live as long as the socket: they must not hold `options`, whose signal
  // (with its listeners) would then stay alive for the whole session (~0.7 KiB each).
  // (The executor below is such a closure too, so the socket is made out here.)
  const { url, timeoutMs } = options;
  const redactor = new Redactor();
  redactor.set(options.secrets);
  const secrets = redactor.secrets;
  let signal = options.signal;
  const ws = new WebSocket(url, {
    headers: options.headers,
    handshakeTimeout: timeoutMs,
    maxPayload: options.maxPayload,
    followRedirects: false,
    perMessageDeflate: false,
  });
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    /** A protocol error after open (a frame above maxPayload, bad UTF-8): what the close reports. */
    let failure: { code: number; reason: string } | undefined;
    const onAbort = () => fail(new AbortError('connect'));
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      signal = undefined;
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(error);
    };
    // `handshakeTimeout` covers the upgrade only; this also bounds DNS and TCP connect.
    const timer = setTimeout(() => fail(new TimeoutError('connect', timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('unexpected-response', (_req, res) => {
      void readResponseBody(res, MAX_ERROR_BODY).then((body) => {
        const ids = pickRequestIds(res.headers);
        fail(handshakeError(res.statusCode ?? 0, body, ids, url, secrets));
      });
    });
    ws.on('error', (error: Error) => {
      if (!settled) {
        const message = redactor.text(error.message);
        // Not the error itself: a malformed answer's error keeps its bytes (`rawPacket`), key included.
        fail(new ConnectionError(`Could not connect to ${safeOrigin(url)}: ${message}`, 'connection_failed', { cause: redactor.safeCause(error) }));
        return;
      }
      // After open, an error means ws stopped reading (a frame above maxPayload, invalid data).
      // The close then reports the WebSocket status ws chose (1009, 1007, 1002) with the cause,
      // not a bare 1006; and the socket is dropped now: with its reader gone, waiting for the
      // server's close frame would only wait for ws' 30 s close timeout.
      if (!failure) failure = { code: statusOf(error), reason: redactor.text(error.message) };
      ws.terminate();
    });
    ws.on('open', () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      signal = undefined;
      // One pong listener for the socket's life, not one per ping: a ping that times out must
      // not leave a listener behind (a dead peer would pile them up until ws warns of a leak).
      const pongWaiters = new Set<() => void>();
      ws.on('pong', () => {
        const waiters = [...pongWaiters];
        pongWaiters.clear();
        for (const onPong of waiters) onPong();
      });
      resolve({
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        terminate: () => ws.terminate(),
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        get isOpen() {
          return ws.readyState === WebSocket.OPEN;
        },
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        ping: (onPong) => {
          ws.ping();
          if (pongWaiters.size >= MAX_PENDING_PINGS) pongWaiters.delete(pongWaiters.values().next().value!);
          pongWaiters.add(onPong);
        },
      });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        handlers.onBinary(Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as ArrayBuffer).byteLength);
      } else {
        // Decoded in place: `Buffer.from(buffer)` would copy every frame first.
        const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
        handlers.onText(bytes.toString('utf8'));
      }
    });
    ws.on('close', (code, reason) => {
      if (!settled) {
        fail(new ConnectionError(`The connection to ${safeOrigin(url)} closed during the handshake (code ${code}).`, 'connection_failed', { closeCode: code, closeReason: redactor.cut(reason.toString('utf8'), 123) }));
        return;
      }
      if (code === 1006 && failure) handlers.onClose(failure.code, failure.reason);
      else handlers.onClose(code, reason.toString('utf8'));
    });
  });
};

/** The close status ws attaches to a protocol error (under its `status-code` symbol), else 1002. */
function statusOf(error: Error): number {
  const key = Object.getOwnPropertySymbols(error).find((k) => k.description === 'status-code');
  const status = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key];
  return typeof status === 'number' ? status : 1002;
}

function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the server';
  }
}
