/**
 * Fault injection, each kind observed by a raw client: dropped sockets, closes with a code,
 * injected `error` events, delayed events, malformed frames, refused handshakes, and the
 * per-connection selection (`setNextFaults`, a selector function).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { faultPresets, type ConnectionInfo } from '../../src/simulator/faults.js';
import { scriptedResponder } from '../../src/simulator/responder.js';
import { handshake, harness, sleep, type RawClient } from './helpers.js';

const h = harness();

describe('faults', () => {
  test('dropAfterEvents: the socket is dropped without a close frame after N events', async () => {
    const sim = await h.sim({ faults: { dropAfterEvents: 1 } });
    const c = await h.client(sim);
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1006);
    assert.deepEqual(c.types(), ['session.created']);
  });

  test('dropAfterMs: dropped after T ms', async () => {
    const sim = await h.sim({ faults: { dropAfterMs: 150 } });
    const started = Date.now();
    const c = await h.client(sim);
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1006);
    assert.ok(Date.now() - started >= 140);
  });

  test('closeAfterEvents and closeAfterMs: a close frame with the given code and reason', async () => {
    const sim = await h.sim({ faults: { closeAfterEvents: 1, closeCode: 4001, closeReason: 'planned' } });
    const c = await h.client(sim);
    assert.deepEqual(await c.waitClosed(), { code: 4001, reason: 'planned' });
    assert.deepEqual(c.types(), ['session.created']);
    const sim2 = await h.sim({ faults: { closeAfterMs: 100 } });
    const c2 = await h.client(sim2);
    assert.equal((await c2.waitClosed()).code, 1011);
  });

  test('errorAfterEvents: any error type/code/message; a server_error then closes', async () => {
    const sim = await h.sim({ faults: { errorAfterEvents: 1, error: { type: 'invalid_request_error', code: 'Throttling', message: 'Requests rate limit exceeded' } } });
    const c = await h.client(sim);
    const e = await c.waitFor('error');
    assert.deepEqual(c.types().slice(0, 2), ['session.created', 'error']);
    assert.deepEqual(e.error, { type: 'invalid_request_error', code: 'Throttling', message: 'Requests rate limit exceeded', param: '', event_id: '' });
    c.send({ type: 'session.update', session: {} });
    await c.waitFor('session.updated');
    const sim2 = await h.sim({ faults: { errorAfterEvents: 0 } });
    const c2 = await h.client(sim2);
    const e2 = await c2.waitFor('error');
    assert.equal(e2.error.type, 'server_error');
    assert.equal((await c2.waitClosed()).code, 1011);
  });

  test('delayMs: every event is delayed, order kept', async () => {
    const sim = await h.sim({ faults: { delayMs: 250 } });
    const started = Date.now();
    const c = await h.client(sim);
    await c.waitFor('session.created');
    assert.ok(Date.now() - started >= 240);
    c.send({ type: 'session.update', session: { turn_detection: null } });
    c.send({ type: 'response.create' });
    await c.waitFor('response.done');
    assert.deepEqual(c.types().slice(0, 3), ['session.created', 'session.updated', 'response.created']);
  });

  test('malformedAfterEvents: a text frame that is not JSON', async () => {
    const sim = await h.sim({ faults: { malformedAfterEvents: 1 } });
    const c = await h.client(sim);
    await c.waitFor('session.created');
    await sleep(50);
    assert.equal(c.frames.length, 2);
    assert.throws(() => JSON.parse(c.frames[1]!));
    c.send({ type: 'session.update', session: {} });
    await c.waitFor('session.updated');
  });

  test('refuseHandshake, setNextFaults (one connection only) and a selector by index and model', async () => {
    const seen: ConnectionInfo[] = [];
    const sim = await h.sim({
      faults: (info) => {
        seen.push(info);
        return info.index === 1 ? { refuseHandshake: { status: 503, code: 'ServiceUnavailable', message: 'busy' } } : undefined;
      },
    });
    const first = await h.client(sim);
    await first.waitFor('session.created');
    const refused = await handshake(`${sim.url}?model=qwen3.5-omni-plus-realtime`, { Authorization: 'Bearer k' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'ServiceUnavailable');
    sim.setNextFaults({ closeAfterEvents: 1, closeCode: 4002 });
    const third = await h.client(sim, { model: 'qwen3-omni-flash-realtime' });
    assert.equal((await third.waitClosed()).code, 4002);
    const fourth = await h.client(sim);
    await fourth.waitFor('session.created');
    await sleep(50);
    assert.equal(fourth.ws.readyState, fourth.ws.OPEN);
    assert.deepEqual(seen.map((s) => [s.index, s.model]), [[0, 'qwen3.5-omni-plus-realtime'], [1, 'qwen3.5-omni-plus-realtime'], [3, 'qwen3.5-omni-plus-realtime']]);
    assert.equal(sim.connectionCount, 4);
    assert.equal(sim.connections.length, 2);
    sim.connections.find((x) => x.index === 0)!.close(4005, 'by test');
    assert.deepEqual(await first.waitClosed(), { code: 4005, reason: 'by test' });
    sim.connections.find((x) => x.index === 3)!.terminate();
    assert.equal((await fourth.waitClosed()).code, 1006);
  });

  test('preset modelServingError (§0.2.27): COMMON_ERROR with the <50002> message, then 1011', async () => {
    const sim = await h.sim({ faults: faultPresets.modelServingError(1) });
    const c = await h.client(sim);
    assert.equal((await c.waitClosed()).code, 1011);
    assert.deepEqual(c.types(), ['session.created', 'error']);
    const e = c.events[1]!.error;
    assert.equal(e.type, 'server_error');
    assert.equal(e.code, 'COMMON_ERROR');
    assert.match(e.message, /^<50002> InternalError\.Algo\.ModelServingError: /);
  });

  test('preset quotaClose (§0.2.13): a close whose reason names insufficient_quota', async () => {
    const sim = await h.sim({ faults: faultPresets.quotaClose(1) });
    const c = await h.client(sim);
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /insufficient_quota/);
    assert.deepEqual(c.types(), ['session.created']);
  });
});

const LONG = 'This reply is long enough to stream for a while, so that another response can start before it ends.';

/** A text turn; resolves once a response.done arrived. */
async function textTurn(c: RawClient): Promise<void> {
  await c.waitFor('session.created');
  c.send({ type: 'session.update', session: { turn_detection: null } });
  await c.waitFor('session.updated');
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] } });
  c.send({ type: 'response.create' });
  await c.waitFor('response.done');
}

