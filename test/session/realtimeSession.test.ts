/**
 * RealtimeSession end to end against the embedded simulator over a real socket on 127.0.0.1:
 * history, tools, barge-in, reconnect with the session restored, rollover, backpressure and the
 * bound on audio kept while disconnected.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RealtimeClient, RealtimeSession, tool, type PlaybackAdapter } from '../../src/index.js';
import { startMockServer } from '../client/mockServer.js';
import { closeAfter, LONG, MODEL, once, session, simulator, speak, speech } from './helpers.js';

describe('conversation', () => {
  test('two turns, with the history checked item by item', async () => {
    const { sim } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null, instructions: 'Be brief.' } });
    const first = await s.ask('Hello there').done;
    assert.equal(first.status, 'completed');
    assert.match(first.transcript, /Hello there/);
    assert.ok(first.audio.length > 0, 'reply audio');
    assert.equal(first.sampleRate, 24000);
    assert.ok(first.usage.total_tokens > 0);
    assert.ok(first.latency.firstAudioMs !== undefined && first.latency.firstTextMs !== undefined);
    const audio = new Int16Array(16000 * 2);
    for (let i = 0; i < audio.length; i++) audio[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16000));
    const second = await s.ask({ audio }).done;
    assert.equal(second.status, 'completed');
    assert.match(second.transcript, /2\.0 seconds/);
    const items = s.history.items;
    assert.deepEqual(items.map((i) => `${i.type}:${i.status}`), ['user:completed', 'assistant:completed', 'user:completed', 'assistant:completed']);
    assert.equal(items[0]?.type === 'user' && items[0].text, 'Hello there');
    assert.equal(items[1]?.type === 'assistant' && items[1].text, first.transcript);
    assert.ok(items[2]?.type === 'user' && Math.abs((items[2].audioMs ?? 0) - 2000) < 1);
    assert.equal(items[3]?.type === 'assistant' && items[3].text, second.transcript);
    assert.equal(s.metrics.turns, 2);
    assert.equal(s.metrics.totals.responses, 2);
    // 2 s of input audio at 7 tokens/s (§2.6): the estimate and what the service reported agree.
    assert.equal(s.metrics.estimated?.inputAudioTokens, 14);
    assert.equal(s.metrics.totals.inputAudioTokens, 14);
    assert.ok((s.metrics.estimated?.outputAudioTokens ?? 0) > 0);
  });

  test('past maxHistoryItems the oldest items are removed (item_removed, in order) and the session goes on', async () => {
    const { sim } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null }, maxHistoryItems: 3 });
    const removed: string[] = [];
    s.on('item_removed', (item) => removed.push(`${item.type}:${item.type === 'user' ? item.text : item.type === 'assistant' ? item.text : ''}`));
    const turns = ['one', 'two', 'three'];
    const replies: string[] = [];
    for (const text of turns) {
      const turn = await s.ask(text).done;
      assert.equal(turn.status, 'completed');
      replies.push(turn.transcript);
    }
    const items = s.history.items;
    assert.equal(items.length, 3);
    assert.deepEqual(items.map((i) => (i.type === 'user' || i.type === 'assistant' ? i.text : i.type)), [replies[1], 'three', replies[2]]);
    assert.deepEqual(removed, ['user:one', `assistant:${replies[0]}`, 'user:two']);
    assert.equal(s.history.get(items[0]!.id), items[0]);
    assert.throws(() => new RealtimeSession({ url: sim.url, apiKey: 'sk-test', maxHistoryItems: 0 }), /maxHistoryItems must be a whole number/);
  });
});

describe('tools', () => {
  const weather = tool({
    name: 'get_current_weather',
    description: 'Current weather of a city.',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    execute: ({ location }: { location: string }) => ({ location, weather: 'sunny', temperature_c: 21 }),
  });

  test('a call is executed automatically and the reply uses its output', async () => {
    const { sim, frames } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null }, tools: [weather] });
    const results: string[] = [];
    s.on('tool_result', (r) => results.push(r.status));
    const result = await s.ask('Please call get_current_weather for Hangzhou').done;
    assert.equal(result.status, 'completed');
    assert.deepEqual(results, ['ok']);
    assert.equal(result.toolCalls.length, 1);
    assert.match(result.transcript, /sunny/);
    assert.equal(result.responseIds.length, 2);
    const output = frames.find((f) => f.type === 'conversation.item.create' && (f.event.item as { type: string }).type === 'function_call_output');
    assert.ok(output, 'function_call_output sent');
    assert.deepEqual(s.history.items.map((i) => i.type), ['user', 'function_call', 'function_call_output', 'assistant']);
  });

  test('a tool that throws and one that times out are reported to the model, not thrown', async () => {
    const { sim } = await simulator();
    const broken = tool({ name: 'get_current_weather', parameters: { type: 'object' }, execute: () => { throw new Error('weather service down'); } });
    const s = await session(sim.url, { session: { turn_detection: null }, tools: [broken] });
    const r1 = await s.ask('call get_current_weather').done;
    assert.equal(r1.status, 'completed');
    assert.equal(r1.toolCalls[0]?.status, 'failed');
    assert.match(r1.transcript, /weather service down/);
    const { sim: sim2 } = await simulator();
    const slow = tool({ name: 'get_current_weather', parameters: { type: 'object' }, timeoutMs: 100, execute: (_a, { signal }) => new Promise((r) => signal.addEventListener('abort', () => r('late'))) });
    const s2 = await session(sim2.url, { session: { turn_detection: null }, tools: [slow] });
    const r2 = await s2.ask('call get_current_weather').done;
    assert.equal(r2.toolCalls[0]?.status, 'timeout');
    assert.match(r2.transcript, /timed out/);
  });
});

describe('interruption', () => {
  test('speech during a reply (VAD) stops playback and marks the item interrupted with the heard part', async () => {
    const long = LONG;
    const { sim } = await simulator({ speed: 1, responder: () => ({ text: long }) });
    let written = 0;
    const playback: PlaybackAdapter = {
      write: (pcm) => {
        written += pcm.length;
      },
      stop: () => Math.floor(written / 2),
    };
    const s = await session(sim.url, { session: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } }, playback });
    const turn = s.ask('Tell me a long story');
    const firstAudio = turn.audio[Symbol.asyncIterator]();
    await firstAudio.next();
    await new Promise((r) => setTimeout(r, 400));
    const interrupted = once<{ itemId: string | undefined; heardMs: number; heardText: string }>((fn) => s.on('interrupted', fn), 8000);
    await speak(s, speech());
    const info = await interrupted;
    const result = await turn.done;
    assert.equal(result.status, 'interrupted');
    assert.ok(info.heardMs > 0, 'something was heard');
    const item = s.history.items.find((i) => i.id === info.itemId);
    assert.ok(item && item.type === 'assistant');
    assert.equal(item.status, 'interrupted');
    assert.ok(item.heard && item.heard.text.length > 0 && item.heard.text.length < long.length, `heard part: ${item.heard?.text}`);
    assert.ok(long.startsWith(item.heard.text.slice(0, 20)));
  });
});

describe('reconnect', () => {
  test('a connection dropped mid-reply is restored (configuration, tools, history) and the next turn is answered', async () => {
    let dropped = false;
    const { sim, frames } = await simulator({
      faults: (info) => {
        if (info.index !== 0) return undefined;
        return { dropAfterEvents: 14 };
      },
    });
    const weather = tool({ name: 'get_current_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } }, execute: () => 'sunny' });
    const s = await session(sim.url, { session: { turn_detection: null, instructions: 'You are Xiaoyun.', voice: 'Ethan' }, tools: [weather], reconnect: { baseDelayMs: 20 } });
    const reconnected = once<{ reason: string; restored: { items: number; tools: number } }>((fn) => s.on('reconnected', fn), 8000);
    s.on('reconnecting', () => (dropped = true));
    const first = await s.ask('My name is Ada.').done;
    // The first reply completes before the drop or fails with it; either way the session comes back.
    const info = await reconnected;
    assert.equal(dropped, true);
    assert.equal(info.reason, 'dropped');
    assert.equal(info.restored.tools, 1);
    // Checked after the next turn: by then the simulator has received everything sent before it.
    const next = await s.ask('What is my name?').done;
    assert.equal(next.status, 'completed');
    assert.ok(next.transcript.length > 0);
    const updates = frames.filter((f) => f.type === 'session.update');
    const last = updates.at(-1)!.event.session as { instructions?: string; voice?: string; tools?: unknown[] };
    assert.ok(updates.length >= 2, 'session.update replayed');
    assert.equal(last.voice, 'Ethan');
    assert.match(String(last.instructions), /Xiaoyun/);
    assert.equal(last.tools?.length, 1);
    const restoredItems = frames.filter((f) => f.index > 0 && f.type === 'conversation.item.create' && (f.event.item as { type: string }).type === 'message');
    assert.ok(restoredItems.some((f) => JSON.stringify(f.event).includes('My name is Ada.')), `history carried over: ${JSON.stringify(frames.filter((f) => f.index > 0).map((f) => f.type))}`);
    assert.ok(['completed', 'failed'].includes(first.status));
  });

  test('audio appended while disconnected is buffered up to the bound, the rest dropped and reported', async () => {
    const { sim } = await simulator({
      faults: (info) => (info.index === 0 ? { dropAfterMs: 200 } : info.index === 1 ? { refuseHandshake: { status: 503, code: 'ServiceUnavailable', message: 'busy' } } : undefined),
    });
    const s = await session(sim.url, { session: { turn_detection: null }, disconnectedAudioMs: 500, reconnect: { baseDelayMs: 300, maxDelayMs: 400 } });
    const drops: Array<{ droppedMs: number; totalDroppedMs: number }> = [];
    s.on('audio_dropped', (d) => drops.push(d));
    await once((fn) => s.on('reconnecting', fn), 3000);
    for (let i = 0; i < 20; i++) await s.appendAudio(new Int16Array(1600));
    await once((fn) => s.on('reconnected', fn), 8000);
    assert.ok(drops.length > 0, 'audio_dropped emitted');
    assert.equal(Math.round(drops.at(-1)!.totalDroppedMs), 1500);
  });
});

describe('backpressure', () => {
  test('a producer faster than the socket is held back, not buffered without bound', async () => {
    const server = await startMockServer();
    closeAfter(() => server.close());
    const s = new RealtimeSession({ apiKey: 'sk-test', url: server.url, model: MODEL, keepaliveMs: false, sendHighWaterMark: 256 * 1024, reconnect: false });
    closeAfter(() => s.close());
    await s.connect();
    const raw = server.socket() as unknown as { _socket: { pause(): void; resume(): void } };
    raw._socket.pause();
    const chunk = new Int16Array(16000); // 1 s of audio, ~43 KB of JSON
    let held = false;
    let maxBuffered = 0;
    for (let i = 0; i < 400 && !held; i++) {
      const sent = s.appendAudio(chunk);
      const state = await Promise.race([sent.then(() => 'sent'), new Promise((r) => setTimeout(() => r('held'), 300))]);
      maxBuffered = Math.max(maxBuffered, (s.client as RealtimeClient).bufferedAmount);
      if (state === 'held') held = true;
    }
    assert.ok(held, 'appendAudio eventually waits for the socket');
    assert.ok(maxBuffered < 256 * 1024 + 64 * 1024, `client buffer stays near the high-water mark (${maxBuffered})`);
    raw._socket.resume();
    await server.waitForFrames(10, 5000);
  });
});

describe('keepalive', () => {
  test('a peer that stops answering pings is treated as a dropped connection', async () => {
    const server = await startMockServer();
    closeAfter(() => server.close());
    const s = new RealtimeSession({ apiKey: 'sk-test', url: server.url, model: MODEL, keepaliveMs: 200, reconnect: { baseDelayMs: 20 } });
    closeAfter(() => s.close());
    await s.connect();
    const raw = server.socket() as unknown as { _socket: { pause(): void } };
    raw._socket.pause(); // the server stops reading: no pong comes back
    const reconnecting = await once<{ error: Error }>((fn) => s.on('reconnecting', fn), 5000);
    assert.match(reconnecting.error.message, /1006/);
    await once((fn) => s.on('reconnected', fn), 5000);
    assert.equal(s.state, 'open');
  });
});

describe('close()', () => {
  for (const answer of ['session.finished', 'error'] as const) {
    test(`session.finish answered with ${answer} (§0.1.1): the session closes quietly, no error event`, async () => {
      const { sim, frames } = await simulator({ sessionFinish: answer });
      const s = await session(sim.url, { session: { turn_detection: null } });
      const errors: Error[] = [];
      s.on('error', (e) => errors.push(e));
      const closed = once<{ error?: Error }>((fn) => s.on('close', fn), 5000);
      await s.close();
      assert.deepEqual(await closed, {}, 'a clean close');
      assert.ok(frames.some((f) => f.type === 'session.finish'), 'session.finish was sent');
      assert.deepEqual(errors.map((e) => e.message), []);
      assert.equal(s.state, 'closed');
    });
  }
});
