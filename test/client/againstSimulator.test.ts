/**
 * RealtimeClient against the embedded simulator over a real socket: Manual mode, VAD mode, an
 * image, a tool call, and each fault the simulator can inject.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { float32ToInt16 } from '../../src/audio/pcm.js';
import { readWav } from '../../src/audio/wav.js';
import { ConnectionError, RealtimeClient, type AnyServerEvent, type RealtimeError } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const MODEL = 'qwen3.5-omni-plus-realtime';
let sim: Simulator;
before(async () => {
  sim = await startSimulator({ speed: 0 });
});
after(() => sim.close());

function client(model = MODEL) {
  return new RealtimeClient({ apiKey: 'sk-test', url: sim.url, model, logger: { warn: () => {} } });
}

function collect(c: RealtimeClient): string[] {
  const types: string[] = [];
  c.on('*', (e: AnyServerEvent) => types.push(e.type));
  return types;
}

const speech = float32ToInt16(readWav(new Uint8Array(readFileSync(new URL('../fixtures/speech/weather.wav', import.meta.url)))).samples);
const jpeg = new Uint8Array(readFileSync(new URL('../../samples/frame.jpg', import.meta.url)));

describe('client ↔ simulator', () => {
  test('Manual mode with an image: the documented order, audio and transcript', async () => {
    const c = client();
    await c.connect();
    await c.updateSession({ turn_detection: null, voice: 'Cherry' });
    const types = collect(c);
    let audioBytes = 0;
    c.on('response.audio.delta', (e) => (audioBytes += Buffer.from(e.delta, 'base64').length));
    for (let i = 0; i < speech.length; i += 1600) {
      await c.appendAudio(speech.subarray(i, i + 1600));
      if (i === 0) await c.appendImage(jpeg);
    }
    c.commitAudio();
    c.createResponse();
    const done = await c.waitFor('response.done', { timeoutMs: 10_000 });
    assert.equal(done.response.status, 'completed');
    assert.ok(audioBytes > 24000, 'reply audio');
    const order = types.filter((t) => !t.endsWith('.delta'));
    assert.deepEqual(order.slice(0, 3), ['input_audio_buffer.committed', 'conversation.item.created', 'conversation.item.input_audio_transcription.completed']);
    assert.deepEqual(order.slice(3), ['response.created', 'response.output_item.added', 'conversation.item.created', 'response.content_part.added', 'response.audio_transcript.done', 'response.audio.done', 'response.content_part.done', 'response.output_item.done', 'response.done']);
    const item = done.response.output[0];
    assert.ok(item?.type === 'message' && JSON.stringify(item.content).includes('1 image (320×240)'));
    await c.finish();
  });

  test('VAD mode: the server detects the speech, commits and answers', async () => {
    const c = client();
    await c.connect();
    await c.updateSession({ turn_detection: { type: 'server_vad', silence_duration_ms: 500 } });
    const started = c.waitFor('input_audio_buffer.speech_started', { timeoutMs: 10_000 });
    const stopped = c.waitFor('input_audio_buffer.speech_stopped', { timeoutMs: 10_000 });
    const done = c.waitFor('response.done', { timeoutMs: 10_000 });
    const padded = new Int16Array(speech.length + 16000);
    padded.set(speech);
    for (let i = 0; i < padded.length; i += 1600) await c.appendAudio(padded.subarray(i, i + 1600));
    const s = await started;
    const e = await stopped;
    assert.ok(Math.abs(s.audio_start_ms - 1000) <= 60, `speech starts near 1000 ms: ${s.audio_start_ms}`);
    assert.ok(Math.abs(e.audio_end_ms - 3090) <= 120, `speech ends near 3090 ms: ${e.audio_end_ms}`);
    assert.equal((await done).response.status, 'completed');
    await c.close();
  });

  test('a tool call: function_call item, arguments, output, continuation', async () => {
    const c = client();
    await c.connect();
    await c.updateSession({ turn_detection: null, tools: [{ type: 'function', function: { name: 'get_current_weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } }] });
    c.sendText('Please call get_current_weather for Hangzhou');
    c.createResponse();
    const call = await c.waitFor('response.function_call_arguments.done', { timeoutMs: 5000 });
    assert.equal(call.name, 'get_current_weather');
    assert.ok(typeof JSON.parse(call.arguments.trim()).location === 'string');
    await c.waitFor('response.done', { timeoutMs: 5000 });
    c.sendFunctionCallOutput(call.call_id, { weather: 'sunny', temperature_c: 21 });
    c.createResponse();
    const done = await c.waitFor('response.done', { timeoutMs: 5000 });
    assert.match(JSON.stringify(done.response.output), /sunny/);
    await c.close();
  });
});

describe('client ↔ simulator faults', () => {
  test('a dropped socket ends in a ConnectionError with 1006', async () => {
    sim.setNextFaults({ dropAfterEvents: 2 });
    const c = client();
    await c.connect();
    c.sendText('hello');
    c.createResponse();
    await assert.rejects(c.waitFor('response.done', { timeoutMs: 5000 }), (e: ConnectionError) => e instanceof ConnectionError && e.closeCode === 1006);
    assert.equal(c.state, 'closed');
  });

  test('a close with a code and reason reaches the close event', async () => {
    sim.setNextFaults({ closeAfterEvents: 1, closeCode: 4003, closeReason: 'injected' });
    const c = client();
    const closed = new Promise<{ code: number; reason: string; error?: ConnectionError }>((resolve) => c.once('close', resolve));
    await c.connect();
    const info = await closed;
    assert.equal(info.code, 4003);
    assert.equal(info.reason, 'injected');
    assert.ok(info.error instanceof ConnectionError);
  });

  test('an injected error event arrives typed and the session carries on', async () => {
    sim.setNextFaults({ errorAfterEvents: 1, error: { type: 'invalid_request_error', code: 'invalid_value', message: 'injected' }, keepOpenAfterError: true });
    const c = client();
    const error = new Promise<AnyServerEvent>((resolve) => c.once('error', resolve));
    await c.connect();
    const e = await error;
    assert.ok(e.type === 'error' && e.error.message === 'injected');
    const session = await c.updateSession({ instructions: 'still here' });
    assert.equal(session.instructions, 'still here');
    await c.close();
  });

  test('delayed events still arrive in order', async () => {
    sim.setNextFaults({ delayMs: 30 });
    const c = client();
    const t0 = performance.now();
    await c.connect();
    assert.ok(performance.now() - t0 >= 25);
    await c.updateSession({ turn_detection: null });
    await c.close();
  });

  test('a malformed frame is a client_error and the session keeps working', async () => {
    sim.setNextFaults({ malformedAfterEvents: 1 });
    const c = client();
    const problems: RealtimeError[] = [];
    c.on('client_error', (e) => problems.push(e));
    await c.connect();
    const session = await c.updateSession({ instructions: 'ok' });
    assert.equal(session.instructions, 'ok');
    assert.deepEqual(problems.map((p) => p.code), ['invalid_json']);
    await c.close();
  });

  test('a refused handshake keeps its status', async () => {
    sim.setNextFaults({ refuseHandshake: { status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded' } });
    const error = await client().connect().catch((e: ConnectionError) => e);
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.status, 429);
    assert.match(error.message, /Throttling\.RateQuota/);
  });
});