/** The first response was followed by a second without its own response.done (§0.2.8). */
function assertSuperseded(c: RawClient): void {
  const created = c.events.filter((e) => e.type === 'response.created');
  const done = c.events.filter((e) => e.type === 'response.done');
  assert.equal(created.length, 2);
  assert.deepEqual(done.map((e) => e.response.id), [created[1]!.response.id]);
  const first = created[0]!.response.id;
  const types = c.events.filter((e) => e.response_id === first || e.response?.id === first).map((e) => e.type);
  assert.ok(types.includes('response.audio.delta'), 'the first response had started streaming');
  assert.ok(!types.some((t) => t.endsWith('.done')), `no .done events for the superseded response: ${types.join(', ')}`);
}

describe('a response superseded by another, §0.2.8', () => {
  test('preset supersededResponse: mid-stream, a new response.created and no response.done for the old one', async () => {
    const sim = await h.sim({ speed: 4, responder: scriptedResponder([{ text: LONG }, { text: 'And the rest.' }]), faults: faultPresets.supersededResponse(10) });
    const c = await h.client(sim);
    await textTurn(c);
    assertSuperseded(c);
  });

  test('supersedeResponses: a response.create while one streams starts the next at once instead of being refused', async () => {
    const sim = await h.sim({ speed: 4, supersedeResponses: true, responder: scriptedResponder([{ text: LONG }, { text: 'And the rest.' }]) });
    const c = await h.client(sim);
    await c.waitFor('session.created');
    c.send({ type: 'session.update', session: { turn_detection: null } });
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] } });
    c.send({ type: 'response.create' });
    await c.waitFor('response.audio.delta');
    c.send({ type: 'response.create' });
    await c.waitFor('response.done');
    assertSuperseded(c);
    assert.ok(!c.types().includes('error'));
  });
});

