/**
 * Bad networks and bad servers (issue 7): every fault ends in its documented outcome — a typed
 * error, a reconnect with the session restored, or a clean close — within a bound, with nothing
 * unhandled, no handle or listener left behind. Over real sockets on 127.0.0.1, against the
 * simulator's fault injection and a hostile server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import {
  AuthenticationError,
  ConnectionError,
  RealtimeClient,
  RealtimeSession,
  ServerError,
  TimeoutError,
  tool,
  type RealtimeClientOptions,
  type RealtimeSessionOptions,
} from '../../src/index.js';
import { startSimulator, type FaultPlan, type Simulator } from '../../src/simulator/index.js';
import {
  checkEachTest,
  closeAfterAll,
  eventually,
  hostile,
  listenerCounts,
  noLeakSince,
  rejectsWithin,
  resources,
  sessionUpdated,
  settles,
  sim,
  sleep,
  startHostileServer,
} from './harness.js';

checkEachTest();
const MODEL = 'qwen3.5-omni-plus-realtime';

const quiet = { warn: () => {} };
const fast = { connectMs: 2000, requestMs: 1500, closeMs: 1000, finishMs: 1000 };



function client(url: string, options: Partial<RealtimeClientOptions> = {}): RealtimeClient {
  return new RealtimeClient({ url, apiKey: 'sk-reliability', model: MODEL, logger: quiet, timeouts: fast, ...options });
}

function session(url: string, options: Partial<RealtimeSessionOptions> = {}): RealtimeSession {
  const s = new RealtimeSession({ url, apiKey: 'sk-reliability', model: MODEL, logger: quiet, timeouts: fast, keepaliveMs: false, reconnect: { baseDelayMs: 10, maxDelayMs: 40 }, session: { turn_detection: null, instructions: 'Be brief.' }, ...options });
  closeAfterAll(() => s.close());
  return s;
}

/** Resolves with the next `event` of the session (bounded). */
function next<T>(s: RealtimeSession, event: 'reconnected' | 'reconnecting' | 'error' | 'close', ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`session '${event}' not seen within ${ms} ms`));
    }, ms);
    const off = s.on(event, ((v: T) => {
      clearTimeout(timer);
      off();
      resolve(v);
    }) as never);
  });
}

/** Terminates connection `index` of `simulator` when `match` sees a frame of it. */
function dropWhen(simulator: Simulator, index: number, match: (r: { direction: string; event?: Record<string, unknown> }) => boolean): void {
  let done = false;
  simulator.onFrame((r) => {
    if (done || r.connection !== index || !match(r)) return;
    done = true;
    simulator.connections.find((c) => c.index === index)?.terminate();
  });
}

const isConnErr = (code?: number) => (e: unknown) => e instanceof ConnectionError && (code === undefined || e.closeCode === code);

// ---------------------------------------------------------------------------------------------

