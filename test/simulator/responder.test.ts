import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getModelInfo, type ModelInfo } from '../../src/protocol/index.js';
import { readWav } from '../../src/audio/wav.js';
import { float32ToInt16 } from '../../src/audio/pcm.js';
import { synthesizeSpeech, speechDurationMs } from '../../src/simulator/synthesizer.js';
import {
  buildToolArguments,
  defaultResponder,
  describeAudio,
  scriptedResponder,
  ScriptExhaustedError,
  type ResponderReply,
  type ResponderTool,
  type ResponderTurn,
} from '../../src/simulator/responder.js';

const PLUS = getModelInfo('qwen3.5-omni-plus-realtime') as ModelInfo;
const FLASH3 = getModelInfo('qwen3-omni-flash-realtime') as ModelInfo;

const WEATHER: ResponderTool = {
  name: 'get_current_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

function turn(over: Partial<ResponderTurn> = {}): ResponderTurn {
  return {
    model: PLUS, modalities: ['text', 'audio'], audioMs: 0, transcript: null, text: null, images: [],
    tools: [], toolOutputs: [], history: [], responseIndex: 0, ...over,
  };
}

async function reply(t: ResponderTurn): Promise<ResponderReply> {
  return defaultResponder(t);
}

test('describes the audio (seconds, one decimal), the images with sizes and the user text', async () => {
  const r = await reply(turn({
    audioMs: 2437, text: 'What is in the picture?',
    images: [{ format: 'jpeg', width: 640, height: 480, bytes: 30000, atMs: 500 }],
  }));
  assert.equal(r.text, 'I heard 2.4 seconds of audio and saw 1 image (640×480). You said: What is in the picture?');
  assert.equal(r.toolCalls, undefined);
  const two = await reply(turn({
    audioMs: 1000, images: [
      { format: 'jpeg', width: 320, height: 240, bytes: 6000, atMs: 0 },
      { format: 'png', width: 1920, height: 1080, bytes: 90000, atMs: 1000 },
    ],
  }));
  assert.equal(two.text, 'I heard 1.0 seconds of audio and saw 2 images (320×240, 1920×1080).');
  const images = await reply(turn({ images: [{ format: 'jpeg', width: 1, height: 2, bytes: 3, atMs: 0 }] }));
  assert.equal(images.text, 'I saw 1 image (1×2).');
});

test('repeats a real transcript but not a placeholder one', async () => {
  const said = await reply(turn({ audioMs: 1800, transcript: 'Hello there.' }));
  assert.equal(said.text, 'I heard 1.8 seconds of audio. You said: Hello there.');
  const placeholder = await reply(turn({ audioMs: 1800, transcript: '(speech, 1.8 s)' }));
  assert.equal(placeholder.text, 'I heard 1.8 seconds of audio.');
  const both = await reply(turn({ audioMs: 900, transcript: 'Look at this.', text: 'A cat?' }));
  assert.equal(both.text, 'I heard 0.9 seconds of audio. You said: Look at this. You wrote: A cat?');
});

test('deterministic, and a turn with nothing new still gets an answer', async () => {
  const t = turn({ audioMs: 3210, text: 'hi', transcript: 'hello' });
  assert.deepEqual(await reply(t), await reply(structuredClone(t)));
  assert.equal((await reply(turn())).text, 'Hello! How can I help you?');
  assert.equal((await reply(turn({ responseIndex: 3 }))).text, 'I am still here. How can I help?');
});

test('calls a declared tool when the text or transcript names it, with arguments from its schema', async () => {
  const named = [
    'Please call get_current_weather for Hangzhou',
    'use GET_CURRENT_WEATHER now',
    'Can you get current weather in Paris?',
  ];
  const expected = ['Hangzhou', 'Hangzhou', 'Paris'];
  for (const [i, text] of named.entries()) {
    const r = await reply(turn({ text, tools: [WEATHER] }));
    assert.deepEqual(r.toolCalls, [{ name: 'get_current_weather', arguments: { location: expected[i] } }], text);
    assert.equal(r.text, '');
  }
  // From the transcript as well.
  const viaTranscript = await reply(turn({ audioMs: 2000, transcript: 'get current weather in San Francisco please', tools: [WEATHER] }));
  assert.deepEqual(viaTranscript.toolCalls, [{ name: 'get_current_weather', arguments: { location: 'San Francisco' } }]);
});

test('calls a tool when the request asks for what it does (name and description words), not only when it names it', async () => {
  const weather: ResponderTool = { ...WEATHER, description: 'Get the current weather in a given city' };
  const asked = await reply(turn({ text: "What's the weather like in Hangzhou today?", tools: [weather] }));
  assert.deepEqual(asked.toolCalls, [{ name: 'get_current_weather', arguments: { location: 'Hangzhou' } }]);
  assert.equal((await reply(turn({ text: 'Tell me a joke', tools: [weather] }))).toolCalls, undefined);
  // One description word is not enough ("city"); two are. The best-scoring tool wins.
  assert.equal((await reply(turn({ text: 'Which city is the biggest?', tools: [weather] }))).toolCalls, undefined);
  const stocks: ResponderTool = { name: 'lookup', description: 'Look up the latest stock price of a company ticker', parameters: { type: 'object', properties: { ticker: { type: 'string', description: 'Stock ticker' } }, required: ['ticker'] } };
  const byDescription = await reply(turn({ text: 'What is the stock price of "BABA"?', tools: [weather, stocks] }));
  assert.deepEqual(byDescription.toolCalls, [{ name: 'lookup', arguments: { ticker: 'BABA' } }]);
  const both = await reply(turn({ text: 'weather and stock price', tools: [stocks, weather] }));
  assert.equal(both.toolCalls![0]!.name, 'get_current_weather', 'a name word counts more than description words');
});

test('does not call a tool that is not asked for, not declared, after its output arrived, or on a model without tools', async () => {
  assert.equal((await reply(turn({ text: 'Tell me about Hangzhou', tools: [WEATHER] }))).toolCalls, undefined);
  assert.equal((await reply(turn({ text: 'get_current_weather please', tools: [] }))).toolCalls, undefined);
  // Whole words only: "target" does not name a tool called "get".
  const get: ResponderTool = { name: 'get' };
  assert.equal((await reply(turn({ text: 'hit the target', tools: [get] }))).toolCalls, undefined);
  assert.deepEqual((await reply(turn({ text: 'please GET it', tools: [get] }))).toolCalls, [{ name: 'get', arguments: {} }]);
  assert.equal((await reply(turn({ model: FLASH3, text: 'get_current_weather please', tools: [WEATHER] }))).toolCalls, undefined);
  const answered = await reply(turn({
    text: 'get_current_weather please', tools: [WEATHER],
    toolOutputs: [{ callId: 'call_1', name: 'get_current_weather', output: '{"temperature":"22°C"}' }],
  }));
  assert.equal(answered.toolCalls, undefined);
});

test('answers with the tool outputs it received', async () => {
  const r = await reply(turn({
    tools: [WEATHER], responseIndex: 1,
    toolOutputs: [{ callId: 'call_1', name: 'get_current_weather', output: '{"location":"Hangzhou","temperature":"22°C"}' }],
  }));
  assert.equal(r.text, 'The get_current_weather tool says: {"location":"Hangzhou","temperature":"22°C"}');
  assert.equal(r.toolCalls, undefined);
  const two = await reply(turn({
    toolOutputs: [{ callId: 'a', name: 'x', output: 'one' }, { callId: 'b', output: 'two\n  lines' }],
  }));
  assert.equal(two.text, 'The x tool says: one Tool call b says: two lines');
  const long = await reply(turn({ toolOutputs: [{ callId: 'c', name: 'big', output: 'x'.repeat(5000) }] }));
  assert.ok(long.text.length < 400 && long.text.endsWith('…'));
});

test('tool arguments: enums, sample values, the user words for queries, neutral non-string values', () => {
  const tool: ResponderTool = {
    name: 'plan',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, date: { type: 'string' },
        query: { type: 'string' }, days: { type: 'integer' }, verbose: { type: 'boolean' }, tags: { type: 'array' },
        opts: { type: 'object' }, widget: { type: 'string' }, optional: { type: 'string' },
      },
      required: ['city', 'unit', 'date', 'query', 'days', 'verbose', 'tags', 'opts', 'widget'],
    },
  };
  assert.deepEqual(buildToolArguments(tool, 'plan a trip to Tokyo in fahrenheit'), {
    city: 'Tokyo', unit: 'fahrenheit', date: 'today', query: 'plan a trip to Tokyo in fahrenheit',
    days: 1, verbose: false, tags: [], opts: {}, widget: 'widget',
  });
  assert.deepEqual(buildToolArguments({ name: 'f' }, 'f'), {});
  // Quoted values, and the property's description, fill the arguments too.
  const send: ResponderTool = {
    name: 'send_message',
    parameters: { type: 'object', properties: { recipient: { type: 'string', description: 'Email address' }, body: { type: 'string' }, to: { type: 'string', description: 'the destination city' } }, required: ['body', 'recipient', 'to'] },
  };
  assert.deepEqual(buildToolArguments(send, 'send "see you at 8" to my boss, then fly to Berlin'), { body: 'see you at 8', recipient: 'user@example.com', to: 'Berlin' });
  assert.deepEqual(buildToolArguments(WEATHER, 'get_current_weather'), { location: 'Hangzhou' });
});

