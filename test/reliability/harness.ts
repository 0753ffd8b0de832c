/**
 * What every reliability test checks besides its own outcome: no unhandled rejection or
 * uncaught exception, no handle left behind (`process.getActiveResourcesInfo()`), the client's
 * listeners back to where they were, and every SDK promise settled within a bound. Plus a
 * hostile server on 127.0.0.1 whose every upgrade is scripted: refuse, hang, redirect, accept and
 * then misbehave.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, afterEach } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RealtimeClient } from '../../src/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

// ---- process-wide recorders ------------------------------------------------------------------

/** Unhandled rejections and uncaught exceptions seen in this test file's process. */
export const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
process.on('uncaughtException', (error) => unhandled.push(error));
/** Process warnings (MaxListenersExceededWarning shows a listener leak). */
export const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

/** What {@link closeAfterAll} was given, closed newest first once the file's tests are done. */
const closers: Array<() => Promise<unknown>> = [];

/** Closes `close`'s server or session after the file's last test (installed by {@link checkEachTest}). */
export function closeAfterAll(close: () => Promise<unknown>): void {
  closers.push(close);
}

/** An embedded simulator at full speed (`speed: 0`), closed after the file's tests. */
export async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator({ speed: 0, ...options });
  closeAfterAll(() => s.close());
  return s;
}

/** A {@link startHostileServer} closed after the file's tests. */
export async function hostile(...args: Parameters<typeof startHostileServer>): Promise<HostileServer> {
  const h = await startHostileServer(...args);
  closeAfterAll(() => h.close());
  return h;
}

/**
 * Installs the per-test check (nothing unhandled, no listener-leak warning) and the file's
 * cleanup of what {@link closeAfterAll} was given.
 */
export function checkEachTest(): void {
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });
  afterEach(() => {
    const seen = unhandled.splice(0);
    assert.deepEqual(seen.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))), [], 'no unhandled rejection or uncaught exception');
    const leaks = warnings.splice(0).filter((w) => w.name === 'MaxListenersExceededWarning');
    assert.deepEqual(leaks.map((w) => w.message), [], 'no listener leak warning');
  });
}

// ---- bounds ----------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export { sleep };

/** The outcome of a promise that settled in time. */
export type Settled<T> = { status: 'fulfilled'; value: T; ms: number } | { status: 'rejected'; reason: unknown; ms: number };

/** Waits for `promise` at most `ms`; fails the test (naming `what`) if it is still pending. */
export async function settles<T>(promise: Promise<T>, ms: number, what: string): Promise<Settled<T>> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ status: 'fulfilled' as const, value, ms: performance.now() - started }),
      (reason: unknown) => ({ status: 'rejected' as const, reason, ms: performance.now() - started }),
    ),
    new Promise<typeof pending>((r) => (timer = setTimeout(() => r(pending), ms))),
  ]);
  clearTimeout(timer);
  if (outcome === pending) assert.fail(`${what} still pending after ${ms} ms`);
  return outcome;
}

/** Asserts `promise` rejects within `ms` with an error passing `check`; returns the error. */
export async function rejectsWithin<E = Error>(promise: Promise<unknown>, ms: number, what: string, check: (e: E) => boolean): Promise<E> {
  const r = await settles(promise, ms, what);
  if (r.status === 'fulfilled') assert.fail(`${what} resolved (${JSON.stringify(r.value)?.slice(0, 200)}) instead of rejecting`);
  assert.ok(check(r.reason as E), `${what} rejected with an unexpected error: ${r.reason instanceof Error ? `${r.reason.name} ${(r.reason as { code?: string }).code ?? ''}: ${r.reason.message}` : String(r.reason)}`);
  return r.reason as E;
}

/** Polls `condition` every 10 ms for at most `ms`. */
export async function eventually(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`${what}: not true within ${ms} ms`);
    await sleep(10);
  }
}

/** Resolves with the next `event` of an emitter with `on()` returning an unsubscribe (bounded). */
export function nextEvent<T>(emitter: { on(event: never, listener: (value: never) => void): () => void }, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`'${event}' not seen within ${ms} ms`));
    }, ms);
    const off = emitter.on(event as never, ((value: T) => {
      clearTimeout(timer);
      off();
      resolve(value);
    }) as never);
  });
}

// ---- resources -------------------------------------------------------------------------------

/** Active resources by type (TCP sockets and servers, timers, …). */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function excess(now: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of Object.entries(now)) if (n > (before[type] ?? 0)) out[type] = n - (before[type] ?? 0);
  return out;
}

/**
 * Asserts that no resource type has more instances than in `before`, allowing `ms` for sockets
 * closed a moment ago to be released by the event loop.
 */
export async function noLeakSince(before: Record<string, number>, what: string, ms = 2000): Promise<void> {
  const deadline = performance.now() + ms;
  let extra = excess(resources(), before);
  while (Object.keys(extra).length > 0 && performance.now() < deadline) {
    await sleep(20);
    extra = excess(resources(), before);
  }
  assert.deepEqual(extra, {}, `${what}: resources left behind`);
}

