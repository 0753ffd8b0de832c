/**
 * A scriptable WebSocket server on 127.0.0.1 for client tests: it records the handshake and
 * every frame the client sends, and lets a test answer with any frame (or refuse the upgrade).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Handshake {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

export interface MockServer {
  url: string;
  port: number;
  handshakes: Handshake[];
  /** Frames received from the client, parsed. */
  received: Array<Record<string, unknown>>;
  /** The latest connected socket. */
  socket(): WebSocket;
  /** Sends a server event (object → JSON) or a raw frame. */
  send(frame: object | string | Buffer): void;
  /** Waits until `count` frames have been received (bounded). */
  waitForFrames(count: number, timeoutMs?: number): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface MockServerOptions {
  /** Refuse the upgrade with this HTTP status and body. */
  refuse?: { status: number; body: string; headers?: Record<string, string> };
  /** Send session.created on connect. Default true. */
  sessionCreated?: boolean;
  /** Called for each received frame; may answer with `send`. */
  onFrame?: (frame: Record<string, unknown>, server: MockServer) => void;
}

export const SESSION = {
  id: 'sess_TestSession000000000',
  object: 'realtime.session',
  model: 'qwen3.5-omni-plus-realtime',
  modalities: ['text', 'audio'],
  voice: 'Tina',
  input_audio_format: 'pcm',
  output_audio_format: 'pcm',
  input_audio_transcription: { model: 'qwen3-asr-flash-realtime' },
  turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 800, create_response: true, interrupt_response: true },
  tools: [],
  temperature: 0.7,
};

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets: WebSocket[] = [];
  let frameWaiters: Array<() => void> = [];
  const server: MockServer = {
    url: '',
    port: 0,
    handshakes: [],
    received: [],
    socket: () => {
      const s = sockets[sockets.length - 1];
      if (!s) throw new Error('no client connected');
      return s;
    },
    send: (frame) => server.socket().send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame)),
    waitForFrames: (count, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (server.received.length >= count) {
            clearTimeout(timer);
            frameWaiters = frameWaiters.filter((w) => w !== check);
            resolve(server.received.slice(0, count));
          }
        };
        const timer = setTimeout(() => {
          frameWaiters = frameWaiters.filter((w) => w !== check);
          reject(new Error(`waited ${timeoutMs} ms for ${count} frames, got ${server.received.length}`));
        }, timeoutMs);
        frameWaiters.push(check);
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close();
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  };
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    server.handshakes.push({ path: url.pathname, query: url.searchParams, headers: req.headers, rawHeaders: req.rawHeaders });
    if (options.refuse) {
      const { status, body, headers = {} } = options.refuse;
      const extra = Object.entries({ 'content-type': 'application/json', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${status} Refused\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      ws.on('message', (data, isBinary) => {
        const frame = isBinary ? { binary: true } : (JSON.parse(data.toString()) as Record<string, unknown>);
        server.received.push(frame);
        options.onFrame?.(frame, server);
        for (const w of [...frameWaiters]) w();
      });
      if (options.sessionCreated !== false) {
        ws.send(JSON.stringify({ event_id: 'event_created', type: 'session.created', session: SESSION }));
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server.port = (http.address() as AddressInfo).port;
  server.url = `ws://127.0.0.1:${server.port}/api-ws/v1/realtime`;
  return server;
}
