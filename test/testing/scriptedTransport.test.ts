/**
 * The scripted transport of `dashscope-realtime/testing`, used to test the session itself without
 * a socket: the expected client events in order, and the server's answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RealtimeClient, RealtimeSession, tool } from '../../src/index.js';
import { scriptedTransport, sessionCreated } from '../../src/testing/index.js';

const audio = Buffer.from(new Int16Array([100, -100, 200, -200]).buffer).toString('base64');
const base = { response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0 };

test('a session turn with a tool call, driven by a script', async () => {
  const script = scriptedTransport([
    { emit: [sessionCreated('qwen3.5-omni-plus-realtime')] },
    {
      expect: { type: 'session.update', session: { instructions: 'Be brief.', tools: [{ type: 'function', function: { name: 'get_weather' } }] } },
      respond: (e) => [{ type: 'session.updated', session: { ...(sessionCreated().session as object), ...(e.session as object) } }],
    },
    { expect: { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Hangzhou?' }] } } },
    {
      expect: { type: 'response.create' },
      respond: [
        { type: 'response.created', response: { id: 'resp_f', object: 'realtime.response', status: 'in_progress', output: [] } },
        { type: 'response.output_item.added', response_id: 'resp_f', output_index: 0, item: { id: 'item_f', object: 'realtime.item', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'get_weather', arguments: '' } },
        { type: 'response.function_call_arguments.done', response_id: 'resp_f', item_id: 'item_f', output_index: 0, call_id: 'call_1', name: 'get_weather', arguments: ' {"city": "Hangzhou"}' },
        { type: 'response.output_item.done', response_id: 'resp_f', output_index: 0, item: { id: 'item_f', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: ' {"city": "Hangzhou"}' } },
        { type: 'response.done', response: { id: 'resp_f', object: 'realtime.response', status: 'completed', output: [], usage: { total_tokens: 50, input_tokens: 40, output_tokens: 10 } } },
      ],
    },
    { expect: { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"city":"Hangzhou","sky":"sunny"}' } } },
    {
      expect: { type: 'response.create' },
      respond: [
        { type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } },
        { type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
        { type: 'response.audio_transcript.delta', ...base, delta: 'Sunny ' },
        { type: 'response.audio.delta', ...base, delta: audio },
        { type: 'response.audio_transcript.delta', ...base, delta: 'today.' },
        { type: 'response.audio_transcript.done', ...base, transcript: 'Sunny today.' },
        { type: 'response.audio.done', ...base },
        { type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'audio', transcript: 'Sunny today.' }] } },
        { type: 'response.done', response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [], usage: { total_tokens: 100, input_tokens: 60, output_tokens: 40, output_tokens_details: { audio_tokens: 30, text_tokens: 10 } } } },
      ],
    },
  ]);
  const weather = tool({
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: ({ city }: { city: string }) => ({ city, sky: 'sunny' }),
  });
  const session = new RealtimeSession({
    apiKey: 'test',
    url: 'ws://127.0.0.1:1/api-ws/v1/realtime',
    session: { instructions: 'Be brief.' },
    tools: [weather],
    keepaliveMs: false,
    createClient: (options) => new RealtimeClient({ ...options, socketFactory: script.factory }),
  });
  await session.connect();
  const turn = session.ask('Weather in Hangzhou?');
  const deltas: string[] = [];
  for await (const d of turn.transcript) deltas.push(d);
  const result = await turn.done;
  await script.done(2000);
  assert.equal(result.status, 'completed');
  assert.equal(result.transcript, 'Sunny today.');
  assert.deepEqual(deltas, ['Sunny ', 'today.']);
  assert.deepEqual(Array.from(result.audio), [100, -100, 200, -200]);
  assert.deepEqual(result.responseIds, ['resp_f', 'resp_1']);
  assert.equal(result.usage.total_tokens, 150);
  assert.equal(result.toolCalls[0]?.status, 'ok');
  assert.deepEqual(
    session.history.items.map((i) => `${i.type}:${i.status}`),
    ['user:completed', 'function_call:completed', 'function_call_output:completed', 'assistant:completed'],
  );
  assert.equal(session.metrics.totals.totalTokens, 150);
});

test('a script mismatch is reported with what was expected', async () => {
  const script = scriptedTransport([{ emit: [sessionCreated()] }, { expect: { type: 'input_audio_buffer.commit' } }]);
  const client = new RealtimeClient({ apiKey: 'test', url: 'ws://127.0.0.1:1/api-ws/v1/realtime', socketFactory: script.factory });
  await client.connect();
  client.cancelResponse();
  await assert.rejects(script.done(500), /input_audio_buffer.commit.*expected "input_audio_buffer.commit", got "response.cancel"/);
});
