/**
 * The Node transport, on the `ws` package (loaded only here, only on Node). It sends the
 * handshake headers, never follows redirects (credentials must not reach another host), and
 * turns a refused upgrade into a typed error with the HTTP status, body and request ids.
 */
import type { IncomingMessage } from 'node:http';
import { ConnectionError, TimeoutError } from '../errors.js';
import { redactSecrets } from '../internal/redact.js';
import { handshakeError, pickRequestIds } from './handshakeError.js';
import type { OpenSocketOptions, Socket, SocketFactory, SocketHandlers } from './socket.js';

const MAX_ERROR_BODY = 64 * 1024;

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    res.on('data', (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', done);
    res.on('error', done);
    res.on('aborted', done);
  });
}

/** Opens a socket with `ws`. */
export const openNodeSocket: SocketFactory = async (options: OpenSocketOptions, handlers: SocketHandlers): Promise<Socket> => {
  const { WebSocket } = await import('ws');
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    const ws = new WebSocket(options.url, {
      headers: options.headers,
      handshakeTimeout: options.timeoutMs,
      maxPayload: options.maxPayload,
      followRedirects: false,
      perMessageDeflate: false,
    });
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(error);
    };
    // `handshakeTimeout` covers the upgrade only; this also bounds DNS and TCP connect.
    const timer = setTimeout(() => fail(new TimeoutError('connect', options.timeoutMs)), options.timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      void readBody(res).then((body) => {
        const ids = pickRequestIds(res.headers);
        fail(handshakeError(res.statusCode ?? 0, body, ids, options.url, options.secrets));
      });
    });
    ws.on('error', (error: Error) => {
      if (!settled) {
        const message = redactSecrets(error.message, options.secrets);
        fail(new ConnectionError(`Could not connect to ${safeOrigin(options.url)}: ${message}`, 'connection_failed', { cause: error }));
      }
      // After open, errors are followed by 'close', which reports them.
    });
    ws.on('open', () => {
      settled = true;
      clearTimeout(timer);
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
          ws.once('pong', onPong);
          ws.ping();
        },
      });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        handlers.onBinary(Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as ArrayBuffer).byteLength);
      } else {
        handlers.onText(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8'));
      }
    });
    ws.on('close', (code, reason) => {
      if (!settled) {
        fail(new ConnectionError(`The connection to ${safeOrigin(options.url)} closed during the handshake (code ${code}).`, 'connection_failed', { closeCode: code, closeReason: reason.toString() }));
        return;
      }
      handlers.onClose(code, reason.toString('utf8'));
    });
  });
};

function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the server';
  }
}
