/**
 * The native WebSocket adapter (`openNativeSocket`, the runtime's own `WebSocket`) put through
 * the fault classes of test/reliability/faults.test.ts, in runtimes that have a standard
 * WebSocket: Node 22 (undici; it takes `{ headers }` as a non-standard second argument, as Deno
 * and Bun do) and Deno. Node 20, which runs this file, has no global WebSocket, so each case is
 * fixtures/nativeFaults.mjs under the other runtime, against a copy of the built `dist/` (`npm
 * run build` first), with the client and session given `socketFactory: openNativeSocket`; the
 * servers (the simulator's fault injection, the hostile `ws` server of the reliability harness)
 * run here.
 *
 * Each case asserts its documented outcome (docs/reliability.md, "The native WebSocket adapter"),
 * that nothing in the runtime's output contains the API key, that nothing was unhandled there,
 * and that the runtime then ends by itself: a socket or timer left behind keeps it running. Where
 * the native path differs from the `ws` one, the difference is what is asserted, with the reason.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test, type TestContext } from 'node:test';
import type { WebSocket } from 'ws';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { checkEachTest, sessionUpdated, startHostileServer, type HostileServer, type UpgradeControl } from '../reliability/harness.js';
import { bin, ensureRuntimes } from './runtimes.js';

const root = resolve(import.meta.dirname, '../..');
const FIXTURE = resolve(import.meta.dirname, 'fixtures/nativeFaults.mjs');
const DIST = resolve(root, 'dist/esm');
/** The key every case's client uses; it must reach the servers and appear in no output. */
const KEY = `sk-native-marker-${randomUUID()}`;
/** After its RESULT line, the runtime must end by itself within this long. */
const EXIT_MS = 3000;
/** Where a case leaves a socket behind on purpose, how long it must still be running to count as lingering. */
const LINGER_MS = 1000;

interface Runtime {
  name: string;
  file: () => string;
  args: string[];
  /** What the runtime's error event says of a refused handshake (kept in the ConnectionError). */
  refusal: (status: number) => RegExp;
}
const RUNTIMES_UNDER_TEST: Runtime[] = [
  { name: 'Node 22', file: () => bin.node22, args: ['--expose-gc', FIXTURE], refusal: () => /: Received network error or non-101 status code\./ },
  // No --allow-env: a client given a url must work without the environment (it reads DASHSCOPE_* where permitted).
  { name: 'Deno', file: () => bin.deno, args: ['run', '--allow-net', '--allow-read', '--v8-flags=--expose-gc', FIXTURE], refusal: (status) => new RegExp(`: NetworkError: failed to connect to WebSocket: Invalid status code: ${status}\\.`) },
];

checkEachTest(); // nothing unhandled in this process (the servers') either

/** A copy of dist/esm made before the first case, so that a rebuild meanwhile cannot change or remove it. */
let snapshot = '';

before(() => {
  ensureRuntimes(); // throws, naming what could not be installed: never a skip
  assert.ok(existsSync(resolve(DIST, 'transport/nativeSocket.js')), `${DIST} is missing: run npm run build first`);
  snapshot = mkdtempSync(join(tmpdir(), 'dsrt-native-'));
  cpSync(DIST, join(snapshot, 'esm'), { recursive: true });
  writeFileSync(join(snapshot, 'package.json'), JSON.stringify({ type: 'module' }));
});
after(() => {
  if (snapshot) rmSync(snapshot, { recursive: true, force: true });
});

// ---- servers -----------------------------------------------------------------------------------

interface Servers {
  urls: Record<string, string>;
  close(): Promise<void>;
  /** Checks made once the case is over (the key reached the server, say). */
  check?(): void;
}

/** Closes each of `closers` once, whatever the number of calls. */
function closing(...closers: Array<() => Promise<unknown>>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= Promise.all(closers.map((c) => c().catch(() => {}))).then(() => {}));
}

async function simulator(options: SimulatorOptions): Promise<Simulator> {
  // Only the marker key is accepted, so a runtime that dropped the headers would get 401.
  return startSimulator({ speed: 0, apiKeys: [KEY], ...options });
}

/** The reliability harness's hostile server (default: accept, send session.created). */
function hostile(script: ((up: UpgradeControl) => void) | undefined, onFrame?: (frame: Record<string, unknown>, ws: WebSocket) => void): Promise<HostileServer> {
  return startHostileServer(script, onFrame);
}

