/**
 * The scripted transport of `dashscope-realtime/testing`, used to test the session itself without
 * a socket: the expected client events in order, and the server's answers. Repeated events,
 * default answers to `session.update` and `session.finish`, fail-fast mismatches, and steps typed
 * with the protocol's events (a typo does not compile: checked with tsc).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { RealtimeClient, RealtimeSession, tool } from '../../src/index.js';
import { SCRIPT_MISMATCH_CLOSE_CODE, scriptedTransport, sessionCreated, type ScriptedServerEvent } from '../../src/testing/index.js';

const root = resolve(import.meta.dirname, '../..');
const audio = Buffer.from(new Int16Array([100, -100, 200, -200]).buffer).toString('base64');
const base = { response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0 };

/** The server's side of a function call to get_weather. */
const functionCallReply: ScriptedServerEvent[] = [
  { type: 'response.created', response: { id: 'resp_f', object: 'realtime.response', status: 'in_progress', output: [] } },
  { type: 'response.output_item.added', response_id: 'resp_f', output_index: 0, item: { id: 'item_f', object: 'realtime.item', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'get_weather', arguments: '' } },
  { type: 'response.function_call_arguments.done', response_id: 'resp_f', item_id: 'item_f', output_index: 0, call_id: 'call_1', name: 'get_weather', arguments: ' {"city": "Hangzhou"}' },
  { type: 'response.output_item.done', response_id: 'resp_f', output_index: 0, item: { id: 'item_f', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: ' {"city": "Hangzhou"}' } },
  { type: 'response.done', response: { id: 'resp_f', object: 'realtime.response', status: 'completed', output: [], usage: { total_tokens: 50, input_tokens: 40, output_tokens: 10 } } },
];

/** A spoken reply, "Sunny today." */
const spokenReply: ScriptedServerEvent[] = [
  { type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } },
  { type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
  { type: 'response.audio_transcript.delta', ...base, delta: 'Sunny ' },
  { type: 'response.audio.delta', ...base, delta: audio },
  { type: 'response.audio_transcript.delta', ...base, delta: 'today.' },
  { type: 'response.audio_transcript.done', ...base, transcript: 'Sunny today.' },
  { type: 'response.audio.done', ...base },
  { type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'audio', transcript: 'Sunny today.' }] } },
  { type: 'response.done', response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [], usage: { total_tokens: 100, input_tokens: 60, output_tokens: 40, output_tokens_details: { audio_tokens: 30, text_tokens: 10 } } } },
];

const weather = tool({
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  execute: ({ city }: { city: string }) => ({ city, sky: 'sunny' }),
});

