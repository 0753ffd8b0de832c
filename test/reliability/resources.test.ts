/**
 * Resources (issue 7): connect/close cycles with heap and handles measured, and the known
 * suspects — a ping that times out, close() while connecting, waits and timers after close,
 * close() during a reconnect's backoff, an iterator nobody reads — each checked for what it
 * leaves behind: handles, listeners, timers, promises that never settle.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { AbortError, ConnectionError, ProtocolError, RealtimeClient, RealtimeSession, TimeoutError, type RealtimeClientOptions } from '../../src/index.js';
import {
  checkEachTest,
  closeAfterAll,
  eventually,
  hostile,
  listenerCounts,
  nextEvent,
  noLeakSince,
  rejectsWithin,
  resources,
  sessionUpdated,
  settledHeap,
  settles,
  sim,
  sleep,
  startHostileServer,
} from './harness.js';
import { scriptedTransport, sessionCreated } from '../../src/testing/index.js';

checkEachTest();
const MODEL = 'qwen3.5-omni-plus-realtime';
const quiet = { warn: () => {} };



function client(url: string, options: Partial<RealtimeClientOptions> = {}): RealtimeClient {
  return new RealtimeClient({ url, apiKey: 'sk-resources', model: MODEL, logger: quiet, ...options });
}

const MB = 1024 * 1024;
/**
 * Enough cycles to show a per-cycle leak in a second or so; the full count of issue 7 (10,000
 * cycles, over a minute on a loaded 2-core machine) runs in `npm run soak`.
 */
const CYCLES = 1_000;

describe('connect and close cycles', () => {
  test(`${CYCLES} connect/close cycles against the simulator: heap and handles back where they were`, async (t) => {
    const simulator = await sim();
    const opts = { url: simulator.url, apiKey: 'sk-resources', model: MODEL, logger: quiet };
    // Warm-up: loading ws and compiling the paths is not growth.
    for (let i = 0; i < 500; i++) {
      const c = new RealtimeClient(opts);
      await c.connect();
      await c.close();
    }
    await eventually(() => simulator.connections.length === 0, 2000, 'warm-up connections closed');
    const handlesBefore = resources();
    const heapBefore = await settledHeap();
    const started = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      const c = new RealtimeClient(opts);
      await c.connect();
      await c.close();
    }
    const ms = performance.now() - started;
    await eventually(() => simulator.connections.length === 0, 2000, 'the server side closed every connection');
    await noLeakSince(handlesBefore, `${CYCLES} cycles`);
    const heapAfter = await settledHeap();
    const growth = (heapAfter - heapBefore) / MB;
    t.diagnostic(`cycles=${CYCLES} ms=${Math.round(ms)} perCycleMs=${(ms / CYCLES).toFixed(2)} heapBeforeMB=${(heapBefore / MB).toFixed(2)} heapAfterMB=${(heapAfter / MB).toFixed(2)} handlesBefore=${JSON.stringify(handlesBefore)} handlesAfter=${JSON.stringify(resources())}`);
    // A leak of one client per cycle (its emitter, options and closures: several KB) would be
    // several MB; JIT caches settle at about 0.8 MB (measured). The bound catches a leak of
    // 2 KB per cycle; the soak's 10,000 cycles catch 200 bytes.
    assert.ok(growth < 2, `heap grew ${growth.toFixed(2)} MB over ${CYCLES} cycles`);
  });

  test('one client reused 1000 times, with waits that time out, abort and resolve: its listener counts stay flat', async (t) => {
    const simulator = await sim();
    const c = client(simulator.url);
    await c.connect();
    const baseline = listenerCounts(c);
    await c.close();
    const cycle = async (i: number) => {
      await c.connect();
      const abort = new AbortController();
      const waits = [c.waitFor('response.done', { timeoutMs: 1 }), c.waitFor('response.done', { signal: abort.signal }), c.waitFor('session.updated', { timeoutMs: 5000 })];
      abort.abort();
      c.send({ type: 'session.update', session: { instructions: `${i}` } });
      await Promise.allSettled(waits);
      if (i % 2) await c.finish();
      else await c.close();
    };
    // Warm-up: compiling these paths is not growth.
    for (let i = 0; i < 200; i++) await cycle(i);
    const heapBefore = await settledHeap();
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await cycle(i);
    const ms = performance.now() - started;
    await c.connect();
    const heapAfter = await settledHeap();
    t.diagnostic(`reuses=1000 ms=${Math.round(ms)} heapBeforeMB=${(heapBefore / MB).toFixed(2)} heapAfterMB=${(heapAfter / MB).toFixed(2)} listenersBaseline=${JSON.stringify(baseline)} listenersAfter=${JSON.stringify(listenerCounts(c))}`);
    assert.deepEqual(listenerCounts(c), baseline);
    // Measured after the warm-up: under 1 MB either way. Keeping each reuse's socket or waits
    // (several KB each) would pass 2 MB; listener leaks are caught by the counts above.
    assert.ok(heapAfter - heapBefore < 2 * MB, `heap grew ${((heapAfter - heapBefore) / MB).toFixed(2)} MB over 1000 reuses`);
    await c.close();
  });
});