test('scriptedResponder plays its turns in order, including functions of the turn', async () => {
  const r = scriptedResponder([{ text: 'one' }, (t) => ({ text: `two after ${t.audioMs} ms` }), { text: '', toolCalls: [{ name: 'f', arguments: '{}' }] }]);
  assert.equal((await r(turn())).text, 'one');
  assert.equal((await r(turn({ audioMs: 1500 }))).text, 'two after 1500 ms');
  assert.deepEqual((await r(turn())).toolCalls, [{ name: 'f', arguments: '{}' }]);
  // Default when exhausted: repeat the last entry.
  assert.deepEqual((await r(turn())).toolCalls, [{ name: 'f', arguments: '{}' }]);
});

test('scriptedResponder whenExhausted: repeat-last, default, error; an empty script', async () => {
  const repeat = scriptedResponder([{ text: 'a' }, { text: 'b' }], { whenExhausted: 'repeat-last' });
  assert.deepEqual(await Promise.all([0, 1, 2, 3].map(async () => (await repeat(turn())).text)), ['a', 'b', 'b', 'b']);
  const fallback = scriptedResponder([{ text: 'a' }], { whenExhausted: 'default' });
  assert.equal((await fallback(turn())).text, 'a');
  assert.equal((await fallback(turn({ audioMs: 1200 }))).text, 'I heard 1.2 seconds of audio.');
  const strict = scriptedResponder([{ text: 'a' }], { whenExhausted: 'error' });
  assert.equal((await strict(turn())).text, 'a');
  assert.throws(() => strict(turn()), (e: unknown) => e instanceof ScriptExhaustedError && e.code === 'script_exhausted');
  assert.equal((await scriptedResponder([])(turn({ audioMs: 500 }))).text, 'I heard 0.5 seconds of audio.');
  assert.throws(() => scriptedResponder([], { whenExhausted: 'error' })(turn()), ScriptExhaustedError);
  // The script is copied: changing the array afterwards changes nothing.
  const turns = [{ text: 'x' }];
  const copy = scriptedResponder(turns, { whenExhausted: 'default' });
  turns.push({ text: 'y' });
  await copy(turn());
  assert.notEqual((await copy(turn())).text, 'y');
});

