/**
 * RealtimeClient against a local WebSocket server on 127.0.0.1: the exact JSON of every sender,
 * the handshake, receiving, and the typed errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { RealtimeClient, ServerError, ConnectionError, TimeoutError, ValidationError, type AnyServerEvent, type RealtimeError, type SessionConfig } from '../../src/index.js';
import { SESSION, startMockServer, type MockServer } from './mockServer.js';

const KEY = 'sk-testkey-0123456789abcdefghijklmnop';
const EVENT_ID = /^event_[0-9a-f]{32}$/;
const silentLogger = { warn: () => {} };

async function connected(server: MockServer, extra: Partial<ConstructorParameters<typeof RealtimeClient>[0]> = {}) {
  const client = new RealtimeClient({ apiKey: KEY, url: server.url, model: 'qwen3.5-omni-plus-realtime', logger: silentLogger, ...extra });
  await client.connect();
  return client;
}

/** A minimal JPEG: SOI, an SOF0 header for 2×2 pixels, EOI. */
function tinyJpeg(): Uint8Array {
  return Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x02, 0x00, 0x02, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
}

describe('handshake', () => {
  let server: MockServer;
  before(async () => {
    server = await startMockServer();
  });
  after(() => server.close());

  test('sends the path, the model query, Bearer auth, a user-agent and the workspace header', async () => {
    const client = await connected(server, { workspaceId: 'ws-123', headers: { 'X-Custom': 'yes', Authorization: 'Bearer override' } });
    const hs = server.handshakes.at(-1)!;
    assert.equal(hs.path, '/api-ws/v1/realtime');
    assert.equal(hs.query.get('model'), 'qwen3.5-omni-plus-realtime');
    assert.equal(hs.headers.authorization, `Bearer ${KEY}`);
    assert.match(String(hs.headers['user-agent']), /^dashscope-realtime\/\d+\.\d+\.\d+; node\/\d+\.\d+\.\d+; platform\/\w+; processor\/\w+$/);
    assert.equal(hs.headers['x-dashscope-workspace'], 'ws-123');
    assert.equal(hs.headers['x-custom'], 'yes');
    assert.equal(hs.headers['openai-beta'], undefined);
    assert.equal(client.session?.id, SESSION.id);
    await client.close();
  });

  test('connect() resolves with the session of session.created', async () => {
    const client = new RealtimeClient({ apiKey: async () => KEY, url: server.url, logger: silentLogger });
    const session = await client.connect();
    assert.equal(session.id, SESSION.id);
    assert.equal(client.isConnected, true);
    await client.close();
    assert.equal(client.state, 'closed');
  });

  test('builds the regional and workspace URLs', () => {
    const env = { DASHSCOPE_API_KEY: KEY };
    assert.equal(new RealtimeClient({ env }).url, 'wss://dashscope.aliyuncs.com/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime');
    assert.equal(new RealtimeClient({ env, region: 'singapore', model: 'qwen3-omni-flash-realtime' }).url, 'wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime?model=qwen3-omni-flash-realtime');
    assert.equal(new RealtimeClient({ env: { ...env, DASHSCOPE_REGION: 'singapore', DASHSCOPE_WORKSPACE_ID: 'llm-abc' } }).url, 'wss://llm-abc.ap-southeast-1.maas.aliyuncs.com/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime');
    assert.equal(new RealtimeClient({ env: { ...env, DASHSCOPE_REALTIME_URL: 'ws://localhost:9/api-ws/v1/realtime' } }).url, 'ws://localhost:9/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime');
  });

  test('refuses bad options before connecting', () => {
    const env = {};
    assert.throws(() => new RealtimeClient({ env }), (e: ValidationError) => e instanceof ValidationError && e.param === 'apiKey' && /DASHSCOPE_API_KEY/.test(e.message));
    assert.throws(() => new RealtimeClient({ env, apiKey: KEY, region: 'mars' as never }), (e: ValidationError) => e.param === 'region' && /beijing, singapore/.test(e.message));
    assert.throws(() => new RealtimeClient({ env, apiKey: KEY, url: 'ws://example.com/api-ws/v1/realtime' }), (e: ValidationError) => e.param === 'url' && /allowInsecure/.test(e.message));
    assert.doesNotThrow(() => new RealtimeClient({ env, apiKey: KEY, url: 'ws://example.com/api-ws/v1/realtime', allowInsecure: true }));
    assert.throws(() => new RealtimeClient({ env, apiKey: KEY, model: 'qwen-nope' }), (e: ValidationError) => e.param === 'model' && /validate: false/.test(e.message));
    assert.doesNotThrow(() => new RealtimeClient({ env, apiKey: KEY, model: 'qwen-nope', validate: false }));
    assert.throws(() => new RealtimeClient({ env, apiKey: KEY, timeouts: { connectMs: Number.NaN } }), (e: ValidationError) => e.param === 'timeouts.connectMs');
  });

  test('never shows the key in inspect, toString or JSON', () => {
    const client = new RealtimeClient({ apiKey: KEY, env: {} });
    for (const text of [inspect(client, { showHidden: true, depth: 5 }), String(client), JSON.stringify(client)]) {
      assert.ok(!text.includes(KEY), text);
    }
  });
});