describe('the socket dropped', () => {
  test('before session.created: connect() rejects with a ConnectionError (3 ways), nothing left behind', async () => {
    const before = resources();
    const server = await hostile((up) => {
      if (up.index === 0) up.destroy(); // the TCP connection, before any answer
      else void up.accept({ sessionCreated: false }).then((ws) => ws.terminate()); // upgraded, then dropped
    });
    const simulator = await sim({ faults: { dropAfterEvents: 0 } }); // dropped before session.created is sent
    for (const url of [server.url, server.url, simulator.url]) {
      const c = client(url);
      await rejectsWithin(c.connect(), 3000, `connect to ${url}`, (e) => e instanceof ConnectionError);
      assert.equal(c.state, 'closed');
      assert.deepEqual(Object.values(listenerCounts(c)).filter((n) => n > 0), [], 'no listener left on the client');
    }
    const s = session(simulator.url);
    await rejectsWithin(s.connect(), 3000, 'session.connect', (e) => e instanceof ConnectionError);
    assert.equal(s.state, 'closed');
    await server.close();
    await simulator.close();
    await noLeakSince(before, 'drop before session.created');
  });

  test('during session.update: updateSession rejects with 1006; a session retries and restores the configuration', async () => {
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type === 'session.update') ws.terminate();
    });
    const c = client(server.url);
    await c.connect();
    const baseline = listenerCounts(c);
    await rejectsWithin(c.updateSession({ instructions: 'x' }), 3000, 'updateSession', isConnErr(1006));
    assert.equal(c.state, 'closed');
    assert.ok(Object.entries(listenerCounts(c)).every(([k, n]) => n <= (baseline[k] ?? 0)), 'no listener added by the failed update is left');

    // Session: the first connection is dropped later; the reconnect's session.update is dropped
    // too; the second attempt restores everything.
    const simulator = await sim({ faults: (info) => (info.index === 0 ? { dropAfterMs: 150 } : undefined) });
    dropWhen(simulator, 1, (r) => r.direction === 'client' && r.event?.type === 'session.update');
    const frames: Array<{ connection: number; type: string; session?: Record<string, unknown> }> = [];
    simulator.onFrame((r) => {
      if (r.direction === 'client' && r.event) frames.push({ connection: r.connection, type: String(r.event.type), session: r.event.session as Record<string, unknown> });
    });
    const s = session(simulator.url, { session: { turn_detection: null, instructions: 'You are Xiaoyun.', voice: 'Ethan' } });
    await s.connect();
    const attempts: number[] = [];
    s.on('reconnecting', (r) => attempts.push(r.attempt));
    const info = await next<{ attempt: number }>(s, 'reconnected');
    assert.equal(info.attempt, 2, `the attempt whose update was dropped is retried (attempts ${attempts.join(',')})`);
    const result = await s.ask('Are you there?').done;
    assert.equal(result.status, 'completed');
    const update = frames.filter((f) => f.type === 'session.update' && f.connection === 2).at(-1);
    assert.equal(update?.session?.voice, 'Ethan');
    assert.match(String(update?.session?.instructions), /Xiaoyun/);
  });

  test('mid-reply: the turn fails, the session reconnects with the history, the next turn completes', async () => {
    const simulator = await sim();
    let deltas = 0;
    dropWhen(simulator, 0, (r) => r.direction === 'server' && r.event?.type === 'response.audio.delta' && ++deltas === 2);
    const s = session(simulator.url);
    await s.connect();
    const reconnected = next<{ restored: { items: number } }>(s, 'reconnected');
    const first = await settles(s.ask('My name is Ada.').done, 5000, 'the interrupted turn');
    assert.equal(first.status, 'fulfilled');
    assert.equal(first.status === 'fulfilled' && first.value.status, 'failed');
    assert.ok(first.status === 'fulfilled' && first.value.error instanceof ConnectionError, 'failed with the ConnectionError');
    const info = await reconnected;
    assert.equal(info.restored.items, 1, 'the user item is carried over (the partial reply is not)');
    const second = await s.ask('What is my name?').done;
    assert.equal(second.status, 'completed');

    // The client alone: a pending wait rejects with the drop.
    const c = client(simulator.url);
    await c.connect();
    let n = 0;
    dropWhen(simulator, simulator.connectionCount - 1, (r) => r.direction === 'server' && r.event?.type === 'response.audio.delta' && ++n === 1);
    c.sendText('Tell me something.');
    c.createResponse();
    await rejectsWithin(c.waitFor('response.done', { timeoutMs: 5000 }), 5000, 'waitFor(response.done)', isConnErr(1006));
    assert.equal(c.listenerCount('response.done'), 0);
    assert.equal(c.listenerCount('close'), 0);
  });

  test('during a tool call: no output is sent on the dead socket, the reconnect restores tools, the next turn completes', async () => {
    const simulator = await sim();
    dropWhen(simulator, 0, (r) => r.direction === 'server' && r.event?.type === 'response.function_call_arguments.done');
    const outputsOnConn0: unknown[] = [];
    simulator.onFrame((r) => {
      if (r.connection === 0 && r.direction === 'client' && r.event?.type === 'conversation.item.create') outputsOnConn0.push(r.event);
    });
    let aborted = 0;
    const weather = tool({
      name: 'get_current_weather',
      parameters: { type: 'object', properties: { location: { type: 'string' } } },
      execute: async (_args, { signal }) => {
        await sleep(100);
        if (signal.aborted) aborted++;
        return 'sunny';
      },
    });
    const s = session(simulator.url, { tools: [weather] });
    await s.connect();
    const reconnected = next<{ restored: { tools: number } }>(s, 'reconnected');
    const first = await s.ask('Please call get_current_weather for Hangzhou').done;
    assert.equal(first.status, 'failed');
    assert.equal((await reconnected).restored.tools, 1);
    await sleep(200); // the tool finishes after the drop: its output must go nowhere
    assert.equal(outputsOnConn0.filter((e) => (e as { item: { type: string } }).item.type === 'function_call_output').length, 0);
    const second = await s.ask('Please call get_current_weather for Hangzhou').done;
    assert.equal(second.status, 'completed');
    assert.equal(second.toolCalls[0]?.status, 'ok');
    assert.equal(aborted, 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('close codes', () => {
  // docs/reconnect.md: reconnect on 1000/1001 from the server, 1006, 1011 and 4100+; end the
  // session on policy/protocol closes (1008) and application codes 4000–4099.
  const cases: Array<[string, FaultPlan, number, 'reconnect' | 'fatal']> = [
    ['1000 from the server', { closeAfterMs: 80, closeCode: 1000 }, 1000, 'reconnect'],
    ['1001 going away', { closeAfterMs: 80, closeCode: 1001 }, 1001, 'reconnect'],
    ['1006 dropped (no close frame)', { dropAfterMs: 80 }, 1006, 'reconnect'],
    ['1008 policy', { closeAfterMs: 80, closeCode: 1008, closeReason: 'policy' }, 1008, 'fatal'],
    ['1011 server error', { closeAfterMs: 80, closeCode: 1011 }, 1011, 'reconnect'],
    ['4000 application', { closeAfterMs: 80, closeCode: 4000 }, 4000, 'fatal'],
    ['4099 application', { closeAfterMs: 80, closeCode: 4099 }, 4099, 'fatal'],
    ['4100 application', { closeAfterMs: 80, closeCode: 4100 }, 4100, 'reconnect'],
    ['4999 application', { closeAfterMs: 80, closeCode: 4999 }, 4999, 'reconnect'],
  ];
  for (const [name, plan, code, outcome] of cases) {
    test(`${name}: client → ConnectionError ${code}; session → ${outcome}`, async () => {
      const before = resources();
      const simulator = await startSimulator({ speed: 0, faults: (info) => (info.index === 0 || info.index === 1 ? plan : undefined) });
      const c = client(simulator.url);
      await c.connect();
      const closed = new Promise<{ code: number; error?: ConnectionError }>((r) => c.on('close', r));
      const wait = c.waitFor('response.done', { timeoutMs: 5000 });
      await rejectsWithin(wait, 3000, 'waitFor', isConnErr(code));
      const info = await settles(closed, 1000, 'close event');
      assert.ok(info.status === 'fulfilled' && info.value.code === code && info.value.error?.closeCode === code);

      const s = new RealtimeSession({ url: simulator.url, apiKey: 'sk-reliability', model: MODEL, logger: quiet, timeouts: fast, keepaliveMs: false, reconnect: { baseDelayMs: 10, maxDelayMs: 20 }, session: { turn_detection: null } });
      await s.connect();
      if (outcome === 'reconnect') {
        await next(s, 'reconnected');
        assert.equal(s.state, 'open');
        assert.equal((await s.ask('still there?').done).status, 'completed');
      } else {
        const [error, close] = await Promise.all([next<Error>(s, 'error'), next<{ error?: Error }>(s, 'close')]);
        assert.ok(isConnErr(code)(error), `the session reports the ${code} close`);
        assert.equal(close.error, error);
        assert.equal(s.state, 'closed');
      }
      await s.close();
      await simulator.close();
      await noLeakSince(before, `close ${code}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('handshake failures', () => {
  const statuses: Array<[number, 'auth' | 'retry' | 'fatal']> = [
    [401, 'auth'],
    [403, 'auth'],
    [404, 'fatal'],
    [429, 'retry'],
    [500, 'retry'],
  ];
  for (const [status, kind] of statuses) {
    test(`HTTP ${status}: a typed error with the status; a reconnect ${kind === 'retry' ? 'retries' : 'stops'}`, async () => {
      const before = resources();
      const refusal = { status, code: `Code${status}`, message: `refused with ${status}` };
      const simulator = await startSimulator({ speed: 0, faults: (info) => (info.index === 0 ? { refuseHandshake: refusal } : info.index === 1 ? { dropAfterMs: 80 } : info.index === 2 ? { refuseHandshake: refusal } : undefined) });
      const c = client(simulator.url);
      const error = await rejectsWithin<ConnectionError | AuthenticationError>(c.connect(), 3000, `connect (${status})`, (e) =>
        kind === 'auth' ? e instanceof AuthenticationError && e.status === status : e instanceof ConnectionError && e.status === status && e.code === 'handshake_failed',
      );
      assert.match(error.message, new RegExp(`HTTP ${status}`));
      assert.equal(error.response?.body.includes(`Code${status}`), true, 'the body is kept');

      const s = new RealtimeSession({ url: simulator.url, apiKey: 'sk-reliability', model: MODEL, logger: quiet, timeouts: fast, keepaliveMs: false, reconnect: { baseDelayMs: 10, maxDelayMs: 20 }, session: { turn_detection: null } });
      await s.connect(); // connection 1, dropped after 80 ms; connection 2 is refused
      if (kind === 'retry') {
        const info = await next<{ attempt: number }>(s, 'reconnected');
        assert.equal(info.attempt, 2);
        assert.equal((await s.ask('hello').done).status, 'completed');
      } else {
        const failure = await next<Error>(s, 'error');
        assert.equal((failure as { status?: number }).status, status);
        await eventually(() => s.state === 'closed', 2000, 'session closed');
      }
      await s.close();
      await simulator.close();
      await noLeakSince(before, `HTTP ${status}`);
    });
  }

  test('no answer to the upgrade: a TimeoutError within connectMs; a reconnect retries it', async () => {
    const before = resources();
    const server = await startHostileServer((up) => {
      if (up.index === 0 || up.index === 2) up.hang();
      else if (up.index === 1) void up.accept().then((ws) => setTimeout(() => ws.terminate(), 80));
      else void up.accept();
    }, (frame, ws) => {
      if (frame.type === 'session.update') ws.send(JSON.stringify(sessionUpdated()));
    });
    const c = client(server.url, { timeouts: { connectMs: 400 } });
    const startedAt = performance.now();
    const e = await rejectsWithin<TimeoutError>(c.connect(), 2000, 'connect to a silent server', (x) => x instanceof TimeoutError);
    assert.ok(performance.now() - startedAt >= 390, 'not before connectMs');
    assert.equal(e.timeoutMs, 400);
    const s = new RealtimeSession({ url: server.url, apiKey: 'sk-reliability', model: MODEL, logger: quiet, timeouts: { ...fast, connectMs: 400 }, keepaliveMs: false, reconnect: { baseDelayMs: 10, maxDelayMs: 20 }, session: { turn_detection: null } });
    await s.connect();
    const reconnecting: Error[] = [];
    s.on('reconnecting', (r) => reconnecting.push(r.error));
    const info = await next<{ attempt: number }>(s, 'reconnected', 5000);
    assert.equal(info.attempt, 2);
    assert.ok(reconnecting[1] instanceof TimeoutError, 'the second attempt was retried after the timeout');
    await s.close();
    await server.close();
    await noLeakSince(before, 'handshake timeout');
  });
});

// ---------------------------------------------------------------------------------------------

describe('a server that stops answering without closing', () => {
  test('every request times out, finish() and close() still end within their bounds', async () => {
    const before = resources();
    let raw: WebSocket | undefined;
    const server = await startHostileServer((up) => void up.accept({ autoPong: false }).then((ws) => (raw = ws)));
    const c = client(server.url, { timeouts: { connectMs: 2000, requestMs: 300, closeMs: 300 } });
    await c.connect();
    const baseline = listenerCounts(c);
    await rejectsWithin(c.updateSession({ instructions: 'x' }), 1500, 'updateSession', (e) => e instanceof TimeoutError);
    await rejectsWithin(c.waitFor('response.done', { timeoutMs: 200 }), 1500, 'waitFor', (e) => e instanceof TimeoutError);
    await rejectsWithin(c.ping(200), 1500, 'ping', (e) => e instanceof TimeoutError);
    assert.deepEqual(listenerCounts(c), baseline, 'timed-out waits leave no listener');
    // Now it stops reading altogether: not even the close frame is answered.
    (raw as unknown as { _socket: { pause(): void } })._socket.pause();
    const finished = await settles(c.finish({ timeoutMs: 200 }), 3000, 'finish');
    assert.deepEqual(finished.status === 'fulfilled' && finished.value, { finished: false, reason: 'timeout' });
    assert.equal(c.state, 'closed');
    await server.close();
    await noLeakSince(before, 'silent server');
  });

  test('a session: the keepalive finds the dead peer and reconnects; an unanswered session.update is retried', async () => {
    const server = await hostile(
      (up) => void up.accept({ autoPong: up.index !== 0 }),
      (frame, ws) => {
        // Connection 1 (the first reconnect) never answers its session.update.
        if (frame.type === 'session.update' && server.sockets.indexOf(ws) !== 1) ws.send(JSON.stringify(sessionUpdated()));
      },
    );
    const s = session(server.url, { keepaliveMs: 150, timeouts: { ...fast, requestMs: 300 } });
    await s.connect();
    const errors: Error[] = [];
    s.on('reconnecting', (r) => errors.push(r.error));
    const info = await next<{ attempt: number }>(s, 'reconnected', 6000);
    assert.equal(info.attempt, 2);
    assert.ok(errors[0] instanceof ConnectionError, 'the keepalive dropped the dead peer');
    assert.ok(errors[1] instanceof TimeoutError, 'the unanswered update was retried');
    assert.equal(s.state, 'open');
  });
});

// ---------------------------------------------------------------------------------------------

describe('a server that floods faster than the application reads', () => {
  const FLOOD = 20_000;
  // ~1 KB each, so that 20 MB of events overflow the kernel's socket buffers and TCP holds the
  // server back once the client stops reading.
  const padding = 'x'.repeat(1000);
  const event = (i: number) => JSON.stringify({ event_id: `event_${i}`, type: 'input_audio_buffer.cleared', padding });

  test(`${FLOOD} events to a slow iterator: reading pauses, the queue stays bounded, nothing is lost or reordered`, async (t) => {
    const server = await hostile();
    const c = client(server.url, { maxQueuedEvents: 100 });
    await c.connect();
    const ws = server.sockets[0]!;
    const iterator = c.events();
    for (let i = 0; i < FLOOD; i++) ws.send(event(i));
    let expected = 0;
    let maxQueued = 0;
    let serverHeldBack = false;
    let maxServerBuffered = 0;
    for await (const e of iterator) {
      maxQueued = Math.max(maxQueued, (iterator as unknown as { size: number }).size);
      maxServerBuffered = Math.max(maxServerBuffered, ws.bufferedAmount);
      if (ws.bufferedAmount > 0) serverHeldBack = true;
      if (e.type === 'session.created') continue;
      assert.equal((e as { event_id?: string }).event_id, `event_${expected}`, 'in order, none lost');
      expected++;
      if (expected % 1000 === 0) await sleep(5); // a slow reader
      if (expected === FLOOD) break;
    }
    t.diagnostic(`events=${expected} maxQueued=${maxQueued} (maxQueuedEvents 100) maxServerBufferedMB=${(maxServerBuffered / 1024 / 1024).toFixed(2)} rssMB=${(process.memoryUsage().rss / 1024 / 1024).toFixed(1)}`);
    assert.equal(expected, FLOOD);
    // ws pauses the socket, but the chunk it is parsing is finished: up to ~64 KiB of events more.
    assert.ok(maxQueued < 100 + 100, `the queue stayed bounded (max ${maxQueued})`);
    assert.ok(serverHeldBack, 'the server was held back by TCP backpressure');
    await settles(c.close(), 2000, 'close');
  });

  test('a listener sees every event of a flood of audio deltas; close() during a paused flood ends in time', async (t) => {
    const server = await hostile();
    const c = client(server.url, { maxQueuedEvents: 50 });
    await c.connect();
    const ws = server.sockets[0]!;
    const delta = Buffer.alloc(3200).toString('base64');
    let seen = 0;
    let last = -1;
    let ordered = true;
    c.on('response.audio.delta', (e) => {
      const n = Number(e.item_id.slice(5));
      if (n !== last + 1) ordered = false;
      last = n;
      seen++;
    });
    for (let i = 0; i < 5000; i++) ws.send(JSON.stringify({ event_id: `e${i}`, type: 'response.audio.delta', response_id: 'resp_1', item_id: `item_${i}`, output_index: 0, content_index: 0, delta }));
    await eventually(() => seen === 5000, 10_000, 'every delta delivered');
    assert.ok(ordered, 'in order');
    // An iterator nobody reads pauses the socket; a flood keeps coming; close() must still finish.
    c.events();
    for (let i = 0; i < 2000; i++) ws.send(event(i));
    await sleep(50);
    const closed = await settles(c.close(), 3000, 'close during a paused flood');
    t.diagnostic(`deltas=${seen} closeDuringPausedFloodMs=${Math.round(closed.ms)}`);
    assert.ok(closed.ms < 500, `close took ${Math.round(closed.ms)} ms (closeMs is 1000: the close frame was read, not waited out)`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('frames of 16 MiB', () => {
  const SIXTEEN_MIB = 16 * 1024 * 1024;
  // Varied bytes (not one repeated value), so that "intact" is checked byte for byte below.
  const bigDelta = (bytes: number) => {
    const pcm = Buffer.alloc(Math.floor((bytes - 200) / 4) * 3);
    for (let i = 0; i < pcm.length; i++) pcm[i] = (i * 131 + (i >> 9)) & 255;
    return pcm.toString('base64');
  };

  test('a 16 MiB frame is delivered intact; past maxPayloadBytes the socket closes with 1009 and a session ends', async (t) => {
    const server = await hostile();
    const c = client(server.url);
    await c.connect();
    const delta = bigDelta(SIXTEEN_MIB);
    const frame = JSON.stringify({ event_id: 'e1', type: 'response.audio.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta });
    assert.ok(frame.length >= SIXTEEN_MIB - 256 && frame.length <= SIXTEEN_MIB);
    const got = c.waitFor('response.audio.delta', { timeoutMs: 10_000 });
    const sentAt = performance.now();
    server.sockets[0]!.send(frame);
    const event = await got;
    t.diagnostic(`frameBytes=${frame.length} deliveredMs=${Math.round(performance.now() - sentAt)} rssMB=${(process.memoryUsage().rss / 1024 / 1024).toFixed(1)}`);
    assert.ok(event.delta === delta, 'the 16 MiB delta arrived byte for byte');
    server.sockets[0]!.send(JSON.stringify({ event_id: 'e2', type: 'input_audio_buffer.cleared' }));
    await c.waitFor('input_audio_buffer.cleared', { timeoutMs: 2000 });

    const small = client(server.url, { maxPayloadBytes: 8 * 1024 * 1024 });
    await small.connect();
    const closed = small.waitFor('response.done', { timeoutMs: 10_000 });
    server.sockets[1]!.send(frame);
    await rejectsWithin(closed, 10_000, 'waitFor on a client whose limit is passed', isConnErr(1009));
    await c.close();

    const s = session(server.url, { maxPayloadBytes: 8 * 1024 * 1024, session: {} });
    await s.connect();
    const [error] = await Promise.all([next<Error>(s, 'error', 10_000), new Promise((r) => setTimeout(r, 10)).then(() => server.sockets.at(-1)!.send(frame))]);
    assert.ok(isConnErr(1009)(error), 'a frame too large is not retried');
    await eventually(() => s.state === 'closed', 2000, 'session closed');
  });

  test('a client frame above the simulator limit gets an error event, and the session carries on', async () => {
    const simulator = await sim();
    const c = client(simulator.url);
    await c.connect();
    const error = c.waitFor('error', { timeoutMs: 10_000 });
    await c.appendAudio(new Int16Array(6_500_000)); // 13 MB of PCM: 17.3 MB of base64 in one frame
    const e = await error;
    assert.equal(e.error.type, 'invalid_request_error');
    assert.match(e.error.message, /limit of 16777216 bytes/);
    await c.appendAudio(new Int16Array(16_000));
    c.commitAudio();
    c.createResponse();
    const done = await c.waitFor('response.done', { timeoutMs: 10_000 });
    assert.equal(done.response.status, 'completed');
    await c.close();
  });
});

// ---------------------------------------------------------------------------------------------

describe('server error events', () => {
  // §4.1 and §0.1.3: the only realtime code documented (invalid_value), the empty code, and the
  // generic DashScope codes that may appear.
  const CODES = ['invalid_value', '', 'InvalidApiKey', 'AccessDenied', 'AccessDenied.Unpurchased', 'Model.AccessDenied', 'Workspace.AccessDenied', 'ModelNotFound', 'InvalidParameter', 'Throttling', 'Throttling.RateQuota', 'Throttling.AllocationQuota', 'Arrearage', 'DataInspectionFailed', 'BadRequest.EmptyModel', 'UnsupportedOperation'];

  test(`every code (${CODES.length}) as the answer to a request: a ServerError with its code, and the session goes on`, async () => {
    let failNext: string | undefined;
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type !== 'session.update') return;
      if (failNext === undefined) ws.send(JSON.stringify(sessionUpdated()));
      else ws.send(JSON.stringify({ event_id: 'event_err', type: 'error', error: { type: 'invalid_request_error', code: failNext, message: `refused: ${failNext || 'no code'}`, param: 'session.voice', event_id: frame.event_id } }));
    });
    const c = client(server.url);
    await c.connect();
    const events: string[] = [];
    c.on('error', (e) => events.push(e.error.code ?? ''));
    const baseline = listenerCounts(c);
    for (const code of CODES) {
      failNext = code;
      const error = await rejectsWithin<ServerError>(c.updateSession({ instructions: 'x' }), 2000, `update answered with ${code || '""'}`, (e) => e instanceof ServerError);
      assert.equal(error.code, code || 'invalid_request_error', 'the code, or the type when the code is empty');
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, 'session.voice');
      assert.ok(error.eventId?.startsWith('event_'), 'matched by event_id');
      failNext = undefined;
      await settles(c.updateSession({ instructions: 'y' }), 2000, `the next update after ${code}`);
    }
    assert.deepEqual(events, CODES);
    assert.deepEqual(listenerCounts(c), baseline);
    assert.equal(c.state, 'open');
    await c.close();
  });

  test('every code unsolicited: a typed error event on the session, which stays open and answers the next turn', async () => {
    // After session.created, before session.updated: the error arrives while the session connects.
    const simulator = await sim({ faults: (info) => ({ errorAfterEvents: 1, error: { type: 'invalid_request_error', code: CODES[info.index] ?? '' }, keepOpenAfterError: true }) });
    for (let i = 0; i < CODES.length; i++) {
      const s = session(simulator.url, { reconnect: false });
      const error = next<ServerError>(s, 'error', 3000);
      await s.connect();
      const e = await error;
      assert.ok(e instanceof ServerError);
      assert.equal(e.code, CODES[i] || 'invalid_request_error');
      assert.equal(s.state, 'open');
      assert.equal((await s.ask('and now?').done).status, 'completed');
      await s.close();
    }
  });

  test('server_error: the server closes (1011), the session reports it and reconnects', async () => {
    // After session.updated (event 2): the server_error, then the 1011 close.
    const simulator = await sim({ faults: (info) => (info.index === 0 ? { errorAfterEvents: 2, error: { type: 'server_error', code: 'internal_error', message: 'Internal service error: injected' } } : undefined) });
    const s = session(simulator.url);
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    const reconnecting = next<{ error: Error }>(s, 'reconnecting', 5000);
    await s.connect();
    const info = await reconnecting;
    assert.ok(isConnErr(1011)(info.error), 'reconnecting after the 1011 close');
    await next(s, 'reconnected', 5000);
    assert.ok(errors[0] instanceof ServerError && errors[0].type === 'server_error', 'the server_error was reported first');
    assert.equal((await s.ask('hello again').done).status, 'completed');
  });
});
