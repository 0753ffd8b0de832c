/**
 * Test helpers for the relay: a browser-like raw socket (an `Origin`, no `Authorization`) that
 * keeps every frame, close code and reason it receives, so tests can check that the key never
 * reaches it; an HTTP upgrade probe for refusals; a stand-in upstream WebSocket server that
 * records the handshake and the exact frames; and bounded waits.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** The relay's key in every test: it must never appear in anything a browser receives. */
export const KEY = 'sk-relay-test-key-7f3a9c2e51';

/** Default bound of every wait. */
export const WAIT_MS = 5000;

/** Rejects after `ms` with `what` in the message; the timer never outlives the promise. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A browser-like socket: an Origin header and no key. */
export class BrowserSocket {
  /** Every text frame received. */
  readonly frames: string[] = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString());
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  /** Opens `url` (with its query) as a page on `origin` would. */
  static open(url: string, origin = 'http://localhost', headers: Record<string, string> = {}): Promise<BrowserSocket> {
    const ws = new WebSocket(url, { origin, headers, perMessageDeflate: false });
    const socket = new BrowserSocket(ws);
    return within(
      new Promise((resolve, reject) => {
        ws.once('open', () => resolve(socket));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.once('error', reject);
      }),
      `open ${url}`,
    );
  }

  /** The parsed events received so far. */
  get events(): Array<Record<string, any>> {
    return this.frames.flatMap((f) => {
      try {
        return [JSON.parse(f) as Record<string, any>];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with the first event (already received or future) that passes `test`. */
  waitFor(test: (event: Record<string, any>) => boolean, what: string, ms = WAIT_MS): Promise<Record<string, any>> {
    return within(
      new Promise<Record<string, any>>((resolve) => {
        const check = () => {
          const hit = this.events.find(test);
          if (hit) {
            this.waiters.delete(check);
            resolve(hit);
          }
        };
        this.waiters.add(check);
        check();
      }),
      what,
      ms,
    ).finally(() => this.waiters.clear());
  }

  /** Sends an event as JSON (or a raw string). */
  send(event: Record<string, unknown> | string): void {
    this.ws.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  /** Closes and waits (bounded) for the close. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    await within(this.closed, 'browser socket close').catch(() => this.ws.terminate());
  }
}

/** What an upgrade that was refused answered. */
export interface UpgradeAnswer {
  status: number;
  body: string;
}

/** Tries a WebSocket upgrade on `url` and returns the HTTP status and body (101 when accepted). */
export function probeUpgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  const u = new URL(url);
  return within(
    new Promise((resolve, reject) => {
      const req = request({
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '' });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    }),
    `upgrade ${url}`,
  );
}

/** A stand-in for DashScope's WebSocket endpoint that records handshakes and exact frames. */
export interface StandInUpstream {
  /** `ws://127.0.0.1:PORT/api-ws/v1/realtime`. */
  url: string;
  /** Handshake URL and headers of each connection. */
  handshakes: Array<{ url: string; headers: IncomingHttpHeaders }>;
  /** Every frame received from the relay, exactly. */
  received: Array<{ data: string; binary: boolean }>;
  /** The live server-side sockets. */
  sockets: WebSocket[];
  close(): Promise<void>;
}

/** Starts a stand-in upstream; `onConnection` scripts each connection (default: sends `session.created`). */
export async function startStandInUpstream(onConnection?: (ws: WebSocket) => void): Promise<StandInUpstream> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const state: StandInUpstream = {
    url: '',
    handshakes: [],
    received: [],
    sockets: [],
    close: async () => {
      for (const ws of state.sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  wss.on('connection', (ws, req) => {
    state.handshakes.push({ url: req.url ?? '', headers: req.headers });
    state.sockets.push(ws);
    ws.on('message', (data, isBinary) => state.received.push({ data: isBinary ? (data as Buffer).toString('hex') : data.toString(), binary: isBinary }));
    ws.on('error', () => {});
    if (onConnection) onConnection(ws);
    else ws.send(JSON.stringify({ event_id: 'event_standin', type: 'session.created', session: { id: 'sess_standin', object: 'realtime.session', model: 'qwen3.5-omni-plus-realtime' } }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  state.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/api-ws/v1/realtime`;
  return state;
}

/** Polls `check` every 10 ms until it is true, for at most `ms`. */
export async function until(check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Asserts that `text` (anything a browser received, a log line) does not contain the key. */
export function assertNoKey(text: string, where: string): void {
  if (text.includes(KEY)) throw new Error(`the API key leaked into ${where}`);
}