describe('handshake failures', () => {
  test('HTTP 401 becomes an AuthenticationError with status, body and request id, without the key', async () => {
    const body = JSON.stringify({ code: 'InvalidApiKey', message: `Invalid API-key provided: ${KEY}`, request_id: 'req-42' });
    const server = await startMockServer({ refuse: { status: 401, body, headers: { 'x-request-id': 'req-42' } } });
    try {
      const client = new RealtimeClient({ apiKey: KEY, url: server.url, logger: silentLogger });
      const error = await client.connect().then(() => assert.fail('connected'), (e: RealtimeError) => e);
      assert.equal(error.name, 'AuthenticationError');
      assert.equal(error.code, 'authentication_failed');
      const auth = error as unknown as { status: number; response: { body: string; requestIds: Record<string, string> } };
      assert.equal(auth.status, 401);
      assert.match(auth.response.body, /InvalidApiKey/);
      assert.equal(auth.response.requestIds['x-request-id'], 'req-42');
      // Not a DashScope host: regions are not the cause (issue 17.1).
      assert.doesNotMatch(error.message, /region|DashScope/);
      assert.ok(!error.message.includes(KEY) && !auth.response.body.includes(KEY), 'key leaked');
      assert.equal(client.state, 'closed');
    } finally {
      await server.close();
    }
  });

  test('HTTP 429 is a ConnectionError with the status', async () => {
    const server = await startMockServer({ refuse: { status: 429, body: '{"code":"Throttling","message":"Requests rate limit exceeded"}' } });
    try {
      const error = await new RealtimeClient({ apiKey: KEY, url: server.url, logger: silentLogger }).connect().catch((e: ConnectionError) => e);
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.code, 'handshake_failed');
      assert.equal(error.status, 429);
      assert.match(error.message, /Throttling/);
    } finally {
      await server.close();
    }
  });

  test('a server that never sends session.created times out', async () => {
    const server = await startMockServer({ sessionCreated: false });
    try {
      const error = await new RealtimeClient({ apiKey: KEY, url: server.url, timeouts: { connectMs: 300 }, logger: silentLogger }).connect().catch((e: Error) => e);
      assert.ok(error instanceof TimeoutError, String(error));
    } finally {
      await server.close();
    }
  });

  test('nothing listening is a ConnectionError', async () => {
    const server = await startMockServer();
    const url = server.url;
    await server.close();
    const error = await new RealtimeClient({ apiKey: KEY, url, logger: silentLogger }).connect().catch((e: Error) => e);
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.code, 'connection_failed');
  });
});

