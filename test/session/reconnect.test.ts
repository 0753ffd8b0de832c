import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthenticationError, ConnectionError, RealtimeClient, RealtimeSession, TimeoutError, ValidationError, type ReconnectedInfo, type RealtimeSessionOptions, type Session, type SessionConfig } from '../../src/index.js';
import { backoffDelay, isRetryable } from '../../src/session/reconnect.js';
import { MODEL, closeAfter, once, session, simulator, sleep, within } from './helpers.js';

test('fatal and retryable failures', () => {
  const response = (status: number) => ({ status, body: '', requestIds: {} });
  assert.equal(isRetryable(new AuthenticationError('no', response(401))), false);
  assert.equal(isRetryable(new ValidationError('no', 'x')), false);
  assert.equal(isRetryable(new ConnectionError('bad request', 'handshake_failed', { response: response(400) })), false);
  assert.equal(isRetryable(new ConnectionError('throttled', 'handshake_failed', { response: response(429) })), true);
  assert.equal(isRetryable(new ConnectionError('down', 'handshake_failed', { response: response(503) })), true);
  assert.equal(isRetryable(new ConnectionError('dropped', 'connection_closed', { closeCode: 1006 })), true);
  assert.equal(isRetryable(new ConnectionError('server error', 'connection_closed', { closeCode: 1011 })), true);
  assert.equal(isRetryable(new ConnectionError('policy', 'connection_closed', { closeCode: 1008 })), false);
  assert.equal(isRetryable(new TimeoutError('connect', 10)), true);
});

test('backoff grows exponentially with full jitter, capped', () => {
  assert.equal(backoffDelay(1, { baseDelayMs: 100 }, () => 0), 50);
  assert.equal(backoffDelay(1, { baseDelayMs: 100 }, () => 1), 100);
  assert.equal(backoffDelay(4, { baseDelayMs: 100 }, () => 1), 800);
  assert.equal(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 2000 }, () => 1), 2000);
});

// ---- end to end, against the simulator over a real socket ------------------------------------

describe('ask() while the session reconnects', () => {
  test('is queued and answered on the new connection; whenReady() waits for it', async () => {
    const { sim } = await simulator({ faults: (info) => (info.index === 0 ? { dropAfterMs: 150 } : { delayMs: 0 }) });
    const s = await session(sim.url, { session: { turn_detection: null }, reconnect: { baseDelayMs: 200, maxDelayMs: 300 } });
    await once((fn) => s.on('reconnecting', fn), 3000);
    assert.equal(s.state, 'reconnecting');
    const turn = s.ask('Hello after the drop'); // no ConnectionError
    const ready = s.whenReady({ timeoutMs: 5000 });
    const result = await within(turn.done, 5000, 'the queued turn');
    assert.equal(result.status, 'completed');
    assert.match(result.transcript, /Hello after the drop/);
    await ready;
    assert.equal(s.state, 'open');
  });

  test('fails with a typed error only when reconnecting fails for good', async () => {
    const { sim } = await simulator({
      faults: (info) => (info.index === 0 ? { dropAfterMs: 150 } : { refuseHandshake: { status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' } }),
    });
    const s = await session(sim.url, { session: { turn_detection: null }, reconnect: { baseDelayMs: 200 } });
    s.on('error', () => {});
    await once((fn) => s.on('reconnecting', fn), 3000);
    const turn = s.ask('Hello');
    const ready = s.whenReady();
    const result = await within(turn.done, 5000, 'the queued turn');
    assert.equal(result.status, 'failed');
    assert.ok(result.error instanceof ConnectionError, `typed: ${String(result.error)}`);
    await assert.rejects(ready, ConnectionError);
    assert.equal(s.state, 'closed');
    assert.throws(() => s.ask('again'), ConnectionError);
  });

  test('a `while (…) await session.ask(…).done` loop survives rollovers', async () => {
    const { sim } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null }, maxSessionMs: 900, rolloverMarginMs: 600, reconnect: { baseDelayMs: 10 } });
    const reasons: string[] = [];
    s.on('reconnected', (r) => reasons.push(r.reason));
    const statuses: string[] = [];
    const started = performance.now();
    for (let i = 0; i < 50 && (reasons.length < 2 || statuses.length < 4); i++) {
      statuses.push((await within(s.ask(`Question ${i}`).done, 5000, `turn ${i}`)).status);
      await sleep(60);
      assert.ok(performance.now() - started < 20_000, 'bounded');
    }
    assert.ok(reasons.length >= 2 && reasons.every((r) => r === 'rollover'), `rollovers: ${reasons.join(',')}`);
    assert.ok(statuses.every((x) => x === 'completed'), statuses.join(','));
  });
});

describe('rollover', () => {
  test('happens before the cap when idle too', async () => {
    const { sim, frames } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null, instructions: 'Be brief.' }, maxSessionMs: 600, rolloverMarginMs: 300, reconnect: { baseDelayMs: 10 } });
    const info = await once<ReconnectedInfo>((fn) => s.on('reconnected', fn), 5000);
    assert.equal(info.reason, 'rollover');
    assert.equal(s.state, 'open');
    assert.equal(frames.filter((f) => f.index === 1 && f.type === 'session.update').length, 1, 'configuration replayed');
  });

  test('never in the middle of a reply: it waits for the turn to end', async () => {
    const { sim } = await simulator({ speed: 1, responder: () => ({ text: 'A reply that takes a second or two to speak out loud.' }) });
    // Due 500 ms after the connection opened: while the reply below is being spoken.
    const s = await session(sim.url, { session: { turn_detection: null }, maxSessionMs: 1500, rolloverMarginMs: 1000, reconnect: { baseDelayMs: 10 } });
    const order: string[] = [];
    s.on('reconnecting', () => order.push('reconnecting'));
    s.on('item_added', (item) => item.type === 'assistant' && order.push('reply started'));
    const turn = s.ask('Hello');
    void turn.done.then(() => order.push('turn done'));
    const result = await within(turn.done, 10_000, 'turn');
    assert.equal(result.status, 'completed');
    await once((fn) => s.on('reconnected', fn), 5000);
    const started = order.indexOf('reply started');
    assert.ok(started >= 0 && order.indexOf('turn done') === started + 1, `no rollover while the reply ran: ${order.join(', ')}`);
  });
});

