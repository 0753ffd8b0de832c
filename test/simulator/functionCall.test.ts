/**
 * Function calling against protocol.md §4.23 (c), §4.18, §3.8 and §0.1.7: the call events in
 * order with no audio, the tool result echoed, the continuation using it, and a result sent
 * before the tool-call response's `response.done` queued rather than refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scriptedResponder, type ResponderTurn } from '../../src/simulator/responder.js';
import { appendAudio, assertShapes, concatPcm, harness, silence, skeleton, tone } from './helpers.js';

const h = harness();

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Query the weather of a city.',
    parameters: { type: 'object', properties: { location: { type: 'string', description: 'City or district' } }, required: ['location'] },
  },
};

describe('function calling, §4.23 (c)', () => {
  test('call turn, tool result, continuation', async () => {
    const turns: ResponderTurn[] = [];
    const responder = scriptedResponder([
      (t) => (turns.push(t), { text: '', toolCalls: [{ name: 'get_current_weather', arguments: { location: '杭州' } }] }),
      (t) => (turns.push(t), { text: `It is ${JSON.parse(t.toolOutputs[0]!.output).weather} in Hangzhou.` }),
    ]);
    const { c } = await h.open({ responder }, { session: { turn_detection: null, tools: [WEATHER] } });
    assert.equal(c.events.find((e) => e.type === 'session.updated')!.session.tools[0].function.name, 'get_current_weather');
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Hangzhou?' }] } });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since });
    const events = c.events.slice(since);
    assertShapes(events);
    const types = c.types(since);
    const tail = types.slice(types.indexOf('response.created'));
    assert.deepEqual(skeleton(tail), [
      'response.created',
      'response.output_item.added',
      'conversation.item.created',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.done',
    ]);
    assert.ok(tail.includes('response.function_call_arguments.delta'));
    assert.ok(!tail.some((t) => t.startsWith('response.audio') || t.startsWith('response.text') || t.startsWith('response.content_part')), 'no audio, text or parts');
    const added = events.find((e) => e.type === 'response.output_item.added')!;
    assert.equal(added.item.type, 'function_call');
    assert.equal(added.item.arguments, '');
    assert.equal(added.item.status, 'in_progress');
    assert.equal(added.item.name, 'get_current_weather');
    assert.match(added.item.call_id, /^call_[0-9a-f]{22}$/);
    const item = events.find((e) => e.type === 'conversation.item.created' && e.item.type === 'function_call')!;
    assert.deepEqual(item.item, added.item);
    const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta');
    for (const d of deltas) {
      assert.equal(d.content_index, undefined, 'no content_index on argument deltas');
      assert.equal(d.name, undefined);
      assert.equal(d.call_id, added.item.call_id);
    }
    const argsDone = events.find((e) => e.type === 'response.function_call_arguments.done')!;
    assert.equal(argsDone.arguments, ' {"location": "杭州"}', 'leading space, Python spacing (§4.18)');
    assert.equal(deltas.map((d) => d.delta).join(''), argsDone.arguments);
    assert.equal(argsDone.name, 'get_current_weather');
    const itemDone = events.find((e) => e.type === 'response.output_item.done')!;
    assert.equal(itemDone.item.status, 'completed');
    assert.equal(itemDone.item.arguments, argsDone.arguments);
    assert.equal(done.response.status, 'completed');
    assert.deepEqual(done.response.output, [itemDone.item]);
    assert.deepEqual(Object.keys(done.response.usage.output_tokens_details), ['text_tokens'], 'function-call usage: text tokens only (§4.21)');
    assert.equal(turns[0]!.text, 'Weather in Hangzhou?');
    assert.deepEqual(turns[0]!.tools.map((t) => t.name), ['get_current_weather']);

    const next = c.mark();
    const output = JSON.stringify({ location: 'Hangzhou', weather: 'sunny' });
    c.send({ type: 'conversation.item.create', item: { id: 'item_client1', type: 'function_call_output', call_id: argsDone.call_id, output } });
    const echoed = await c.waitFor('conversation.item.created', { since: next });
    assert.deepEqual(echoed.item, { id: 'item_client1', object: 'realtime.item', type: 'function_call_output', status: 'completed', call_id: argsDone.call_id, output });
    c.send({ type: 'response.create', response: { instructions: null, modalities: ['audio', 'text'] } });
    const done2 = await c.waitFor('response.done', { since: next });
    assert.equal(done2.response.output[0].content[0].transcript, 'It is sunny in Hangzhou.');
    assert.deepEqual(turns[1]!.toolOutputs, [{ callId: argsDone.call_id, name: 'get_current_weather', output }]);
    assert.ok(c.types(next).includes('response.audio.delta'));
    assertShapes(c.events.slice(next));
  });

  test('the default responder calls a tool the user names, then reports its output', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null, tools: [{ type: 'function', name: 'get_current_weather', parameters: WEATHER.function.parameters }] } });
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Please get current weather in Hangzhou' }] } });
    c.send({ type: 'response.create' });
    const args = await c.waitFor('response.function_call_arguments.done', { since });
    assert.deepEqual(JSON.parse(args.arguments.trim()), { location: 'Hangzhou' });
    await c.waitFor('response.done', { since });
    const next = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: args.call_id, output: 'sunny, 21 °C' } });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since: next });
    assert.match(done.response.output[0].content[0].transcript, /says: sunny, 21 °C/);
  });

  test('a tool result + response.create sent right after arguments.done is queued, not refused (§0.1.7)', async () => {
    const responder = scriptedResponder([{ text: '', toolCalls: [{ name: 'get_current_weather', arguments: { location: 'Hangzhou' } }] }, { text: 'Sunny.' }]);
    const { c } = await h.open({ speed: 1, textDeltaMs: 150, responder }, { session: { turn_detection: null, tools: [WEATHER] } });
    const since = c.mark();
    c.send({ type: 'response.create' });
    const args = await c.waitFor('response.function_call_arguments.done', { since });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: args.call_id, output: '{"weather":"sunny"}' } });
    c.send({ type: 'response.create', response: { instructions: null, modalities: ['audio', 'text'] } });
    const second = await c.waitFor((e) => e.type === 'response.created' && e.response.id !== args.response_id, { since, timeoutMs: 8000 });
    const types = c.types(since);
    assert.ok(!types.includes('error'), `no error: ${types.join(', ')}`);
    const firstDone = c.events.slice(since).findIndex((e) => e.type === 'response.done' && e.response.id === args.response_id);
    const echo = c.events.slice(since).findIndex((e) => e.type === 'conversation.item.created' && e.item.type === 'function_call_output');
    assert.ok(echo >= 0 && echo < firstDone, 'the result is echoed while the tool-call response finishes');
    assert.ok(firstDone < c.events.slice(since).indexOf(second), 'the new response starts after response.done');
    c.send({ type: 'response.cancel' });
    await c.waitFor((e) => e.type === 'response.done' && e.response.id === second.response.id, { since });
  });

  test('response.create while an ordinary response is active is refused with its event_id', async () => {
    const { c } = await h.open({ speed: 1 }, { session: { turn_detection: null } });
    const since = c.mark();
    c.send({ type: 'response.create' });
    const created = await c.waitFor('response.created', { since });
    c.send({ type: 'response.create', event_id: 'event_busy' });
    const error = await c.waitFor('error', { since });
    assert.equal(error.error.type, 'invalid_request_error');
    assert.equal(error.error.code, 'invalid_value');
    assert.equal(error.error.event_id, 'event_busy');
    assert.ok(error.error.message.includes(created.response.id));
    c.send({ type: 'response.cancel' });
    const done = await c.waitFor('response.done', { since });
    assert.equal(done.response.status, 'cancelled');
  });

  test('models without tools (qwen3-omni-flash) accept tools with no effect; unsupportedFields error refuses them', async () => {
    const { c } = await h.open({}, { model: 'qwen3-omni-flash-realtime', session: { turn_detection: null, tools: [WEATHER] } });
    const updated = c.events.find((e) => e.type === 'session.updated')!;
    assert.deepEqual(updated.session.tools, []);
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'get current weather in Hangzhou' }] } });
    c.send({ type: 'response.create' });
    await c.waitFor('response.done', { since });
    assert.ok(!c.types(since).some((t) => t.startsWith('response.function_call')));

    const { c: strict } = await h.open({ unsupportedFields: 'error' }, { model: 'qwen3-omni-flash-realtime', session: { tools: [WEATHER] } });
    const error = strict.events.find((e) => e.type === 'error')!;
    assert.equal(error.error.param, 'session.tools');
    assert.ok(!strict.types().includes('session.updated'));
  });

  test('the default model calls the tool a request asks for, with its arguments from the request; not for a joke', async () => {
    const described = { ...WEATHER, function: { ...WEATHER.function, description: 'Get the current weather in a given city' } };
    const { c } = await h.open({}, { session: { turn_detection: null, tools: [described] } });
    const ask = async (text: string) => {
      const since = c.mark();
      c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
      c.send({ type: 'response.create' });
      await c.waitFor('response.done', { since });
      return c.events.slice(since);
    };
    const joke = await ask('Tell me a joke');
    assert.ok(!joke.some((e) => e.type.startsWith('response.function_call')));
    assert.equal(joke.find((e) => e.type === 'response.done')!.response.output[0].type, 'message');
    const weather = await ask("What's the weather like in Hangzhou today?");
    const call = weather.find((e) => e.type === 'response.function_call_arguments.done')!;
    assert.equal(call.name, 'get_current_weather');
    assert.equal(call.arguments, ' {"location": "Hangzhou"}');
  });

  test('an audio turn calls the tool when a transcriber gives it words (no speech recognition otherwise)', async () => {
    const described = { ...WEATHER, function: { ...WEATHER.function, description: 'Get the current weather in a given city' } };
    for (const transcribe of [undefined, () => "What's the weather like in Hangzhou today?"]) {
      const { c } = await h.open(transcribe ? { transcribe } : {}, { session: { turn_detection: { type: 'server_vad' }, tools: [described] } });
      appendAudio(c, concatPcm(silence(500), tone(800), silence(1200)));
      const done = await c.waitFor('response.done');
      const output = done.response.output[0];
      if (transcribe) assert.deepEqual([output.type, output.name, output.arguments], ['function_call', 'get_current_weather', ' {"location": "Hangzhou"}']);
      else assert.equal(output.type, 'message', 'a placeholder transcript carries no words');
    }
  });
});