test('a session voice turn with a tool: repeated audio chunks in one step, default session.updated and session.finished, a clean close', async () => {
  const script = scriptedTransport([
    { emit: [sessionCreated('qwen3.5-omni-plus-realtime')] },
    // session.update is answered by default with the merged session: no step needed.
    { expect: { type: 'input_audio_buffer.append' }, repeat: true },
    { expect: { type: 'input_audio_buffer.commit' } },
    { expect: { type: 'response.create' }, respond: functionCallReply },
    { expect: { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"city":"Hangzhou","sky":"sunny"}' } } },
    { expect: { type: 'response.create' }, respond: spokenReply },
    // session.finish is answered by default with session.finished.
  ]);
  const session = new RealtimeSession({ ...script.clientOptions, session: { instructions: 'Be brief.', turn_detection: null }, tools: [weather], keepaliveMs: false });
  await session.connect();
  // The merged session: the update's keys over session.created's (the voice kept, VAD off).
  assert.equal(session.client.session?.turn_detection, null);
  assert.equal(session.client.session?.voice, 'Tina');
  assert.equal(session.client.session?.instructions, 'Be brief.');
  const turn = session.ask({ audio: new Int16Array(16_000).fill(1000) }); // 1 s: 10 chunks of 100 ms
  const result = await turn.done;
  assert.equal(result.status, 'completed');
  assert.equal(result.transcript, 'Sunny today.');
  assert.deepEqual(Array.from(result.audio), [100, -100, 200, -200]);
  assert.equal(result.toolCalls[0]?.status, 'ok');
  let finished = 0;
  session.client.on('session.finished', () => finished++);
  await session.close();
  await script.done(2000);
  assert.equal(finished, 1, 'session.finish was answered, so close() did not wait for its timeout');
  assert.equal(script.sent.filter((e) => e.type === 'input_audio_buffer.append').length, 10);
  assert.deepEqual(script.sent.map((e) => e.type).filter((t) => t !== 'input_audio_buffer.append'), ['session.update', 'input_audio_buffer.commit', 'response.create', 'conversation.item.create', 'response.create', 'session.finish']);
  assert.equal(session.state, 'closed');
});

test('a text turn with a tool call, with explicit answers where the test wants them', async () => {
  const script = scriptedTransport([
    { emit: [sessionCreated('qwen3.5-omni-plus-realtime')] },
    {
      expect: { type: 'session.update', session: { instructions: 'Be brief.', tools: [{ type: 'function', function: { name: 'get_weather' } }] } },
      respond: (e) => [{ type: 'session.updated', session: { ...sessionCreated().session, ...(e.type === 'session.update' ? e.session : {}) } } as ScriptedServerEvent],
    },
    { expect: { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Hangzhou?' }] } } },
    { expect: { type: 'response.create' }, respond: functionCallReply },
    { expect: { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"city":"Hangzhou","sky":"sunny"}' } } },
    { expect: { type: 'response.create' }, respond: spokenReply },
  ]);
  const session = new RealtimeSession({ ...script.clientOptions, session: { instructions: 'Be brief.' }, tools: [weather], keepaliveMs: false });
  await session.connect();
  const turn = session.ask('Weather in Hangzhou?');
  const deltas: string[] = [];
  for await (const d of turn.transcript) deltas.push(d);
  const result = await turn.done;
  await script.done(2000);
  assert.equal(result.transcript, 'Sunny today.');
  assert.deepEqual(deltas, ['Sunny ', 'today.']);
  assert.deepEqual(result.responseIds, ['resp_f', 'resp_1']);
  assert.equal(result.usage.total_tokens, 150);
  assert.deepEqual(
    session.history.items.map((i) => `${i.type}:${i.status}`),
    ['user:completed', 'function_call:completed', 'function_call_output:completed', 'assistant:completed'],
  );
  await session.close();
});

test('a mismatch fails the pending turn at once, with what was expected and what was received', { timeout: 10_000 }, async () => {
  const script = scriptedTransport([
    { emit: [sessionCreated()] },
    { expect: { type: 'conversation.item.create', item: { content: [{ type: 'input_text', text: 'Hello?' }] } } },
    { expect: { type: 'response.create' }, respond: spokenReply },
  ]);
  const session = new RealtimeSession({ ...script.clientOptions, session: { turn_detection: null }, keepaliveMs: false, reconnect: { maxAttempts: 1 } });
  await session.connect();
  const result = await session.ask('Goodbye?').done;
  assert.equal(result.status, 'failed');
  assert.match(String(result.error?.message), new RegExp(`code ${SCRIPT_MISMATCH_CLOSE_CODE}: script mismatch: expected .*"text":"Hello\\?".*received .*"text":"Goodbye\\?"`));
  await assert.rejects(script.done(1000), /script mismatch: expected .*Hello\?.*received .*Goodbye\?.*item\.content\[0\]\.text: expected "Hello\?", got "Goodbye\?"/);
  assert.equal(session.state, 'closed', 'a mismatch is not retried');
  await session.close();
});

test('a client-level mismatch is reported with what was expected', async () => {
  const script = scriptedTransport([{ emit: [sessionCreated()] }, { expect: { type: 'input_audio_buffer.commit' } }]);
  const client = new RealtimeClient({ ...script.clientOptions });
  await client.connect();
  client.cancelResponse();
  await assert.rejects(script.done(500), /expected \{"type":"input_audio_buffer.commit"\}, received \{"type":"response.cancel"/);
  await client.close();
});

test('defaultAnswers: false leaves session.update to the script', async () => {
  const script = scriptedTransport([{ emit: [sessionCreated()] }], { defaultAnswers: false });
  const client = new RealtimeClient({ ...script.clientOptions });
  await client.connect();
  await assert.rejects(client.updateSession({ instructions: 'x' }), /script mismatch: unexpected "session.update"/);
  await assert.rejects(script.done(500), /unexpected "session.update"/);
});

test('steps are typed with the protocol events: typos in event types and fields do not compile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsrt-script-types-'));
  try {
    const entry = join(root, 'src/testing/index.js');
    const good = `import { scriptedTransport, sessionCreated } from '${entry}';
scriptedTransport([
  { emit: [sessionCreated()] },
  { expect: { type: 'input_audio_buffer.append' }, repeat: true },
  { expect: { type: 'session.update', session: { turn_detection: null } } },
  { expect: { type: 'response.create' }, respond: [{ type: 'response.done', response: { status: 'completed' } }] },
]);
`;
    const bad = `import { scriptedTransport } from '${entry}';
scriptedTransport([
  { expect: { type: 'input_audio_buffer.apend' } },
  { expect: { type: 'session.update', sesion: {} } },
  { emit: [{ type: 'response.audio.delat', delta: '' }] },
  { emit: [{ type: 'response.done', respones: {} }] },
]);
`;
    writeFileSync(join(dir, 'good.ts'), good);
    writeFileSync(join(dir, 'bad.ts'), bad);
    // One tsc run for both files (it is the slow part): errors must name bad.ts only.
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] }, files: ['good.ts', 'bad.ts'] }));
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    let errors = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      errors = String((error as { stdout?: string }).stdout ?? error);
    }
    assert.doesNotMatch(errors, /good\.ts/, `a correct script compiles:\n${errors}`);
    for (const line of [3, 4, 5, 6]) assert.match(errors, new RegExp(`bad\\.ts\\(${line},`), `line ${line} is refused:\n${errors}`);
    assert.match(errors, /input_audio_buffer\.apend/);
    assert.match(errors, /sesion/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