/** Listener counts of a client, for every type a test or the SDK may subscribe to. */
export function listenerCounts(client: RealtimeClient): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of ['*', 'close', 'client_error', 'unknown', 'error', 'session.created', 'session.updated', 'session.finished', 'response.done', 'input_audio_buffer.cleared'] as const) {
    out[type] = client.listenerCount(type);
  }
  return out;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** heapUsed after full collections, in bytes. */
export async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await sleep(10);
  }
  return process.memoryUsage().heapUsed;
}

// ---- the hostile server ----------------------------------------------------------------------

/** One upgrade as the hostile server saw it. */
export interface Upgrade {
  path: string;
  headers: IncomingMessage['headers'];
}

/** What a script may do with one upgrade. */
export interface UpgradeControl {
  readonly req: IncomingMessage;
  readonly index: number;
  /** Completes the upgrade; `sessionCreated` (default true) sends `session.created` at once. */
  accept(options?: { sessionCreated?: boolean; autoPong?: boolean }): Promise<WebSocket>;
  /** Answers with an HTTP status instead of upgrading. */
  refuse(status: number, body?: string, headers?: Record<string, string>): void;
  /** Never answers (the TCP connection stays open until the client gives up). */
  hang(): void;
  /** Drops the TCP connection without an answer. */
  destroy(): void;
}

/** A server on 127.0.0.1 whose upgrades are handled by a script. */
export interface HostileServer {
  readonly url: string;
  readonly upgrades: Upgrade[];
  /** TCP connections accepted (counted even when nothing is answered). */
  readonly tcpConnections: number;
  /** Every accepted WebSocket, in order. */
  readonly sockets: WebSocket[];
  /** Parsed client frames of every socket, in order. */
  readonly frames: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A `session.created` event as DashScope sends it (§4.2). */
export function sessionCreated(id = 'sess_hostile'): Record<string, unknown> {
  return {
    event_id: `event_${id}`,
    type: 'session.created',
    session: { id, object: 'realtime.session', model: 'qwen3.5-omni-plus-realtime', modalities: ['text', 'audio'], voice: 'Tina', input_audio_format: 'pcm', output_audio_format: 'pcm', turn_detection: null, tools: [], temperature: 0.7 },
  };
}

/** A `session.updated` event answering `eventId`. */
export function sessionUpdated(id = 'sess_hostile'): Record<string, unknown> {
  const created = sessionCreated(id);
  return { ...created, event_id: `event_upd_${Math.random().toString(16).slice(2)}`, type: 'session.updated' };
}

/** Starts a hostile server; `script` decides what each upgrade gets (default: accept). */
export async function startHostileServer(
  script: (up: UpgradeControl) => void = (up) => void up.accept(),
  onFrame?: (frame: Record<string, unknown>, ws: WebSocket) => void,
  options: { answerFinish?: boolean } = {},
): Promise<HostileServer> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const raw = new Set<NetSocket>();
  let tcp = 0;
  http.on('connection', (s: NetSocket) => {
    tcp++;
    raw.add(s);
    s.on('close', () => raw.delete(s));
  });
  const wssPong = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const wssNoPong = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024, autoPong: false });
  const upgrades: Upgrade[] = [];
  const sockets: WebSocket[] = [];
  const frames: Array<Record<string, unknown>> = [];
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const index = upgrades.length;
    upgrades.push({ path: req.url ?? '', headers: req.headers });
    let answered = false;
    const once = () => {
      assert.ok(!answered, 'an upgrade is answered once');
      answered = true;
    };
    script({
      req,
      index,
      accept: ({ sessionCreated: created = true, autoPong = true } = {}) => {
        once();
        return new Promise((resolve) => {
          (autoPong ? wssPong : wssNoPong).handleUpgrade(req, socket, head, (ws) => {
            sockets.push(ws);
            ws.on('error', () => {});
            ws.on('message', (data, isBinary) => {
              if (isBinary) return;
              let frame: Record<string, unknown>;
              try {
                frame = JSON.parse(data.toString()) as Record<string, unknown>;
              } catch {
                frame = { unparsable: data.toString().slice(0, 100) };
              }
              frames.push(frame);
              // session.finish is answered as qwen3.5-omni-plus does (§3.9), so that closing is quick.
              if (frame.type === 'session.finish' && options.answerFinish !== false) {
                ws.send(JSON.stringify({ event_id: 'event_fin', type: 'session.finished' }));
                ws.close(1000);
              }
              onFrame?.(frame, ws);
            });
            if (created) ws.send(JSON.stringify(sessionCreated()));
            resolve(ws);
          });
        });
      },
      refuse: (status, body = '', headers = {}) => {
        once();
        const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
        socket.end(`HTTP/1.1 ${status} Status\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      },
      hang: () => once(),
      destroy: () => {
        once();
        socket.destroy();
      },
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/api-ws/v1/realtime`,
    upgrades,
    get tcpConnections() {
      return tcp;
    },
    sockets,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        for (const s of raw) s.destroy();
        wssPong.close();
        wssNoPong.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