/** Every upgrade the hostile server saw carried the key (sent through `{ headers }`). */
function keySent(server: HostileServer): void {
  assert.ok(server.upgrades.length > 0, 'the hostile server saw an upgrade');
  for (const up of server.upgrades) assert.equal(up.headers.authorization, `Bearer ${KEY}`, 'the handshake carried the Authorization header');
}

/** Terminates connection `index` of `sim` when `match` sees a server event of it. */
function dropWhen(sim: Simulator, index: number, match: (event: Record<string, unknown>) => boolean): void {
  onServerEvent(sim, index, match, (c) => c.terminate());
}

/** Runs `action` on connection `index` of `sim` the first time `match` sees a server event of it. */
function onServerEvent(sim: Simulator, index: number, match: (event: Record<string, unknown>) => boolean, action: (connection: Simulator['connections'][number]) => void): void {
  let done = false;
  sim.onFrame((r) => {
    if (done || r.connection !== index || r.direction !== 'server' || !r.event || !match(r.event)) return;
    done = true;
    const connection = sim.connections.find((c) => c.index === index);
    if (connection) action(connection);
  });
}

// ---- running a case under a runtime ------------------------------------------------------------

interface Described {
  name?: string;
  code?: string;
  message?: string;
  closeCode?: number;
  closeReason?: string;
  status?: number;
  timeoutMs?: number;
  hasResponse?: boolean;
  text?: string;
}
type Outcome = { status: 'fulfilled'; value: unknown; ms: number } | { status: 'rejected'; error: Described; ms: number };

interface Run {
  value: any;
  /** The runtime did not end by itself after its result, only once the servers closed. */
  lingered: boolean;
  ms: number;
  /** Figures for the diagnostic line. */
  note?: string;
}

interface RunOptions {
  params?: Record<string, unknown>;
  /** Bound on the case, up to its result. Default 30 s. */
  limitMs?: number;
  /** The case leaves a socket that only the server can end (silent server); default false. */
  lingers?: boolean;
}

function version(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, ['--version'], { timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolvePromise(stdout.split('\n')[0]!.trim())));
  });
}

/**
 * Runs case `name` of the fixture under `runtime` against `servers`, bounded by `limitMs`; the
 * servers are closed (and the runtime killed if it still runs) in `finally`.
 */
async function runCase(runtime: Runtime, name: string, servers: Servers, { params = {}, limitMs = 30_000, lingers = false }: RunOptions = {}): Promise<Run> {
  const config = { dist: pathToFileURL(join(snapshot, 'esm')).href, case: name, key: KEY, urls: servers.urls, params };
  const started = performance.now();
  const child = spawn(runtime.file(), [...runtime.args, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let onResult = () => {};
  const resultSeen = new Promise<void>((r) => (onResult = r));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (/^RESULT .*\n/m.test(stdout)) onResult();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((r) => child.on('close', (code, signal) => ((exitCode = code ?? (signal ? -1 : null)), r())));
  const waitFor = async (p: Promise<void>, ms: number): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const inTime = await Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
    clearTimeout(timer);
    return inTime;
  };
  const tail = () => `\n--- stdout\n${stdout.slice(-3000)}\n--- stderr\n${stderr.slice(-3000)}`;
  try {
    const finished = await waitFor(Promise.race([resultSeen, exited]), limitMs);
    assert.ok(finished, `${runtime.name} ${name}: no result within ${limitMs} ms${tail()}`);
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `${runtime.name} ${name}: the runtime ended without a result (exit ${exitCode})${tail()}`);
    const lingered = !(await waitFor(exited, lingers ? LINGER_MS : EXIT_MS));
    assert.equal(lingered, lingers, lingers ? `${runtime.name} ${name}: expected the runtime to be held open by its closing sockets` : `${runtime.name} ${name}: the runtime did not end within ${EXIT_MS} ms of its result: something was left pending${tail()}`);
    if (lingered) {
      await servers.close();
      assert.ok(await waitFor(exited, EXIT_MS), `${runtime.name} ${name}: still running ${EXIT_MS} ms after its servers closed${tail()}`);
    }
    assert.equal(exitCode, 0, `${runtime.name} ${name}: exit code${tail()}`);
    for (const [what, text] of [['stdout', stdout], ['stderr', stderr]] as const) assert.ok(!text.includes(KEY), `${runtime.name} ${name}: the API key appears in the runtime's ${what}`);
    const result = JSON.parse(line.slice('RESULT '.length)) as { ok: boolean; value?: unknown; error?: Described; unhandled: string[] };
    assert.deepEqual(result.unhandled, [], `${runtime.name} ${name}: no unhandled rejection or uncaught error`);
    assert.ok(result.ok, `${runtime.name} ${name}: the case failed: ${result.error?.message}${tail()}`);
    servers.check?.();
    return { value: result.value, lingered, ms: performance.now() - started };
  } finally {
    if (exitCode === undefined) child.kill('SIGKILL');
    await servers.close();
  }
}

