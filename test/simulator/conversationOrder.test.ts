/**
 * `previous_item_id` on every `conversation.item.created` (protocol.md §0.2.25): the id of the
 * item announced before it, `null` for the first, across user audio turns, text items, tool
 * calls and results, and replies, in Manual and VAD mode; the Qwen team's client walks this
 * chain back from a reply to the item it asked about.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scriptedResponder } from '../../src/simulator/responder.js';
import { appendAudio, assertShapes, concatPcm, harness, silence, tone, type Ev } from './helpers.js';

const h = harness();

function created(events: readonly Ev[]): Ev[] {
  return events.filter((e) => e.type === 'conversation.item.created');
}

/** Every created item's previous_item_id is the id of the one before it; the first has null. */
function assertChain(events: readonly Ev[]): void {
  const items = created(events);
  assert.ok(items.length > 0);
  items.forEach((e, i) => assert.equal(e.previous_item_id, i === 0 ? null : items[i - 1]!.item.id, `item ${i} (${e.item.type})`));
}

describe('conversation order, §0.2.25', () => {
  test('Manual mode: text, reply, audio turn, tool call, tool result, reply: one chain', async () => {
    const responder = scriptedResponder([{ text: 'Hello.' }, { text: '', toolCalls: [{ name: 'lookup', arguments: { id: 7 } }] }, { text: 'Found it.' }]);
    const { c } = await h.open({ responder }, { session: { turn_detection: null, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] } });
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] } });
    c.send({ type: 'response.create' });
    await c.waitFor('response.done');
    let since = c.mark();
    appendAudio(c, tone(500));
    c.send({ type: 'input_audio_buffer.commit' });
    c.send({ type: 'response.create' });
    const call = await c.waitFor('response.function_call_arguments.done', { since });
    await c.waitFor('response.done', { since });
    since = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"ok":true}' } });
    c.send({ type: 'response.create' });
    await c.waitFor('response.done', { since });
    assertShapes(c.events);
    assertChain(c.events);
    assert.deepEqual(created(c.events).map((e) => `${e.item.type}:${e.item.role ?? ''}`), [
      'message:user', 'message:assistant', 'message:user', 'function_call:', 'function_call_output:', 'message:assistant',
    ]);
  });

  test('VAD mode: the user item, then the reply chained to it', async () => {
    const { c } = await h.open({}, { session: { turn_detection: { type: 'server_vad' } } });
    appendAudio(c, concatPcm(silence(500), tone(800), silence(1200)));
    const done = await c.waitFor('response.done');
    assertChain(c.events);
    const [user, reply] = created(c.events);
    assert.equal(user!.item.role, 'user');
    assert.equal(reply!.item.id, done.response.output[0].id);
    assert.equal(reply!.previous_item_id, user!.item.id);
  });
});