describe('inactivity close (§0.2.11)', () => {
  test('the service closes for inactivity: no reconnect loop; the next ask() reconnects and is answered', async () => {
    const message = 'Your session was closed because no response was generated for 180 seconds.';
    const { sim, frames } = await simulator({ faults: (info) => (info.index === 0 ? { errorAfterEvents: 2, error: { type: 'server_error', code: 'InternalError', message } } : undefined) });
    const s = await session(sim.url, { session: { turn_detection: null }, reconnect: { baseDelayMs: 10 } });
    const errors: string[] = [];
    s.on('error', (e) => errors.push(e.message));
    const suspended = await once<{ error: Error }>((fn) => s.on('suspended', fn), 3000);
    assert.match(suspended.error.message, /no response was generated/);
    assert.equal(s.state, 'suspended');
    await sleep(300);
    assert.equal(new Set(frames.map((f) => f.index)).size, 1, 'no reconnect by itself');
    const turn = s.ask('Are you there?');
    const result = await within(turn.done, 5000, 'the turn after the suspension');
    assert.equal(result.status, 'completed');
    assert.equal(s.state, 'open');
    assert.deepEqual(errors, [], 'an expected inactivity close is not an error');
  });
});

describe('a close while connect() is still finishing', () => {
  /** A session that is not connected yet, closed after the file. */
  function unconnected(url: string, options: Partial<RealtimeSessionOptions> = {}) {
    const s = new RealtimeSession({ apiKey: 'sk-test', url, model: MODEL, keepaliveMs: false, logger: { warn: () => {} }, session: { turn_detection: null }, reconnect: { baseDelayMs: 10 }, ...options });
    closeAfter(() => s.close());
    const reconnected: ReconnectedInfo[] = [];
    const errors: Error[] = [];
    s.on('reconnected', (r) => reconnected.push(r));
    s.on('error', (e) => errors.push(e));
    return { s, reconnected, errors };
  }

  test('after session.created, before the session.update is answered: connect() reconnects and resolves (the handshake worked)', async () => {
    const { sim, frames } = await simulator({ faults: (info) => (info.index === 0 ? { closeAfterEvents: 1, closeCode: 1011, closeReason: 'bye' } : undefined) });
    const { s, reconnected, errors } = unconnected(sim.url);
    await within(s.connect(), 5000, 'connect');
    assert.equal(s.state, 'open');
    assert.deepEqual(reconnected.map((r) => [r.reason, r.attempt]), [['dropped', 1]]);
    assert.ok(frames.some((f) => f.index === 1 && f.type === 'session.update'), 'the configuration is sent on the new connection');
    assert.equal((await within(s.ask('Still there?').done, 5000, 'turn')).status, 'completed');
    assert.deepEqual(errors, []);
  });

  test('after session.created with reconnect: false: connect() rejects with the close', async () => {
    const { sim } = await simulator({ faults: (info) => (info.index === 0 ? { closeAfterEvents: 1, closeCode: 1011, closeReason: 'bye' } : undefined) });
    const { s } = unconnected(sim.url, { reconnect: false });
    await assert.rejects(within(s.connect(), 5000, 'connect'), ConnectionError);
    assert.equal(s.state, 'closed');
  });

  test('before session.created: connect() rejects (nothing was established)', async () => {
    const { sim, frames } = await simulator({ faults: (info) => (info.index === 0 ? { dropAfterEvents: 0 } : undefined) });
    const { s, reconnected } = unconnected(sim.url);
    await assert.rejects(within(s.connect(), 5000, 'connect'), ConnectionError);
    assert.equal(s.state, 'closed');
    await sleep(100);
    assert.deepEqual(reconnected, []);
    assert.equal(new Set(frames.map((f) => f.index)).size <= 1, true, 'no second connection');
  });

  test('right after session.updated, before connect() returned: the close is not lost, the session reconnects', async () => {
    // The session.updated answer reaches connect() a moment after it arrived (a loaded machine):
    // the close that follows at once lands in that moment.
    class SlowAnswer extends RealtimeClient {
      override async updateSession(config: SessionConfig): Promise<Session> {
        const answer = await super.updateSession(config);
        await sleep(150);
        return answer;
      }
    }
    const { sim } = await simulator({ faults: (info) => (info.index === 0 ? { closeAfterEvents: 2, closeCode: 1011, closeReason: 'bye' } : undefined) });
    const { s, reconnected, errors } = unconnected(sim.url, { transport: (options) => new SlowAnswer(options) });
    await within(s.connect(), 5000, 'connect');
    assert.deepEqual(reconnected.map((r) => r.reason), ['dropped']);
    assert.equal(s.state, 'open');
    assert.equal(s.client.isConnected, true, 'the session is on a live connection');
    assert.equal((await within(s.ask('Still there?').done, 5000, 'turn')).status, 'completed');
    assert.deepEqual(errors, []);
  });
});