test('describeAudio: a deterministic placeholder for speech, silence and nothing', () => {
  assert.equal(describeAudio(new Int16Array(0), 16000), '(no audio)');
  assert.equal(describeAudio(new Int16Array(32000), 16000), '(silence, 2.0 s)');
  const text = 'Hello, this is a test of the simulator';
  const speech = synthesizeSpeech(text, 24000);
  const padded = new Int16Array(speech.length + 24000);
  padded.set(speech, 12000);
  assert.equal(describeAudio(padded, 24000), `(speech, ${(speechDurationMs(text) / 1000).toFixed(1)} s)`);
  assert.equal(describeAudio(padded, 24000), describeAudio(padded, 24000));
  // Real espeak-ng speech: 2.09 s of speech in 4.59 s of audio.
  const wav = readWav(new Uint8Array(readFileSync(new URL('../fixtures/speech/weather.wav', import.meta.url))));
  assert.equal(describeAudio(float32ToInt16(wav.samples), wav.sampleRate), '(speech, 2.1 s)');
  // Audio cut in the middle of a long word: the span runs to the end of the audio.
  const word = synthesizeSpeech('abracadabrasimsalabim', 24000);
  assert.equal(describeAudio(word.subarray(0, 24000 * 1.2), 24000), '(speech, 1.2 s)');
});
