/**
 * Testing your own realtime code without a socket: the scripted transport of
 * `dashscope-realtime/testing` expects the events your code sends, in order, and answers with
 * server events. Steps are typed with the protocol's events (a typo does not compile), one step
 * can match every audio chunk (`repeat: true`), `session.update` and `session.finish` are
 * answered by default, and a mismatch fails your turn at once with what was expected and received.
 *
 *   node --import tsx --test examples/testing-your-app.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RealtimeSession, tool } from 'dashscope-realtime';
import { scriptedTransport, sessionCreated, type ScriptedServerEvent } from 'dashscope-realtime/testing';

// ---- the application code under test ------------------------------------------------------------

const getWeather = tool({
  name: 'get_current_weather',
  description: 'Get the current weather for a city.',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  execute: ({ location }: { location: string }) => ({ location, weather: 'sunny', temperature_c: 21 }),
});

/** Asks a spoken question (PCM16 at 16 kHz) and returns the spoken answer's transcript. */
async function askByVoice(session: RealtimeSession, speech: Int16Array): Promise<string> {
  const result = await session.ask({ audio: speech }).done;
  if (result.status !== 'completed') throw result.error ?? new Error(`turn ${result.status}`);
  return result.transcript;
}

// ---- the test -----------------------------------------------------------------------------------

const call = { response_id: 'resp_1', item_id: 'item_call', output_index: 0, call_id: 'call_1', name: 'get_current_weather', arguments: '{"location":"Hangzhou"}' };
const answer = { response_id: 'resp_2', item_id: 'item_answer', output_index: 0, content_index: 0 };

/** The model calls the tool. */
const toolCall: ScriptedServerEvent[] = [
  { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } },
  { type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_call', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'get_current_weather', arguments: '' } },
  { type: 'response.function_call_arguments.done', ...call },
  { type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: { id: 'item_call', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'get_current_weather', arguments: call.arguments } },
  { type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } },
];

/** Then answers with the tool's result, spoken. */
const spokenAnswer: ScriptedServerEvent[] = [
  { type: 'response.created', response: { id: 'resp_2', status: 'in_progress', output: [] } },
  { type: 'response.output_item.added', response_id: 'resp_2', output_index: 0, item: { id: 'item_answer', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
  { type: 'response.audio_transcript.delta', ...answer, delta: 'Sunny, 21 degrees.' },
  { type: 'response.audio.delta', ...answer, delta: 'AAABAAIA' }, // three PCM16 samples
  { type: 'response.audio_transcript.done', ...answer, transcript: 'Sunny, 21 degrees.' },
  { type: 'response.audio.done', ...answer },
  { type: 'response.output_item.done', response_id: 'resp_2', output_index: 0, item: { id: 'item_answer', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'audio', transcript: 'Sunny, 21 degrees.' }] } },
  { type: 'response.done', response: { id: 'resp_2', status: 'completed', output: [] } },
];

test('askByVoice streams the speech, runs the tool, returns the spoken answer, and closes cleanly', async () => {
  const script = scriptedTransport([
    { emit: [sessionCreated()] },
    // session.update (the session's config) is answered with the merged session.updated by default.
    { expect: { type: 'input_audio_buffer.append' }, repeat: true }, // every 100 ms chunk
    { expect: { type: 'input_audio_buffer.commit' } },
    { expect: { type: 'response.create' }, respond: toolCall },
    { expect: { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"location":"Hangzhou","weather":"sunny","temperature_c":21}' } } },
    { expect: { type: 'response.create' }, respond: spokenAnswer },
    // session.finish (from close()) is answered with session.finished by default.
  ]);
  // clientOptions = { url, apiKey, socketFactory }: no socket and no key.
  const session = new RealtimeSession({ ...script.clientOptions, session: { turn_detection: null }, tools: [getWeather] });
  await session.connect();
  const speech = new Int16Array(8000).fill(500); // 0.5 s
  assert.equal(await askByVoice(session, speech), 'Sunny, 21 degrees.');
  await session.close();
  await script.done();
  assert.equal(script.sent.at(-1)?.type, 'session.finish');
});
