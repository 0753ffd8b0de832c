/**
 * The live behaviours of protocol.md §0.2 that touch the session, against a scripted service on
 * 127.0.0.1 (the simulator options for them were being added in parallel; see scriptedService.ts).
 * Each test sends the exact event order the live reports describe.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tool, type RealtimeSession, type Turn } from '../../src/index.js';
import { once, session, simulator, sleep, speak, speech, within } from './helpers.js';
import { ev, functionCall, reply, responseDone, scriptedService, sendAll, userSpeech } from './scriptedService.js';

const REJECTION = 'Input speech was not accepted by semantic turn detection';
const SEMANTIC = { turn_detection: { type: 'semantic_vad' as const } };

function watch(s: RealtimeSession) {
  const seen = { turns: [] as Turn[], errors: [] as string[], rejected: 0, closes: 0 };
  s.on('turn', (t) => seen.turns.push(t));
  s.on('error', (e) => seen.errors.push(e.message));
  s.on('speech_rejected', () => seen.rejected++);
  s.on('close', () => seen.closes++);
  return seen;
}

describe('§0.2.3 semantic VAD rejection', () => {
  test('with the event_id of our response.create: that turn ends rejected, no reply, nothing closes', async () => {
    let creates = 0;
    const server = await scriptedService((frame, s) => {
      if (frame.type !== 'response.create') return;
      if (++creates === 1) s.send(ev('error', { error: { type: 'invalid_request_error', code: 'invalid_request_error', message: REJECTION, event_id: frame.event_id } }));
      else sendAll(s, reply('resp_2', 'item_2', 'Here you are.'));
    });
    const s = await session(server.url, { session: SEMANTIC });
    const seen = watch(s);
    const first = await within(s.ask('Hm').done, 3000, 'the rejected turn');
    assert.equal(first.status, 'rejected');
    assert.equal(first.error, undefined);
    assert.equal(seen.rejected, 1);
    assert.deepEqual(seen.errors, []);
    assert.equal(s.state, 'open');
    const second = await within(s.ask('Hello?').done, 3000, 'the next turn');
    assert.equal(second.status, 'completed');
    assert.equal(second.transcript, 'Here you are.');
  });

  test('without event_id after speech_started: the candidate is discarded, late events are harmless, the session goes on', async () => {
    const server = await scriptedService();
    const s = await session(server.url, { session: SEMANTIC });
    const seen = watch(s);
    const speech = userSpeech('item_u1', { earlyItem: true });
    sendAll(server, [...speech.started, ev('error', { error: { type: 'invalid_request_error', message: REJECTION } })]);
    await within(once((fn) => s.on('speech_rejected', fn)), 3000, 'speech_rejected');
    // Late transcription and even a commit for the rejected speech may still follow (§0.2.3).
    sendAll(server, [ev('conversation.item.input_audio_transcription.completed', { item_id: 'item_u1', content_index: 0, transcript: 'hm' }), ev('input_audio_buffer.committed', { item_id: 'item_u1' })]);
    await sleep(100);
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.turns.length, 0, 'no reply, no turn');
    assert.equal(s.state, 'open');
    assert.equal(s.busy, false);
    const next = s.waitFor('turn', { timeoutMs: 3000 });
    sendAll(server, [...userSpeech('item_u2').started, ...userSpeech('item_u2').ended, ...reply('resp_1', 'item_a1', 'Yes?')]);
    assert.equal((await within((await next).done, 3000, 'next turn')).status, 'completed');
  });
});

describe('§0.2.4, §0.2.5 the user item', () => {
  test('created before the commit, it is in progress until committed; a late final transcription updates it after its turn', async () => {
    const server = await scriptedService();
    const s = await session(server.url, { session: SEMANTIC });
    const speech = userSpeech('item_u1', { earlyItem: true });
    sendAll(server, speech.started);
    await within(once((fn) => s.on('item_added', fn)), 3000, 'the early user item');
    assert.equal(s.history.get('item_u1')?.status, 'in_progress', 'an early user item is not a commit');
    assert.equal(s.busy, false);
    const turn = s.waitFor('turn', { timeoutMs: 3000 });
    sendAll(server, [...speech.ended, ...reply('resp_1', 'item_a1', 'Sure.')]);
    const result = await within((await turn).done, 3000, 'turn');
    assert.equal(result.status, 'completed');
    assert.equal(s.history.get('item_u1')?.status, 'completed');
    const updated = s.waitFor('item_updated', { filter: (i) => i.id === 'item_u1', timeoutMs: 3000 });
    server.send(ev('conversation.item.input_audio_transcription.completed', { item_id: 'item_u1', content_index: 0, transcript: 'What is the weather?' }));
    await updated;
    const item = s.history.get('item_u1');
    assert.equal(item?.type === 'user' && item.transcript, 'What is the weather?');
  });
});

describe('§0.2.8 a response that starts while the previous one is open', () => {
  test('ends the old one; their audio and text never mix', async () => {
    const server = await scriptedService();
    const writes: number[] = [];
    const s = await session(server.url, { session: SEMANTIC, playback: { write: (pcm) => writes.push(pcm.length), stop: () => 0 } });
    const turns: Turn[] = [];
    s.on('turn', (t) => turns.push(t));
    const r1 = reply('resp_1', 'item_a1', 'First part.', { done: false });
    sendAll(server, [...r1.slice(0, 4), ...reply('resp_2', 'item_a2', 'Second part.'), ...r1.slice(4, 5), ev('response.audio.delta', { response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0, delta: Buffer.alloc(4800).toString('base64') })]);
    await within(once((fn) => s.on('item_completed', fn)), 3000, 'items');
    await sleep(100);
    assert.equal(turns.length, 2, 'the second response is a new turn');
    const [a, b] = await Promise.all(turns.map((t) => within(t.done, 3000, 'turn')));
    assert.equal(a!.status, 'completed');
    assert.equal(a!.transcript, 'First part.');
    assert.equal(b!.transcript, 'Second part.');
    assert.equal(a!.audio.length, 2400);
    assert.equal(b!.audio.length, 2400);
    assert.equal(writes.length, 2, "the old response's late audio is not played");
    assert.equal(s.busy, false);
    assert.deepEqual(s.history.items.map((i) => `${i.id}:${i.status}`), ['item_a1:completed', 'item_a2:completed'], 'the old item is not left in progress');
  });
});

describe('§0.2.9 a tool result in VAD mode', () => {
  const weather = tool<{ location: string }>({ name: 'get_current_weather', parameters: { type: 'object' }, execute: () => 'sunny' });
  for (const service of ['refuses', 'queues'] as const) {
    test(`never yields two replies (the service answers by itself and ${service} our response.create)`, async () => {
      const server = await scriptedService((frame, s) => {
        if (frame.type === 'conversation.item.create' && (frame.item as { type: string }).type === 'function_call_output') {
          sendAll(s, reply('resp_2', 'item_a2', 'It is sunny.', { done: false }).slice(0, 3)); // answers by itself
        }
        if (frame.type === 'response.create') {
          const rest = reply('resp_2', 'item_a2', 'It is sunny.').slice(3);
          if (service === 'refuses') sendAll(s, [ev('error', { error: { type: 'invalid_request_error', message: 'Conversation already has an active response', event_id: frame.event_id } }), ...rest]);
          else sendAll(s, [...rest, ...reply('resp_3', 'item_a3', 'It is sunny, I said.')]);
        }
        if (frame.type === 'response.cancel') s.send(responseDone('resp_3', [], 'cancelled'));
      });
      const writes: number[] = [];
      const s = await session(server.url, { session: SEMANTIC, tools: [weather], playback: { write: (pcm) => writes.push(pcm.length), stop: () => 0 } });
      const seen = watch(s);
      const speech = userSpeech('item_u1');
      sendAll(server, [...speech.started, ...speech.ended, ...functionCall('resp_1', 'item_f1', 'call_1', 'get_current_weather', '{}')]);
      const turn = await within(s.waitFor('turn', { timeoutMs: 3000 }), 3000, 'turn');
      const result = await within(turn.done, 3000, 'the tool turn');
      await sleep(200);
      assert.equal(result.status, 'completed');
      assert.equal(result.transcript, 'It is sunny.');
      assert.equal(seen.turns.length, 1, 'one reply');
      assert.equal(writes.length, 1, 'one reply played');
      assert.deepEqual(seen.errors, []);
      assert.equal(server.received.filter((f) => f.type === 'response.cancel').length, service === 'queues' ? 1 : 0);
    });
  }
});

describe('§3.7 a cancel that races the end of the response', () => {
  test('"nothing to cancel" for our own response.cancel is not an error; the next turn goes after the settle bound', async () => {
    let creates = 0;
    const server = await scriptedService((frame, s) => {
      if (frame.type === 'response.create') {
        if (++creates === 1) s.send(ev('response.created', { response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } }));
        else sendAll(s, reply('resp_2', 'item_a2', 'Again.'));
      }
      if (frame.type === 'response.cancel') s.send(ev('error', { error: { type: 'invalid_request_error', code: 'invalid_value', message: 'No active response to cancel.', event_id: frame.event_id } }));
    });
    const s = await session(server.url, { session: { turn_detection: null }, cancelSettleMs: 200 });
    const seen = watch(s);
    const turn = s.ask('Hello');
    await within(once((fn) => s.client.on('response.created', fn)), 3000, 'response.created');
    s.interrupt();
    assert.equal((await within(turn.done, 2000, 'turn')).status, 'interrupted');
    const next = await within(s.ask('Hello again').done, 3000, 'the next turn');
    assert.equal(next.transcript, 'Again.');
    assert.deepEqual(seen.errors, []);
  });
});

describe('§0.2.6 turn_detection.create_response: false', () => {
  test('the session sends its own response.create after each input_audio_buffer.committed, once per commit (simulator)', async () => {
    const { sim, frames } = await simulator();
    const s = await session(sim.url, { session: { turn_detection: { type: 'server_vad', silence_duration_ms: 500, create_response: false } } });
    const seen = watch(s);
    const commits: number[] = [];
    s.client.on('input_audio_buffer.committed', () => commits.push(frames.filter((f) => f.type === 'response.create').length));
    for (let i = 1; i <= 2; i++) {
      const next = once<Turn>((fn) => s.on('turn', fn), 8000);
      await speak(s, speech());
      await speak(s, new Int16Array(16000)); // 1 s of silence: the service ends the turn
      const result = await within((await next).done, 8000, `the reply to speech ${i}`);
      assert.equal(result.status, 'completed');
      assert.equal(frames.filter((f) => f.type === 'response.create').length, i, 'one response.create per commit');
    }
    assert.deepEqual(commits, [0, 1], 'each response.create follows its commit');
    assert.equal(seen.turns.length, 2);
    assert.deepEqual(seen.errors, []);
  });
});