describe('senders build the exact JSON of protocol.md §3', () => {
  let server: MockServer;
  let client: RealtimeClient;
  before(async () => {
    server = await startMockServer({
      onFrame: (frame, s) => {
        if (frame.type === 'session.update') {
          const session = frame.session as { voice?: string };
          if (session.voice === 'Serena') {
            s.send({ event_id: 'event_e1', type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'Voice rejected by test', param: 'session.voice', event_id: frame.event_id } });
          } else {
            s.send({ event_id: 'event_u1', type: 'session.updated', session: { ...SESSION, ...(frame.session as object) } });
          }
        }
      },
    });
    client = await connected(server);
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  async function lastFrames(n: number, act: () => unknown) {
    const before = server.received.length;
    await act();
    return (await server.waitForFrames(before + n)).slice(before);
  }

  test('updateSession sends session.update and resolves with session.updated', async () => {
    const config = { modalities: ['text', 'audio'] as ('text' | 'audio')[], voice: 'Cherry', instructions: 'Be brief.', turn_detection: null, audio: { input: { format: { type: 'pcm' as const, sample_rate: 16000 } } } };
    let session;
    const [frame] = await lastFrames(1, async () => {
      session = await client.updateSession(config);
    });
    assert.match(String(frame!.event_id), EVENT_ID);
    assert.deepEqual(frame, { event_id: frame!.event_id, type: 'session.update', session: config });
    assert.deepEqual(Object.keys(frame!), ['event_id', 'type', 'session']);
    assert.equal((session as unknown as { instructions: string }).instructions, 'Be brief.');
  });

  test('off() removes a once() listener, and of a function added both ways the latest registration', async () => {
    const calls: string[] = [];
    const onlyOnce = () => calls.push('once');
    client.once('session.updated', onlyOnce);
    client.off('session.updated', onlyOnce);
    const both = () => calls.push('both');
    client.on('session.updated', both);
    client.once('session.updated', both);
    client.off('session.updated', both); // the once() registration, the latest
    await client.updateSession({ instructions: 'one' });
    await client.updateSession({ instructions: 'two' });
    client.off('session.updated', both);
    await client.updateSession({ instructions: 'three' });
    assert.deepEqual(calls, ['both', 'both']);
    assert.equal(client.listenerCount('session.updated'), 0);
  });

  test('updateSession accepts the legacy flat audio fields too', async () => {
    const [frame] = await lastFrames(1, () => client.updateSession({ input_audio_format: 'pcm16', output_audio_format: 'pcm24' }));
    assert.deepEqual(frame!.session, { input_audio_format: 'pcm16', output_audio_format: 'pcm24' });
  });

  test('updateSession rejects with the server error matched by event_id', async () => {
    const error = await client.updateSession({ voice: 'Serena' }).catch((e: ServerError) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.param, 'session.voice');
    assert.equal(error.code, 'invalid_value');
    assert.match(String(error.eventId), EVENT_ID);
  });

  test('appendAudio: every input form gives the same base64', async () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768, 7]);
    const bytes = new Uint8Array(samples.buffer);
    const b64 = Buffer.from(bytes).toString('base64');
    const frames = await lastFrames(5, async () => {
      await client.appendAudio(samples);
      await client.appendAudio(bytes);
      await client.appendAudio(bytes.buffer.slice(0));
      await client.appendAudio(Buffer.from(bytes));
      await client.appendAudio(b64);
    });
    for (const frame of frames) {
      assert.deepEqual(Object.keys(frame), ['event_id', 'type', 'audio']);
      assert.equal(frame.type, 'input_audio_buffer.append');
      assert.equal(frame.audio, b64);
      assert.match(String(frame.event_id), EVENT_ID);
    }
  });

  test('appendAudio converts Float32 stereo 48 kHz to PCM16 mono at the session rate, streaming across chunks', async () => {
    const frames = 4800; // 100 ms
    const stereo = new Float32Array(frames * 2);
    for (let i = 0; i < frames; i++) stereo[2 * i] = stereo[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000);
    const sent = await lastFrames(4, async () => {
      await client.appendAudio(stereo.subarray(0, 4800), { sampleRate: 48000, channels: 2 });
      await client.appendAudio(stereo.subarray(4800), { sampleRate: 48000, channels: 2 });
      client.commitAudio(); // flushes the resampler's tail first
    });
    assert.deepEqual(sent.map((f) => f.type), ['input_audio_buffer.append', 'input_audio_buffer.append', 'input_audio_buffer.append', 'input_audio_buffer.commit']);
    const pcm = sent.slice(0, 3).flatMap((f) => {
      const bytes = Buffer.from(String(f.audio), 'base64');
      return Array.from(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
    });
    assert.equal(pcm.length, 1600, 'exactly 100 ms at 16 kHz');
    const peak = pcm.slice(100, 1500).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak > 15500 && peak < 17000, `peak ${peak} should be near 0.5 full scale`);
  });

  test('appendImage, commitAudio, clearAudio, createResponse, cancelResponse', async () => {
    const jpeg = tinyJpeg();
    const frames = await lastFrames(7, async () => {
      await client.appendAudio(new Int16Array(160));
      await client.appendImage(jpeg, { mimeType: 'image/jpeg' });
      client.commitAudio();
      client.clearAudio();
      client.createResponse();
      client.createResponse({ instructions: null, modalities: ['audio', 'text'] });
      client.cancelResponse();
    });
    const strip = (f: Record<string, unknown>) => {
      assert.match(String(f.event_id), EVENT_ID);
      const { event_id: _id, ...rest } = f;
      return rest;
    };
    assert.deepEqual(frames.slice(1).map(strip), [
      { type: 'input_image_buffer.append', image: Buffer.from(jpeg).toString('base64') },
      { type: 'input_audio_buffer.commit' },
      { type: 'input_audio_buffer.clear' },
      { type: 'response.create' },
      { type: 'response.create', response: { instructions: null, modalities: ['audio', 'text'] } },
      { type: 'response.cancel' },
    ]);
  });

  test('sendFunctionCallOutput, sendText and send', async () => {
    const frames = await lastFrames(4, () => {
      client.sendFunctionCallOutput('call_abc', '{"temperature_c":21}');
      client.sendFunctionCallOutput('call_def', { ok: true });
      client.sendText('Hello there');
      client.send({ type: 'input_audio_buffer.clear', event_id: 'event_custom' });
    });
    const item0 = frames[0]!.item as Record<string, unknown>;
    assert.equal(frames[0]!.type, 'conversation.item.create');
    assert.match(String(item0.id), /^item_[0-9a-f]{32}$/);
    assert.deepEqual({ ...item0, id: 'x' }, { id: 'x', type: 'function_call_output', call_id: 'call_abc', output: '{"temperature_c":21}' });
    assert.equal((frames[1]!.item as { output: string }).output, '{"ok":true}');
    assert.deepEqual(frames[2]!.item, { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] });
    assert.deepEqual(frames[3], { event_id: 'event_custom', type: 'input_audio_buffer.clear' });
  });

  test('bad input is refused with a ValidationError and nothing is sent', async () => {
    const before = server.received.length;
    const refusals: Array<[() => unknown, RegExp]> = [
      [() => client.appendAudio(new Uint8Array(0)), /empty/],
      [() => client.appendAudio(new Uint8Array(3)), /odd/],
      [() => client.appendAudio('not base64!'), /base64/],
      [() => client.appendAudio(new Float32Array(10)), /sampleRate/],
      [() => client.appendAudio(new Float32Array(10), { sampleRate: Number.NaN }), /sampleRate/],
      [() => client.appendAudio(new Float32Array([0, Number.NaN]), { sampleRate: 16000 }), /NaN/],
      [() => client.appendImage(new Uint8Array(0)), /empty|0 bytes|zero/i],
      [() => client.appendImage(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])), /JPEG/],
      [() => client.appendImage(tinyJpeg(), { mimeType: 'image/gif' }), /JPEG/],
      [() => client.sendText(''), /non-empty/],
      [() => client.sendFunctionCallOutput('', 'x'), /callId/],
      [() => client.createResponse({ modalities: ['audio'] }), /Invalid modalities/],
      [() => client.send({} as never), /type/],
    ];
    for (const [act, message] of refusals) {
      assert.throws(act, (e: Error) => e instanceof ValidationError && message.test(e.message), String(message));
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.received.length, before, 'a refused call sent a frame');
  });

  test('image before any audio of the turn is refused', async () => {
    client.clearAudio();
    assert.throws(() => client.appendImage(tinyJpeg()), (e: Error) => e instanceof ValidationError && /append audio before/.test(e.message));
    assert.throws(() => client.commitAudio(), (e: Error) => e instanceof ValidationError && /empty/.test(e.message));
  });
});