// ---- assertions --------------------------------------------------------------------------------

function rejected(outcome: Outcome, what: string): Described {
  assert.equal(outcome.status, 'rejected', `${what}: expected a rejection, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return (outcome as { error: Described }).error;
}

function isError(e: Described, name: string, fields: Partial<Described>, what: string): void {
  assert.equal(e.name, name, `${what}: ${e.name} ${e.code}: ${e.message}`);
  for (const [k, v] of Object.entries(fields)) assert.equal(e[k as keyof Described], v, `${what}: ${k} of ${e.name} ${e.code}: ${e.message}`);
}

// ---- the cases ---------------------------------------------------------------------------------

type Case = [name: string, run: (runtime: Runtime) => Promise<Run>];
const CASES: Case[] = [];

CASES.push([
  'dropped before session.created (TCP closed, upgraded then dropped, dropAfterEvents 0; a session): ConnectionError',
  async (rt) => {
    const h = await hostile((up) => (up.index === 0 ? up.destroy() : void up.accept({ sessionCreated: false }).then((ws) => ws.terminate())));
    const sim = await simulator({ faults: { dropAfterEvents: 0 } });
    const run = await runCase(rt, 'dropBeforeCreated', { urls: { hostile: h.url, sim: sim.url }, close: closing(() => h.close(), () => sim.close()), check: () => keySent(h) });
    const { clients, session } = run.value;
    const codes = ['connection_failed', 'connection_closed', 'connection_closed'];
    clients.forEach((c: { outcome: Outcome; state: string; listeners: object; string: string }, i: number) => {
      isError(rejected(c.outcome, `client ${i}`), 'ConnectionError', { code: codes[i], closeCode: 1006 }, `client ${i}`);
      assert.ok(c.outcome.ms < 1500, `client ${i} rejected at once, not at connectMs (${c.outcome.ms} ms)`);
      assert.equal(c.state, 'closed');
      assert.deepEqual(c.listeners, {}, 'no listener left on the client');
      assert.equal(c.string, 'RealtimeClient(qwen3.5-omni-plus-realtime, closed)');
    });
    isError(rejected(session.outcome, 'session.connect'), 'ConnectionError', {}, 'session.connect');
    assert.equal(session.state, 'closed');
    return run;
  },
]);

CASES.push([
  'dropped mid-reply: the turn fails with 1006, the session reconnects with the history, the next turn completes; a client wait rejects with 1006',
  async (rt) => {
    const sim = await simulator({});
    let deltas = 0;
    dropWhen(sim, 0, (e) => e.type === 'response.audio.delta' && ++deltas === 2);
    dropWhen(sim, 2, (e) => e.type === 'response.audio.delta');
    const run = await runCase(rt, 'midReply', { urls: { sim: sim.url }, close: closing(() => sim.close()) });
    const v = run.value;
    assert.equal(v.first.status, 'failed');
    isError(v.first.error, 'ConnectionError', { closeCode: 1006 }, 'the interrupted turn');
    assert.deepEqual(v.reconnected.restored.items, 1, 'the user item is carried over');
    assert.equal(v.second.status, 'completed');
    isError(rejected(v.client.wait, 'waitFor(response.done)'), 'ConnectionError', { closeCode: 1006 }, 'waitFor(response.done)');
    assert.equal(v.client.state, 'closed');
    assert.deepEqual(v.client.listeners, {}, 'no listener left');
    return run;
  },
]);

const CLOSES: Array<[number, 'reconnect' | 'fatal']> = [
  [1000, 'reconnect'],
  [1001, 'reconnect'],
  [1011, 'reconnect'],
  [4100, 'reconnect'],
  [4001, 'fatal'],
];
for (const [code, outcome] of CLOSES) {
  CASES.push([
    `close ${code} from the server: client → ConnectionError ${code} with the reason; session → ${outcome}`,
    async (rt) => {
      // The client's connection closes 50 ms after session.created. The session's closes at once
      // after session.created when the code is retryable: before its session.update is answered,
      // which connect() treats as a dropped connection (the handshake worked: it reconnects and
      // resolves, docs/reconnect.md). A fatal code comes 50 ms after session.updated, once
      // connect() resolved (before it, connect() would reject with it).
      const sim = await simulator({});
      const closeSoon = (c: Simulator['connections'][number]) => setTimeout(() => c.close(code, `bye ${code}`), 50);
      onServerEvent(sim, 0, (e) => e.type === 'session.created', closeSoon);
      if (outcome === 'reconnect') onServerEvent(sim, 1, (e) => e.type === 'session.created', (c) => c.close(code, `bye ${code}`));
      else onServerEvent(sim, 1, (e) => e.type === 'session.updated', closeSoon);
      const run = await runCase(rt, 'closeCode', { urls: { sim: sim.url }, close: closing(() => sim.close()) }, { params: { code, outcome } });
      const v = run.value;
      isError(rejected(v.wait, 'waitFor'), 'ConnectionError', { code: 'connection_closed', closeCode: code, closeReason: `bye ${code}` }, 'waitFor');
      assert.equal(v.close.code, code);
      assert.equal(v.close.reason, `bye ${code}`);
      assert.equal(v.close.error.closeCode, code);
      if (outcome === 'reconnect') {
        assert.equal(v.session.reconnected, 1);
        assert.equal(v.session.turn.status, 'completed');
        assert.deepEqual(v.errors, []);
      } else {
        isError(v.session.error, 'ConnectionError', { closeCode: code }, 'the session error');
        assert.ok(v.session.same, 'close carries the same error');
        assert.equal(v.session.state, 'closed');
      }
      return run;
    },
  ]);
}

for (const status of [401, 500]) {
  CASES.push([
    `handshake refused with HTTP ${status}: ConnectionError connection_failed at once (the status is hidden); a session retries maxAttempts (3) times and ends`,
    async (rt) => {
      const refusal = { status, code: `Code${status}`, message: `refused with ${status}` };
      const sim = await simulator({ faults: (info) => (info.index === 1 ? { dropAfterMs: 150 } : { refuseHandshake: refusal }) });
      const run = await runCase(rt, 'refused', { urls: { sim: sim.url }, close: closing(() => sim.close()) });
      const v = run.value;
      // The ws path gives AuthenticationError (401) or handshake_failed (500) with the status and
      // body; a standard WebSocket does not expose the response, so neither can the adapter.
      const e = rejected(v.connect, 'connect');
      isError(e, 'ConnectionError', { code: 'connection_failed', closeCode: 1006, status: undefined, hasResponse: false }, 'connect');
      assert.match(e.message ?? '', rt.refusal(status), 'the runtime\'s own words are kept');
      assert.ok(v.connect.ms < 1500, `rejected at once, not at connectMs (${v.connect.ms} ms)`);
      assert.equal(v.state, 'closed');
      assert.deepEqual(v.listeners, {});
      // Without the status a 401 looks like a dropped connection, which is retryable: the session
      // retries until maxAttempts, then ends, instead of stopping at once as on the ws path.
      assert.deepEqual(v.session.attempts.map((a: { attempt: number }) => a.attempt), [1, 2, 3]);
      for (const a of v.session.attempts.slice(1)) isError(a.error, 'ConnectionError', { code: 'connection_failed' }, `attempt ${a.attempt}`);
      isError(v.session.error, 'ConnectionError', { code: 'connection_failed' }, 'the session error');
      assert.equal(v.session.state, 'closed');
      assert.ok(v.session.endedMs < 3000, `the session ended in ${v.session.endedMs} ms`);
      run.note = `connect rejected in ${v.connect.ms} ms, session ended ${v.session.endedMs} ms after the drop`;
      return run;
    },
  ]);
}

CASES.push([
  'no answer to the upgrade: TimeoutError within connectMs (400); a session retries the hanging attempt',
  async (rt) => {
    // Upgrade 1 is dropped 50 ms after its session.updated is written, not 80 ms after the
    // upgrade: on a slow first run that timer beat the session's connect (session.created, then
    // the update's round trip), and the case failed in connect() instead of testing the retry.
    // (A drop at the very moment session.updated arrives is not retried either: the session
    // leaves a close during connect() to connect(), which has already succeeded.)
    let second: WebSocket | undefined;
    const h = await hostile(
      (up) => {
        if (up.index === 0 || up.index === 2) up.hang();
        else if (up.index === 1) void up.accept().then((ws) => (second = ws));
        else void up.accept();
      },
      (frame, ws) => {
        if (frame.type !== 'session.update') return;
        ws.send(JSON.stringify(sessionUpdated()), () => ws === second && setTimeout(() => ws.terminate(), 50));
      },
    );
    const run = await runCase(rt, 'hang', { urls: { hostile: h.url }, close: closing(() => h.close()), check: () => keySent(h) });
    const v = run.value;
    const e = rejected(v.connect, 'connect');
    isError(e, 'TimeoutError', { timeoutMs: 400 }, 'connect');
    assert.ok(v.connect.ms >= 390 && v.connect.ms < 2000, `after ${v.connect.ms} ms`);
    assert.equal(v.state, 'closed');
    assert.equal(v.reconnected, 2);
    assert.equal(v.reconnecting[1]?.name, 'TimeoutError', 'the hanging attempt was retried');
    assert.equal(v.sessionState, 'closed');
    run.note = `connect rejected after ${v.connect.ms} ms`;
    return run;
  },
]);

CASES.push([
  'a silent server: requests time out, ping() has nothing to send, finish() ends in bounds; a session keepalive cannot see the dead peer; the socket lingers until the server drops it',
  async (rt) => {
    const h = await hostile((up) => void up.accept({ autoPong: false }).then((ws) => (ws as unknown as { _socket: { pause(): void } })._socket.pause()));
    const run = await runCase(rt, 'silent', { urls: { hostile: h.url }, close: closing(() => h.close()), check: () => keySent(h) }, { lingers: true });
    const { client, session } = run.value;
    isError(rejected(client.update, 'updateSession'), 'TimeoutError', { timeoutMs: 300 }, 'updateSession');
    isError(rejected(client.wait, 'waitFor'), 'TimeoutError', { timeoutMs: 200 }, 'waitFor');
    // The ws path rejects with TimeoutError; a standard WebSocket cannot ping.
    assert.deepEqual({ status: client.ping.status, value: client.ping.value }, { status: 'fulfilled', value: undefined }, 'ping() resolves undefined');
    assert.deepEqual(client.after, client.baseline, 'timed-out waits leave no listener');
    assert.deepEqual(client.finish.value, { finished: false, reason: 'timeout' });
    assert.ok(client.finish.ms < 2500, `finish() ended in ${client.finish.ms} ms (200 + closeMs 300 + 1 s grace)`);
    assert.equal(client.state, 'closed');
    // keepaliveMs 150 for 1 s: nothing noticed (the ws path drops the peer and reconnects).
    assert.equal(session.stateAfter1s, 'open');
    assert.deepEqual(session.reconnecting, []);
    assert.ok(session.closeMs < 8000, `session.close() ended in ${session.closeMs} ms`);
    assert.equal(session.state, 'closed');
    // close() cannot drop a native socket (no terminate): it stays CLOSING, holding the runtime
    // open, until the server drops the connection (runCase checks both).
    run.note = `finish() ${client.finish.ms} ms, session.close() ${session.closeMs} ms`;
    return run;
  },
]);

const FLOOD = 20_000;
CASES.push([
  `a flood of ${FLOOD} events (~1 KB) to a slow iterator: the iterator ends with queue_overflow (no pause), listeners get every event in order, the heap comes back`,
  async (rt) => {
    const padding = 'x'.repeat(1000);
    const h = await hostile(undefined, (frame, ws) => {
      if (frame.type !== 'input_audio_buffer.clear') return;
      for (let i = 0; i < FLOOD; i++) ws.send(JSON.stringify({ event_id: `event_${i}`, type: 'input_audio_buffer.cleared', padding }));
    });
    const run = await runCase(rt, 'flood', { urls: { hostile: h.url }, close: closing(() => h.close()), check: () => keySent(h) }, { params: { flood: FLOOD } });
    const v = run.value;
    isError(v.iteratorError, 'ProtocolError', { code: 'queue_overflow' }, 'the iterator');
    assert.ok(v.read < FLOOD, `the slow iterator read ${v.read} before it was ended`);
    assert.ok(v.maxQueued <= 100, `the queue stayed within maxQueuedEvents (max ${v.maxQueued})`);
    assert.equal(v.seen, FLOOD, 'the listener saw every event');
    assert.ok(v.ordered, 'in order');
    assert.ok(v.heapAfterMB - v.heapBeforeMB < 8, `heap after GC ${v.heapBeforeMB.toFixed(1)} → ${v.heapAfterMB.toFixed(1)} MB`);
    assert.deepEqual(v.finish.value, { finished: true, reason: 'session.finished' }, 'the connection still works');
    run.note = `iterator read ${v.read}, heap after GC ${v.heapBeforeMB.toFixed(1)} → ${v.heapAfterMB.toFixed(1)} MB, peak RSS ${v.peakRssMB.toFixed(1)} MB`;
    return run;
  },
]);

const SIXTEEN_MIB = 16 * 1024 * 1024;
CASES.push([
  'a 16 MiB frame to a client with maxPayloadBytes 8 MiB: delivered intact (the adapter does not enforce the limit)',
  async (rt) => {
    const pcm = Buffer.alloc(Math.floor((SIXTEEN_MIB - 200) / 4) * 3);
    for (let i = 0; i < pcm.length; i++) pcm[i] = (i * 131 + (i >> 9)) & 255;
    const delta = pcm.toString('base64');
    let checksum = 0;
    for (let i = 0; i < delta.length; i++) checksum = (checksum + delta.charCodeAt(i) * ((i % 7) + 1)) >>> 0;
    const frame = JSON.stringify({ event_id: 'e1', type: 'response.audio.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta });
    assert.ok(frame.length > 8 * 1024 * 1024 && frame.length <= SIXTEEN_MIB);
    const h = await hostile(undefined, (f, ws) => {
      if (f.type !== 'input_audio_buffer.clear') return;
      ws.send(frame);
      ws.send(JSON.stringify({ event_id: 'e2', type: 'input_audio_buffer.cleared' }));
    });
    const run = await runCase(rt, 'bigFrame', { urls: { hostile: h.url }, close: closing(() => h.close()), check: () => keySent(h) }, { params: { maxPayloadBytes: 8 * 1024 * 1024 } });
    const v = run.value;
    // The ws path closes with 1009 and the session ends; the native adapter has no limit to apply.
    assert.deepEqual(v.delta, { length: delta.length, checksum }, 'the frame arrived byte for byte');
    assert.equal(v.after, 'fulfilled', 'the connection goes on');
    assert.deepEqual(v.closes.filter((c: { error?: unknown }) => c.error), [], 'no error close');
    assert.deepEqual(v.finish.value, { finished: true, reason: 'session.finished' });
    return run;
  },
]);

// ---- per runtime -------------------------------------------------------------------------------

for (const runtime of RUNTIMES_UNDER_TEST) {
  test(`native adapter on ${runtime.name}: every fault case ends in its documented outcome`, { timeout: 600_000 }, async (t: TestContext) => {
    const v = await version(runtime.file());
    const started = performance.now();
    let failed = 0;
    for (const [name, run] of CASES) {
      await t.test(name, async (st) => {
        try {
          const r = await run(runtime);
          st.diagnostic(`${Math.round(r.ms)} ms${r.lingered ? ', held open by its closing sockets until the server closed' : ''}${r.note ? `; ${r.note}` : ''}`);
        } catch (error) {
          failed++;
          throw error;
        }
      });
    }
    const summary = `${runtime.name} (${v}): ${CASES.length - failed}/${CASES.length} fault cases ok in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    t.diagnostic(summary);
    console.log(`native adapter: ${summary}`);
    assert.equal(failed, 0);
  });
}
