/**
 * The HTTP server and WebSocket upgrade of `/api-ws/v1/realtime?model=…` (§1): Bearer
 * authentication in any letter case, the model from the query string, and DashScope-style JSON
 * refusals at the HTTP level (401 `InvalidApiKey`, 400 `BadRequest.EmptyModel`, unknown model,
 * 404 elsewhere), never an `error` event or a close frame (§1.3). `POST /api/v1/tokens` issues
 * temporary keys (§0.2.19, `tokens.ts`). Other headers (`OpenAI-Beta`,
 * SDK tracking headers, `X-DashScope-WorkSpace`, §1.3, §0.1.13) are ignored. The key is never
 * logged or echoed.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { DEFAULT_MODEL, getModelInfo, REALTIME_PATH, type ModelInfo } from '../protocol/index.js';
import { Connection } from './connection.js';
import { EMPTY_MODEL, handshakeBody, INVALID_API_KEY, NOT_FOUND, THROTTLED } from './errors.js';
import type { FaultPlan } from './faults.js';
import type { HandshakeRefusal, ResolvedOptions } from './options.js';
import { FileRecorder, type FrameRecord } from './recorder.js';
import { TOKENS_PATH, TokenIssuer } from './tokens.js';

/** The catalog entry for `model`, or qwen3.5-omni-plus capabilities under that name when unknown models are accepted. */
export function resolveModel(model: string, acceptUnknown: boolean): ModelInfo | undefined {
  const known = getModelInfo(model);
  if (known || !acceptUnknown) return known;
  return Object.freeze({ ...getModelInfo(DEFAULT_MODEL)!, id: model, status: 'stable' as const, snapshot: undefined });
}

/** The API key of an `Authorization: Bearer <key>` header, the scheme in any letter case (§1.3). */
export function bearerKey(header: string | undefined): string | undefined {
  const m = /^\s*bearer\s+(\S.*?)\s*$/i.exec(header ?? '');
  return m?.[1];
}

function refuse(socket: Duplex, refusal: HandshakeRefusal): void {
  const body = handshakeBody(refusal.code, refusal.message);
  const reason = STATUS_CODES[refusal.status] ?? 'Error';
  socket.end(`HTTP/1.1 ${refusal.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The listening simulator: HTTP server, upgrades, live connections, recording. */
export class SimulatorServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  /** Live connections. */
  readonly live = new Set<Connection>();
  private nextIndex = 0;
  private nextFaults: FaultPlan | undefined;
  private readonly listeners = new Set<(record: FrameRecord) => void>();
  private readonly file: FileRecorder | undefined;
  /** Temporary keys issued by `POST /api/v1/tokens` (§0.2.19). */
  private readonly tokens = new TokenIssuer();

  constructor(private readonly options: ResolvedOptions) {
    this.http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === TOKENS_PATH) return this.tokens.handle(req, res, bearerKey(req.headers.authorization), (k) => this.keyAccepted(k));
      const onPath = path === REALTIME_PATH;
      const refusal = onPath ? { status: 426, code: 'BadRequest', message: 'Expected a WebSocket upgrade.' } : NOT_FOUND;
      res.writeHead(refusal.status, { 'Content-Type': 'application/json' }).end(handshakeBody(refusal.code, refusal.message));
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {}); // a client resetting during the upgrade must not crash anything
      try {
        this.upgrade(req, socket, head);
      } catch (error) {
        this.log('error', `upgrade failed: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      }
    });
    this.file = options.recordPath ? new FileRecorder(options.recordPath, (m) => this.log('error', m)) : undefined;
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /** Faults for the next accepted upgrade only (then the `faults` option applies again). */
  setNextFaults(plan: FaultPlan | undefined): void {
    this.nextFaults = plan;
  }

  /** Upgrades that passed authentication and model checks so far. */
  get accepted(): number {
    return this.nextIndex;
  }

  /** Subscribes to every frame record; returns the unsubscribe function. */
  subscribe(listener: (record: FrameRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes every connection (1001, then terminate after 500 ms) and the server. */
  async close(): Promise<void> {
    const open = [...this.live];
    for (const c of open) c.closeNow(1001, 'simulator shutting down');
    const deadline = Date.now() + 500;
    while (this.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const c of this.live) c.terminate();
    await new Promise<void>((resolve) => {
      this.wss.close(() => resolve());
    });
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    await this.file?.close();
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    try {
      this.options.logger?.(level, message);
    } catch {
      // a throwing logger must not break the simulator
    }
  }

  private record(record: FrameRecord): void {
    this.file?.write(record);
    for (const listener of [this.options.onFrame, ...this.listeners]) {
      try {
        listener?.(record);
      } catch (error) {
        this.log('warn', `frame hook threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** A permanent key passes the `apiKeys` check (any non-empty key by default). */
  private keyAccepted(key: string): boolean {
    const keys = this.options.apiKeys;
    return key !== '' && (keys === undefined || (typeof keys === 'function' ? safeCheck(keys, key) : keys.includes(key)));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== REALTIME_PATH) return refuse(socket, NOT_FOUND);
    const key = bearerKey(req.headers.authorization);
    // An `st-` token is good only if issued here and not expired (§0.2.19).
    const keyOk = key !== undefined && (key.startsWith('st-') ? this.tokens.valid(key) : this.keyAccepted(key));
    if (!keyOk) {
      this.log('info', 'handshake refused: missing or rejected API key');
      return refuse(socket, INVALID_API_KEY);
    }
    const modelName = url.searchParams.get('model');
    if (!modelName) return refuse(socket, EMPTY_MODEL);
    const model = resolveModel(modelName, this.options.acceptUnknownModels);
    if (!model) {
      this.log('info', `handshake refused: unknown model ${JSON.stringify(modelName.slice(0, 100))}`);
      return refuse(socket, this.options.unknownModelRefusal);
    }
    const index = this.nextIndex++;
    const plan = this.nextFaults ?? (typeof this.options.faults === 'function' ? this.options.faults({ index, model: model.id }) : this.options.faults);
    this.nextFaults = undefined;
    if (plan?.refuseHandshake) return refuse(socket, plan.refuseHandshake);
    if (this.live.size >= this.options.maxConnections) return refuse(socket, THROTTLED);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection(ws, index, model, this.options, plan, {
        record: (r) => this.record(r),
        log: (level, message) => this.log(level, message),
        closed: (c) => this.live.delete(c),
      });
      this.live.add(connection);
      this.log('info', `connection ${index} opened (model ${model.id})`);
      connection.start();
    });
  }
}

function safeCheck(check: (key: string) => boolean, key: string): boolean {
  try {
    return check(key) === true;
  } catch {
    return false;
  }
}