describe('session configuration is validated against the model catalog', () => {
  let server: MockServer;
  before(async () => {
    server = await startMockServer();
  });
  after(() => server.close());

  const cases: Array<[string, string, SessionConfig, string, RegExp]> = [
    ['a voice the model lacks', 'qwen3.5-omni-plus-realtime', { voice: 'Vivian' }, 'session.voice', /Voice 'Vivian' is not supported/],
    ['tools on a model without tools', 'qwen3-omni-flash-realtime', { tools: [{ type: 'function', function: { name: 'get_weather' } }] }, 'session.tools', /does not support function calling/],
    ['tools together with enable_search', 'qwen3.5-omni-plus-realtime', { enable_search: true, tools: [{ type: 'function', function: { name: 'get_weather' } }] }, 'session.tools', /cannot be used together/],
    ['an unsupported audio format', 'qwen3.5-omni-plus-realtime', { audio: { input: { format: { type: 'opus' as 'pcm' } } } }, 'session.audio.input.format.type', /'pcm', 'wav'/],
    ['an unsupported sample rate', 'qwen3.5-omni-plus-realtime', { audio: { output: { format: { type: 'pcm', sample_rate: 44100 } } } }, 'session.audio.output.format.sample_rate', /8000, 16000, 24000, 48000/],
    ['an unsupported legacy format', 'qwen3-omni-flash-realtime', { input_audio_format: 'opus' }, 'session.input_audio_format', /'pcm'/],
    ['an out-of-range VAD threshold', 'qwen3.5-omni-plus-realtime', { turn_detection: { type: 'server_vad', threshold: 1.5 } }, 'session.turn_detection.threshold', /\[-1, 1\]/],
    ['an out-of-range silence duration', 'qwen3.5-omni-plus-realtime', { turn_detection: { type: 'server_vad', silence_duration_ms: 50 } }, 'session.turn_detection.silence_duration_ms', /\[200, 6000\]/],
    ['semantic VAD on qwen3-omni-flash', 'qwen3-omni-flash-realtime', { turn_detection: { type: 'semantic_vad' } }, 'session.turn_detection.type', /semantic_vad/],
    ['bad modalities', 'qwen3.5-omni-plus-realtime', { modalities: ['audio'] }, 'session.modalities', /Supported combinations are/],
    ['sampling on turbo', 'qwen-omni-turbo-realtime', { temperature: 0.5 }, 'session.temperature', /does not allow changing sampling/],
  ];

  for (const [name, model, config, param, message] of cases) {
    test(name, async () => {
      const client = new RealtimeClient({ apiKey: KEY, url: server.url, model, logger: silentLogger });
      await client.connect();
      const before = server.received.length;
      try {
        await assert.rejects(client.updateSession(config), (e: ValidationError) => e instanceof ValidationError && e.param === param && message.test(e.message) && e.allowed !== undefined || (e.param === param && message.test(e.message)));
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(server.received.length, before, 'nothing must be sent');
      } finally {
        await client.close();
      }
    });
  }

  test('validate: false sends what the catalog would refuse', async () => {
    const client = new RealtimeClient({ apiKey: KEY, url: server.url, model: 'qwen3-omni-flash-realtime', validate: false, logger: silentLogger, timeouts: { requestMs: 200 } });
    await client.connect();
    const before = server.received.length;
    await client.updateSession({ voice: 'NoSuchVoice' }).catch(() => {});
    assert.equal(server.received.length, before + 1);
    await client.close();
  });
});

