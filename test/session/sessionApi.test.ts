/**
 * The session API against the simulator over a real socket: `updateSession` (merged, answered,
 * replayed by every reconnect), `once`/`off`/`waitFor` and listeners that survive reconnects,
 * requests that never overlap (§3.6), and the silence `ask({ audio })` appends in VAD mode.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectionError, RealtimeSession, TimeoutError, ValidationError, tool, type HistoryItem, type Turn } from '../../src/index.js';
import { once, session, simulator, within } from './helpers.js';

const weather = tool<{ location: string }>({
  name: 'get_current_weather',
  description: 'Current weather of a city.',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  execute: ({ location }) => ({ location, weather: 'sunny' }),
});

describe('updateSession', () => {
  test('merges, resolves with the answer, and is what a reconnect replays (tools included)', async () => {
    const { sim, frames } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null, voice: 'Ethan', instructions: 'Be brief.' }, reconnect: { baseDelayMs: 10 } });
    const answer = await s.updateSession({ instructions: 'You are Xiaoyun.', tools: [weather] });
    assert.equal(answer.instructions, 'You are Xiaoyun.');
    assert.equal(answer.voice, 'Ethan', 'the rest of the configuration is kept');
    assert.equal(s.config.instructions, 'You are Xiaoyun.');
    s.client.terminate(); // the connection drops
    const info = await once<{ restored: { tools: number } }>((fn) => s.on('reconnected', fn), 5000);
    assert.equal(info.restored.tools, 1);
    const replay = frames.filter((f) => f.index === 1 && f.type === 'session.update').at(-1)!.event.session as { instructions?: string; voice?: string; tools?: unknown[] };
    assert.equal(replay.instructions, 'You are Xiaoyun.', 'not reverted by the reconnect');
    assert.equal(replay.voice, 'Ethan');
    assert.equal(replay.tools?.length, 1);
    const result = await within(s.ask('Please call get_current_weather for Hangzhou').done, 5000, 'turn');
    assert.equal(result.toolCalls[0]?.status, 'ok', 'the tool added by updateSession runs');
  });

  test('made while the session reconnects, it waits for the new connection and is kept from then on', async () => {
    const { sim, frames } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null }, reconnect: { baseDelayMs: 150, maxDelayMs: 200 } });
    s.client.terminate();
    await once((fn) => s.on('reconnecting', fn), 3000);
    const answer = await within(s.updateSession({ instructions: 'Changed while away.' }), 5000, 'the update');
    assert.equal(answer.instructions, 'Changed while away.');
    s.client.terminate();
    await once((fn) => s.on('reconnected', fn), 5000);
    const last = frames.filter((f) => f.type === 'session.update').at(-1)!;
    assert.equal((last.event.session as { instructions?: string }).instructions, 'Changed while away.');
  });

  test('two calls in flight each resolve with their own answer; a refused one changes nothing', async () => {
    const { sim } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null } });
    const [a, b] = await Promise.all([s.updateSession({ instructions: 'First.' }), s.updateSession({ temperature: 0.5 })]);
    assert.equal(a.instructions, 'First.');
    assert.notEqual(a.temperature, 0.5);
    assert.equal(b.instructions, 'First.');
    assert.equal(b.temperature, 0.5);
    await assert.rejects(s.updateSession({ voice: 'NoSuchVoice' }));
    assert.equal(s.config.voice, undefined);
  });

  test('refuses bad input and an unopened session with typed errors', async () => {
    const { sim } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null } });
    await assert.rejects(s.updateSession(null as never), /updateSession: pass an object/);
    await assert.rejects(s.updateSession({ tools: [{ name: 'x' }] as never }), /tools: pass tools made with tool/);
    await assert.rejects(s.whenReady({ timeoutMs: -1 }), ValidationError);
    await s.whenReady(); // open: at once
    await s.close();
    await assert.rejects(s.updateSession({ instructions: 'x' }), ConnectionError);
    await assert.rejects(s.whenReady(), ConnectionError);
    const never = new RealtimeSession({ url: sim.url, apiKey: 'sk-test' });
    assert.throws(() => never.ask('hi'), /call connect\(\) first/);
    await assert.rejects(never.whenReady(), /call connect\(\) first/);
  });
});

describe('events', () => {
  test('once, off, waitFor; listeners survive reconnects', async () => {
    const { sim } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: null }, reconnect: { baseDelayMs: 10 } });
    const added: HistoryItem[] = [];
    let onceCalls = 0;
    const onAdded = (item: HistoryItem) => added.push(item);
    s.on('item_added', onAdded);
    s.once('turn', () => onceCalls++);
    // off() removes a once() listener too, as with Node's EventEmitter.
    let removedCalls = 0;
    const removed = () => removedCalls++;
    s.once('turn', removed);
    s.off('turn', removed);
    const next = s.waitFor('item_completed', { filter: (i) => i.type === 'assistant', timeoutMs: 5000 });
    await s.ask('One').done;
    assert.equal((await next).type, 'assistant');
    s.client.terminate();
    await once((fn) => s.on('reconnected', fn), 5000);
    const before = added.length;
    await s.ask('Two').done;
    assert.ok(added.length > before, 'on() listener survived the reconnect');
    assert.equal(onceCalls, 1);
    assert.equal(removedCalls, 0, 'off() removed the once() listener');
    s.off('item_added', onAdded);
    const count = added.length;
    await s.ask('Three').done;
    assert.equal(added.length, count, 'off() removed it');
    await assert.rejects(s.waitFor('turn', { timeoutMs: 50 }), TimeoutError);
    const pending = s.waitFor('turn', { timeoutMs: 5000 });
    await s.close();
    await assert.rejects(pending, ConnectionError);
  });
});

describe('requests never overlap', () => {
  test('two ask() while a reply runs send exactly two response.create, each after the previous response ended', async () => {
    const order: string[] = [];
    const { sim } = await simulator({
      speed: 1,
      responder: () => ({ text: 'A short answer.' }),
      onFrame: (r) => {
        const record = r as unknown as { direction: string; event?: { type?: string } };
        const type = record.event?.type;
        if (type === 'response.create' || type === 'response.done') order.push(type);
      },
    });
    const s = await session(sim.url, { session: { turn_detection: null } });
    const first = s.ask('One');
    await once((fn) => s.client.on('response.created', fn));
    const [a, b] = [s.ask('Two'), s.ask('Three')];
    const results = await within(Promise.all([first.done, a.done, b.done]), 15_000, 'three turns');
    assert.deepEqual(results.map((r) => r.status), ['completed', 'completed', 'completed']);
    assert.deepEqual(order, ['response.create', 'response.done', 'response.create', 'response.done', 'response.create', 'response.done']);
  });
});

describe('ask({ audio }) in VAD mode', () => {
  test('appends askTrailingSilenceMs of silence (default: silence_duration_ms + 700, at least 1500)', async () => {
    const appended = async (options: { askTrailingSilenceMs?: number }, silenceMs: number) => {
      const { sim, frames } = await simulator();
      const s = await session(sim.url, { session: { turn_detection: { type: 'server_vad', silence_duration_ms: silenceMs } }, ...options });
      const tone = new Int16Array(16000);
      for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16000));
      const turn: Turn = s.ask({ audio: tone });
      assert.equal((await within(turn.done, 8000, 'VAD turn')).status, 'completed');
      return frames.filter((f) => f.type === 'input_audio_buffer.append').length - 10; // 10 chunks of speech
    };
    assert.equal(await appended({}, 500), 15, 'default: 1500 ms');
    assert.equal(await appended({}, 1200), 19, 'default: 1200 + 700 ms');
    assert.equal(await appended({ askTrailingSilenceMs: 800 }, 500), 8, 'configured');
  });

  test('with text too: the text goes first and the one reply the service starts answers both (no response.create of its own)', async () => {
    const { sim, frames } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } });
    let replies = 0;
    s.client.on('response.created', () => replies++);
    const tone = new Int16Array(16000);
    for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16000));
    const result = await within(s.ask({ audio: tone, text: 'Translate what I say.' }).done, 8000, 'VAD turn with text');
    assert.equal(result.status, 'completed');
    const types = frames.filter((f) => f.index === 0).map((f) => f.type);
    assert.ok(types.indexOf('conversation.item.create') < types.indexOf('input_audio_buffer.append'), `text before audio: ${types.join(' ')}`);
    assert.equal(types.filter((t) => t === 'response.create').length, 0, 'the service answers by itself in VAD mode');
    const next = await within(s.ask('And now?').done, 8000, 'a text turn after it');
    assert.equal(next.status, 'completed');
    assert.equal(replies, 2, 'one reply per ask');
    const users = s.history.items.filter((i) => i.type === 'user');
    assert.equal(users[0]?.text, 'Translate what I say.', 'the text item is the first user item');
  });
});