/** Polls until `get()` returns a value (bounded by the caller's settles). */
async function eventuallyDefined<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = get();
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error('never defined');
}

// ---------------------------------------------------------------------------------------------

describe('the known suspects', () => {
  test('a reused client whose next connect fails before the socket opens ends its iterators and waits at once', async () => {
    let calls = 0;
    const c = new RealtimeClient({
      apiKey: async () => {
        if (++calls === 2) throw new Error('vault down');
        return 'sk-resources-0000';
      },
      socketFactory: scriptedTransport([{ emit: [sessionCreated()] }]).factory,
      logger: { warn: () => {} },
    });
    await c.connect();
    await c.close();
    const closes: number[] = [];
    c.on('close', (info) => closes.push(info.code));
    const connecting = c.connect();
    const iterator = c.events();
    const wait = c.waitFor('session.created', { timeoutMs: 5000 });
    await rejectsWithin(connecting, 1000, 'the failing connect', (e: Error) => /vault down/.test(e.message));
    const ended = await settles(iterator.next(), 200, 'the iterator');
    assert.ok(ended.status === 'fulfilled' && ended.value.done === true, 'the iterator ended');
    await rejectsWithin(wait, 200, 'the wait', (e) => e instanceof ConnectionError);
    assert.equal(closes.length, 1, 'one close event');
    assert.equal(c.state, 'closed');
  });

  test('close() in the ticks between session.created and connect() resolving still closes the client', async () => {
    for (let ticks = 0; ticks < 8; ticks++) {
      const c = new RealtimeClient({ apiKey: 'sk-resources-0000', socketFactory: scriptedTransport([{ emit: [sessionCreated()] }]).factory, logger: { warn: () => {} } });
      let closing: Promise<void> | undefined;
      c.on('session.created', () => {
        let p = Promise.resolve();
        for (let i = 0; i < ticks; i++) p = p.then(() => {});
        void p.then(() => (closing = c.close()));
      });
      const r = await settles(c.connect(), 1000, `connect (${ticks} ticks)`);
      await settles(eventuallyDefined(() => closing), 1000, 'close() called');
      await settles(closing!, 2000, 'close()');
      assert.equal(c.state, 'closed', `close() ${ticks} ticks after session.created left the client ${c.state} (connect ${r.status})`);
    }
  });

  test('an iterator that fills while the client is closing does not pause reading again (the close frame is read)', async () => {
    let handlers: { onText(text: string): void; onClose(code: number, reason: string): void } | undefined;
    const log: string[] = [];
    const c = new RealtimeClient({
      apiKey: 'sk-resources-0000',
      maxQueuedEvents: 4,
      logger: { warn: () => {} },
      socketFactory: async (_options, h) => {
        handlers = h;
        queueMicrotask(() => h.onText(JSON.stringify(sessionCreated())));
        return { isOpen: true, bufferedAmount: 0, send() {}, close: () => log.push('close'), terminate: () => log.push('terminate'), pause: () => log.push('pause'), resume: () => log.push('resume') };
      },
    });
    await c.connect();
    const event = (i: number) => JSON.stringify({ type: 'input_audio_buffer.cleared', event_id: `e${i}` });
    const a = c.events();
    for (let i = 0; i < 2; i++) handlers!.onText(event(i));
    const b = c.events();
    for (let i = 2; i < 4; i++) handlers!.onText(event(i)); // a is full: pause
    const closing = c.close(); // resumes, to read the close frame
    for (let i = 4; i < 6; i++) handlers!.onText(event(i)); // b is full now, while closing
    assert.deepEqual(log, ['pause', 'resume', 'close'], 'no second pause while closing');
    handlers!.onClose(1000, '');
    await settles(closing, 500, 'close()');
    await a.return?.();
    await b.return?.();
  });

  test('ping: a timed-out ping leaves no pong listener (no MaxListeners warning after 20); a pending ping rejects at once on close', async () => {
    const before = resources();
    const server = await startHostileServer((up) => void up.accept({ autoPong: false }));
    const c = client(server.url);
    await c.connect();
    for (let i = 0; i < 20; i++) await rejectsWithin(c.ping(10), 1000, `ping ${i}`, (e) => e instanceof TimeoutError);
    const pending = c.ping(60_000);
    server.sockets[0]!.terminate();
    const e = await rejectsWithin<ConnectionError>(pending, 1000, 'a ping pending at the close', (x) => x instanceof ConnectionError);
    assert.equal(e.closeCode, 1006);
    await server.close();
    // A 60 s ping timer left behind would show here.
    await noLeakSince(before, 'pings');
  });

  test('close() during connect — in the apiKey function, the handshake, the wait for session.created — aborts it and leaves nothing open', async () => {
    const before = resources();
    let phase: 'hang' | 'silent' = 'hang';
    const server = await startHostileServer((up) => (phase === 'hang' ? up.hang() : void up.accept({ sessionCreated: false })));
    const phases: Array<[string, Partial<RealtimeClientOptions>, () => void]> = [
      ['the apiKey function', { apiKey: () => new Promise<string>((r) => setTimeout(() => r('sk-late'), 300)) }, () => {}],
      ['the handshake', {}, () => (phase = 'hang')],
      ['the wait for session.created', {}, () => (phase = 'silent')],
    ];
    for (const [name, options, setup] of phases) {
      setup();
      const c = client(server.url, { timeouts: { connectMs: 10_000 }, ...options });
      const connecting = c.connect();
      const tcp = server.tcpConnections;
      await sleep(name === 'the apiKey function' ? 20 : 0);
      if (name !== 'the apiKey function') await eventually(() => server.tcpConnections > tcp || server.upgrades.length > 0, 2000, 'connecting');
      if (name === 'the wait for session.created') await eventually(() => server.sockets.length > 0, 2000, 'upgraded');
      const closing = c.close();
      await rejectsWithin(connecting, 1000, `connect, closed during ${name}`, (e) => e instanceof AbortError);
      await settles(closing, 1000, `close during ${name}`);
      assert.equal(c.state, 'closed');
      assert.equal(c.isConnected, false);
      await sleep(350); // the late key arrives: no connection may be made with it
    }
    assert.equal(server.sockets.filter((ws) => ws.readyState === 1).length, 0, 'no socket left open on the server');
    await server.close();
    await noLeakSince(before, 'close during connect');
    // The client is usable again afterwards.
    const simulator = await sim();
    const c = client(simulator.url);
    const p = c.connect();
    await c.close();
    await rejectsWithin(p, 1000, 'aborted', (e) => e instanceof AbortError);
    await settles(c.connect(), 2000, 'connect after an aborted connect');
    await c.close();
  });

  test('waits, requests and pings pending at close all settle at once, and leave no timer', async () => {
    const server = await hostile((up) => void up.accept({ autoPong: false }));
    const c = client(server.url, { timeouts: { requestMs: 60_000 } });
    await c.connect();
    const before = resources();
    const baseline = listenerCounts(c);
    const pending = [c.waitFor('response.done', { timeoutMs: 60_000 }), c.waitFor('response.done', { timeoutMs: Infinity }), c.updateSession({ instructions: 'x' }), c.ping(60_000)];
    const closing = c.close();
    for (const [i, p] of pending.entries()) await rejectsWithin(p, 1000, `pending #${i}`, (e) => e instanceof ConnectionError);
    await settles(closing, 1000, 'close');
    await rejectsWithin(c.waitFor('response.done'), 100, 'waitFor after close', (e) => e instanceof ConnectionError);
    await rejectsWithin(c.updateSession({ instructions: 'x' }), 100, 'updateSession after close', (e) => e instanceof ConnectionError);
    await rejectsWithin(c.ping(), 100, 'ping after close', (e) => e instanceof ConnectionError);
    assert.ok(Object.entries(listenerCounts(c)).every(([k, n]) => n <= (baseline[k] ?? 0)));
    assert.ok((resources().Timeout ?? 0) <= (before.Timeout ?? 0), `no timer left: ${JSON.stringify(resources())}`);
  });

  test('an iterator that never reads: after readerStallMs it ends with queue_overflow, reading resumes, listeners and close are unaffected', async (t) => {
    const server = await hostile();
    const c = client(server.url, { maxQueuedEvents: 20, timeouts: { readerStallMs: 200 } });
    await c.connect();
    const ws = server.sockets[0]!;
    const forgotten = c.events();
    const reader = c.events();
    let seen = 0;
    c.on('input_audio_buffer.cleared', () => seen++);
    for (let i = 0; i < 500; i++) ws.send(JSON.stringify({ event_id: `e${i}`, type: 'input_audio_buffer.cleared' }));
    // The live reader reads everything; the forgotten one holds reading paused until the stall.
    let read = 0;
    for await (const e of reader) {
      if (e.type === 'input_audio_buffer.cleared') read++;
      if (read === 500) break;
    }
    assert.equal(seen, 500, 'every listener call happened');
    // On loopback all 500 frames may be parsed before the pause takes hold, so the reader can be
    // done before the stall; the forgotten iterator is ended only once readerStallMs has passed
    // (reading from it earlier would count as progress).
    await sleep(400);
    await rejectsWithin(forgotten.next(), 100, 'the forgotten iterator', (e: ProtocolError) => e instanceof ProtocolError && e.code === 'queue_overflow' && /read nothing for 200 ms/.test(e.message));
    const late = c.waitFor('session.updated', { timeoutMs: 1000 });
    ws.send(JSON.stringify(sessionUpdated()));
    await settles(late, 1000, 'a wait after the stall');
    const closed = await settles(c.close(), 1000, 'close');
    t.diagnostic(`closeMs=${Math.round(closed.ms)}`);
    assert.ok(closed.ms < 500);
  });

  test('an iterator left with break resumes reading at once; one created before a failed connect ends', async () => {
    const server = await hostile();
    const c = client(server.url, { maxQueuedEvents: 10 });
    await c.connect();
    const ws = server.sockets[0]!;
    for (let i = 0; i < 100; i++) ws.send(JSON.stringify({ event_id: `e${i}`, type: 'input_audio_buffer.cleared' }));
    for await (const e of c) {
      if (e.type === 'input_audio_buffer.cleared') break;
    }
    const after = c.waitFor('input_audio_buffer.cleared', { timeoutMs: 1000, filter: (e) => (e as { event_id?: string }).event_id === 'last' });
    ws.send(JSON.stringify({ event_id: 'last', type: 'input_audio_buffer.cleared' }));
    await settles(after, 1000, 'events after the break');
    await c.close();

    const refused = await hostile((up) => up.refuse(401, '{"code":"InvalidApiKey"}'));
    const d = client(refused.url);
    const early = d.events();
    const infinite = d.waitFor('session.created', { timeoutMs: Infinity });
    await rejectsWithin(d.connect(), 2000, 'connect', (e) => e.name === 'AuthenticationError');
    const ended = await settles(early.next(), 500, 'an iterator created before the failed connect');
    assert.deepEqual(ended.status === 'fulfilled' && ended.value, { value: undefined, done: true });
    await rejectsWithin(infinite, 500, 'a wait without timeout created before the failed connect', (e) => e instanceof ConnectionError);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the session', () => {
  test('close() during the backoff, the connect, the update and the reconnect: nothing comes back to life, no timer left', async () => {
    const before = resources();
    // What each upgrade gets, by its index: deterministic, so no timing decides the outcome.
    const plan = ['drop', 'silent', 'no-update', 'drop', 'hang', 'drop', 'no-update'] as const;
    const kind = new Map<WebSocket, (typeof plan)[number]>();
    const server = await startHostileServer(
      (up) => {
        const what = plan[up.index] ?? 'hang';
        if (what === 'hang') return up.hang();
        void up.accept({ sessionCreated: what !== 'silent' }).then((ws) => {
          kind.set(ws, what);
          if (what === 'drop') setTimeout(() => ws.terminate(), 60);
        });
      },
      (frame, ws) => {
        if (frame.type === 'session.update' && kind.get(ws) === 'drop') ws.send(JSON.stringify(sessionUpdated()));
      },
    );
    const make = (baseDelayMs: number) =>
      new RealtimeSession({ url: server.url, apiKey: 'sk-resources', model: MODEL, logger: quiet, keepaliveMs: 20, timeouts: { connectMs: 10_000, requestMs: 10_000 }, reconnect: { baseDelayMs, maxDelayMs: baseDelayMs }, session: { turn_detection: null, instructions: 'x' } });
    const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => e);
    let revived = 0;
    const closes: number[] = [];
    const watch = (s: RealtimeSession, i: number) => {
      s.on('reconnected', () => revived++);
      s.on('close', () => closes.push(i));
    };

    // 1. During a 5 s backoff (upgrade 0 is dropped after 60 ms).
    const a = make(5000);
    watch(a, 0);
    await a.connect();
    await nextEvent(a, 'reconnecting', 2000);
    await settles(a.close(), 1000, 'close during the backoff');

    // 2. During connect: waiting for session.created (upgrade 1), then for session.updated (2).
    const b = make(10);
    watch(b, 1);
    const bConnect = outcome(b.connect());
    await eventually(() => server.sockets.length === 2, 2000, 'upgrade 1 accepted');
    await settles(b.close(), 1000, 'close while waiting for session.created');
    assert.ok((await bConnect) instanceof AbortError, 'connect aborted');
    const c = make(10);
    watch(c, 2);
    const cConnect = outcome(c.connect());
    await eventually(() => server.frames.filter((f) => f.type === 'session.update').length === 2, 2000, 'update sent on upgrade 2');
    await settles(c.close(), 1000, 'close while waiting for session.updated');
    assert.ok((await cConnect) instanceof Error, 'connect failed');

    // 3. During a reconnect: its handshake (upgrade 4 hangs), then its update (upgrade 6).
    const d = make(1);
    watch(d, 3);
    await d.connect();
    await eventually(() => server.upgrades.length === 5, 2000, 'reconnect handshake in progress');
    await settles(d.close(), 1000, 'close during the reconnect handshake');
    const e = make(1);
    watch(e, 5);
    await e.connect();
    await eventually(() => server.frames.filter((f) => f.type === 'session.update').length === 5, 2000, 'reconnect update sent on upgrade 6');
    await settles(e.close(), 1000, 'close during the reconnect update');

    await sleep(300); // time for anything that would come back to life
    for (const s of [a, b, c, d, e]) {
      assert.equal(s.state, 'closed');
      assert.equal(s.client.isConnected, false);
    }
    assert.equal(revived, 0, 'no reconnect completed after a close');
    assert.deepEqual(closes.sort(), [0, 1, 2, 3, 5], 'one close each');
    assert.equal(server.sockets.filter((ws) => ws.readyState === ws.OPEN).length, 0, 'no socket left open');
    await server.close();
    await noLeakSince(before, 'session closes');
  });

  test('50 reconnects in a row: handles and the current client\u2019s listeners stay flat', async (t) => {
    // Each reconnect is dropped once session.created and session.updated are out, until 50 have
    // completed; the first connection is dropped by hand after the baseline. Never a timer: a
    // drop 15 ms after the upgrade raced the handshake on a loaded machine (the first connect
    // failed, or a reconnect died before `reconnected`, so 50 faults gave fewer than 50).
    let reconnects = 0;
    const simulator = await sim({ faults: (info) => (info.index > 0 && reconnects < 49 ? { dropAfterEvents: 2 } : undefined) });
    const s = new RealtimeSession({ url: simulator.url, apiKey: 'sk-resources', model: MODEL, logger: quiet, keepaliveMs: 1000, reconnect: { baseDelayMs: 1, maxDelayMs: 2 }, session: { turn_detection: null, instructions: 'x' } });
    closeAfterAll(() => s.close());
    await s.connect();
    const baseline = listenerCounts(s.client as RealtimeClient);
    const before = resources();
    s.on('reconnected', () => reconnects++);
    const started = performance.now();
    simulator.connections[0]!.terminate();
    await eventually(() => reconnects >= 50, 15_000, '50 reconnects');
    const ms = performance.now() - started;
    await sleep(50);
    t.diagnostic(`reconnects=${reconnects} ms=${Math.round(ms)} handlesBefore=${JSON.stringify(before)} handlesAfter=${JSON.stringify(resources())} listenersBaseline=${JSON.stringify(baseline)} listenersAfter=${JSON.stringify(listenerCounts(s.client as RealtimeClient))}`);
    assert.equal(s.state, 'open');
    assert.deepEqual(listenerCounts(s.client as RealtimeClient), baseline);
    await noLeakSince(before, '50 reconnects');
    assert.equal((await s.ask('still here?').done).status, 'completed');
  });
});