describe('receiving', () => {
  let server: MockServer;
  before(async () => {
    server = await startMockServer();
  });
  after(() => server.close());

  test('every server-event example of protocol.md §4 parses into its typed event', async () => {
    const { events } = JSON.parse(readFileSync(new URL('../fixtures/protocol/server-events.json', import.meta.url), 'utf8')) as { events: Array<Record<string, unknown>> };
    const client = await connected(server);
    const seen: AnyServerEvent[] = [];
    const problems: RealtimeError[] = [];
    client.on('*', (e) => seen.push(e));
    client.on('client_error', (e) => problems.push(e));
    for (const event of events) server.send(event);
    const last = events.at(-1)!;
    await client.waitFor(last.type as 'session.finished', { timeoutMs: 2000 });
    assert.deepEqual(problems, []);
    assert.equal(seen.length, events.length);
    seen.forEach((e, i) => {
      assert.equal(e.type, events[i]!.type);
      assert.deepEqual(e, events[i]);
    });
    await client.close();
  });

  test('typed listeners, once, off and waitFor with a filter', async () => {
    const client = await connected(server);
    const deltas: string[] = [];
    const off = client.on('response.audio_transcript.delta', (e) => deltas.push(e.delta));
    let onceCount = 0;
    client.once('response.audio_transcript.delta', () => onceCount++);
    const waiting = client.waitFor('response.audio_transcript.delta', { filter: (e) => e.delta === 'b' });
    for (const delta of ['a', 'b', 'c']) server.send({ event_id: `event_${delta}`, type: 'response.audio_transcript.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta });
    assert.equal((await waiting).delta, 'b');
    await client.waitFor('response.audio_transcript.delta', { filter: (e) => e.delta === 'c', timeoutMs: 1000 }).catch(() => {});
    off();
    server.send({ event_id: 'event_d', type: 'response.audio_transcript.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: 'd' });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(deltas, ['a', 'b', 'c']);
    assert.equal(onceCount, 1);
    await assert.rejects(client.waitFor('response.done', { timeoutMs: 30 }), TimeoutError);
    const ac = new AbortController();
    const aborted = client.waitFor('response.done', { signal: ac.signal });
    ac.abort();
    await assert.rejects(aborted, (e: Error) => e.name === 'AbortError');
    await client.close();
  });

  test('an unknown event, a binary frame and a malformed frame reach the user and the session keeps working', async () => {
    const client = await connected(server);
    const errors: RealtimeError[] = [];
    client.on('client_error', (e) => errors.push(e));
    const iterated: string[] = [];
    const iteration = (async () => {
      for await (const event of client) {
        iterated.push(event.type === 'unknown' ? `unknown:${event.event.type}` : event.type);
        if (event.type === 'session.finished') break;
      }
    })();
    server.send({ event_id: 'event_x', type: 'response.future_feature', detail: 1 });
    server.send(Buffer.from([1, 2, 3]));
    server.send('{"type": "response.done", oops');
    server.send({ event_id: 'event_y', type: 'response.audio.delta', delta: 42 });
    server.send({ event_id: 'event_z', type: 'error', error: { type: 'invalid_request_error', code: '', message: 'Error append image before append audio.', param: '', event_id: '' } });
    server.send({ event_id: 'event_f', type: 'session.finished' });
    await iteration;
    assert.deepEqual(iterated, ['unknown:response.future_feature', 'error', 'session.finished']);
    assert.deepEqual(errors.map((e) => e.code), ['binary_frame', 'invalid_json', 'invalid_event']);
    assert.ok(errors.every((e) => !e.message.includes(KEY)));
    assert.equal(client.isConnected, true);
    server.send({ event_id: 'event_g', type: 'input_audio_buffer.cleared' });
    await client.waitFor('input_audio_buffer.cleared', { timeoutMs: 1000 });
    await client.close();
  });

  test('a listener that throws is reported and does not stop delivery', async () => {
    const client = await connected(server);
    const errors: RealtimeError[] = [];
    client.on('client_error', (e) => errors.push(e));
    client.on('input_audio_buffer.cleared', () => {
      throw new Error('boom');
    });
    const got = client.waitFor('input_audio_buffer.cleared', { timeoutMs: 1000 });
    server.send({ event_id: 'event_c', type: 'input_audio_buffer.cleared' });
    await got;
    assert.equal(errors[0]?.code, 'listener_error');
    await client.close();
  });

  test('the iterator ends when the socket closes, and an unexpected close is a ConnectionError', async () => {
    const client = await connected(server);
    const closes: Array<{ code: number; error?: ConnectionError }> = [];
    client.on('close', (info) => closes.push(info));
    const pending = client.waitFor('response.done', { timeoutMs: 5000 });
    const iteration = (async () => {
      let n = 0;
      for await (const _ of client) n++;
      return n;
    })();
    server.socket().close(1011, 'server failure');
    await assert.rejects(pending, (e: ConnectionError) => e instanceof ConnectionError && e.closeCode === 1011);
    assert.equal(await iteration, 0);
    assert.equal(closes[0]?.code, 1011);
    assert.equal(closes[0]?.error?.closeReason, 'server failure');
    assert.throws(() => client.commitAudio(), (e: Error) => e instanceof ConnectionError && e.code === 'not_connected');
  });

  test('a slow iterator pauses reading instead of buffering without bound', async () => {
    const client = await connected(server, { maxQueuedEvents: 8 });
    const iterator = client.events();
    for (let i = 0; i < 200; i++) server.send({ event_id: `event_${i}`, type: 'input_audio_buffer.cleared' });
    await new Promise((r) => setTimeout(r, 100));
    let count = 0;
    const deadline = Date.now() + 5000;
    while (count < 200 && Date.now() < deadline) {
      const next = await iterator.next();
      if (next.done) break;
      count++;
    }
    assert.equal(count, 200, 'every event arrives, in order, after the pause');
    await iterator.return?.();
    await client.close();
  });
});

describe('finish', () => {
  test('sends session.finish, waits for session.finished, then closes with 1000', async () => {
    const server = await startMockServer({
      onFrame: (frame, s) => {
        if (frame.type === 'session.finish') s.send({ event_id: 'event_fin', type: 'session.finished' });
      },
    });
    try {
      const client = await connected(server);
      const closeCode = new Promise<number>((resolve) => server.socket().on('close', (code) => resolve(code)));
      assert.deepEqual(await client.finish(), { finished: true, reason: 'session.finished' });
      assert.equal(await closeCode, 1000);
      assert.equal(server.received.at(-1)?.type, 'session.finish');
      assert.equal(client.state, 'closed');
    } finally {
      await server.close();
    }
  });

  test('an error answer (qwen3.5-omni-flash, §0.1.1) closes quietly; silence times out and closes', async () => {
    const server = await startMockServer({
      onFrame: (frame, s) => {
        if (frame.type === 'session.finish' && s.handshakes.length === 1) {
          s.send({ event_id: 'event_err', type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'invalid event type', param: '', event_id: frame.event_id } });
        }
      },
    });
    try {
      const a = await connected(server);
      assert.deepEqual(await a.finish(), { finished: false, reason: 'error' });
      assert.equal(a.state, 'closed');
      const b = await connected(server);
      assert.deepEqual(await b.finish({ timeoutMs: 100 }), { finished: false, reason: 'timeout' });
      assert.equal(b.state, 'closed');
    } finally {
      await server.close();
    }
  });
});
