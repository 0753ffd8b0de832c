/**
 * `conversation.item.create` against protocol.md §0.2: a tool result for a call this session
 * never issued is refused with "Unknown function call id: …" and the session goes on (§0.2.10),
 * unless `acceptUnknownCallIds`; every accepted item is acknowledged by its
 * `conversation.item.created` (§0.2.26); the client's item id is echoed unless
 * `echoClientItemIds: false` (§0.2.15); `answerAfterToolOutput` answers a tool result by itself
 * in VAD mode (§0.2.9).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scriptedResponder } from '../../src/simulator/responder.js';
import { assertShapes, harness, skeleton, sleep, type RawClient } from './helpers.js';

const h = harness();

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather in a given city',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

const callThenSay = () => scriptedResponder([{ text: '', toolCalls: [{ name: 'get_current_weather', arguments: { location: 'Hangzhou' } }] }, { text: 'It is sunny.' }]);

/** A text turn that makes the model call the tool; resolves with the call's `function_call_arguments.done`. */
async function callTool(c: RawClient) {
  const since = c.mark();
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] } });
  c.send({ type: 'response.create' });
  await c.waitFor('response.done', { since });
  return c.events.slice(since).find((e) => e.type === 'response.function_call_arguments.done')!;
}

describe('conversation.item.create, §0.2.10, §0.2.15, §0.2.26', () => {
  test('an unknown call_id: the live error with event_id, nothing created, the session goes on', async () => {
    const { c } = await h.open({ responder: callThenSay() }, { session: { turn_detection: null, tools: [WEATHER] } });
    const since = c.mark();
    c.send({ type: 'conversation.item.create', event_id: 'event_stale', item: { type: 'function_call_output', call_id: 'call_from_before', output: '{}' } });
    const e = await c.waitFor('error', { since });
    assert.deepEqual(e.error, { type: 'invalid_request_error', code: 'invalid_value', message: 'Unknown function call id: call_from_before', param: 'item.call_id', event_id: 'event_stale' });
    // Still usable: a real call and its result work afterwards.
    const call = await callTool(c);
    const mark = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"weather":"sunny"}' } });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since: mark });
    assert.equal(done.response.status, 'completed');
    assert.deepEqual(c.types(since).filter((t) => t === 'error'), ['error']);
    assertShapes(c.events);
  });

  test('acceptUnknownCallIds: the same result is acknowledged (for replaying recorded traces)', async () => {
    const { c } = await h.open({ acceptUnknownCallIds: true }, { session: { turn_detection: null } });
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { id: 'item_mine', type: 'function_call_output', call_id: 'call_from_before', output: '{}' } });
    const created = await c.waitFor('conversation.item.created', { since });
    assert.deepEqual(created.item, { id: 'item_mine', object: 'realtime.item', type: 'function_call_output', status: 'completed', call_id: 'call_from_before', output: '{}' });
    assert.deepEqual(c.types(since), ['conversation.item.created']);
  });

  test('a tool result is acknowledged by conversation.item.created (completed), chained after the call (§0.2.26)', async () => {
    const { c } = await h.open({ responder: callThenSay() }, { session: { turn_detection: null, tools: [WEATHER] } });
    const call = await callTool(c);
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { id: 'item_result', type: 'function_call_output', call_id: call.call_id, output: '{"weather":"sunny"}' } });
    const ack = await c.waitFor('conversation.item.created', { since });
    assert.equal(ack.item.status, 'completed');
    assert.equal(ack.item.id, 'item_result');
    assert.equal(ack.previous_item_id, call.item_id);
  });

  test('answerAfterToolOutput: a result sent before the call response ends is answered once, the client\'s response.create refused', async () => {
    const { c } = await h.open({ speed: 1, textDeltaMs: 50, responder: callThenSay(), answerAfterToolOutput: true }, { session: { turn_detection: { type: 'server_vad' }, tools: [WEATHER] } });
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] } });
    c.send({ type: 'response.create' });
    const call = await c.waitFor('response.function_call_arguments.done', { since });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"weather":"sunny"}' } });
    c.send({ type: 'response.create', event_id: 'event_second' });
    const refused = await c.waitFor('error', { since });
    assert.equal(refused.error.event_id, 'event_second');
    const answer = await c.waitFor((e) => e.type === 'response.done' && e.response.output[0]?.type === 'message', { since });
    assert.equal(answer.response.output[0].content[0].transcript, 'It is sunny.');
    assert.equal(c.events.slice(since).filter((e) => e.type === 'response.created').length, 2);
  });

  test('echoClientItemIds: false: the service names the item (§0.2.15)', async () => {
    const { c } = await h.open({ echoClientItemIds: false }, { session: { turn_detection: null } });
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { id: 'item_mine', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    const created = await c.waitFor('conversation.item.created', { since });
    assert.notEqual(created.item.id, 'item_mine');
    assert.match(created.item.id, /^item_\w+$/);
  });

  test('VAD mode: a tool result waits for response.create by default; answerAfterToolOutput answers it by itself (§0.2.9)', async () => {
    for (const answerAfterToolOutput of [false, true]) {
      const { c } = await h.open({ responder: callThenSay(), answerAfterToolOutput }, { session: { turn_detection: { type: 'server_vad' }, tools: [WEATHER] } });
      const call = await callTool(c);
      const since = c.mark();
      c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"weather":"sunny"}' } });
      await c.waitFor('conversation.item.created', { since });
      if (answerAfterToolOutput) {
        const done = await c.waitFor('response.done', { since });
        assert.equal(done.response.output[0].content[0].transcript, 'It is sunny.');
        assert.deepEqual(skeleton(c.types(since)).slice(0, 2), ['conversation.item.created', 'response.created']);
      } else {
        await sleep(100); // speed 0: a response would have started by now
        assert.deepEqual(c.types(since), ['conversation.item.created']);
      }
    }
  });
});
