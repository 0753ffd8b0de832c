/**
 * `semantic_vad` as the live service runs it (protocol.md §0.2.3 to §0.2.5, §0.2.28), and
 * `response.create` while the user speaks (§0.2.12): the user item announced at
 * `speech_started`, a short speech candidate rejected with the non-fatal error and no response,
 * and the options that restore the `server_vad` order, accept short speech, or send the final
 * transcription after the turn's `response.done`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SimulatorOptions } from '../../src/simulator/index.js';
import { appendAudio, assertShapes, concatPcm, harness, silence, skeleton, tone, type RawClient } from './helpers.js';

const h = harness();
const SEMANTIC = { turn_detection: { type: 'semantic_vad' } };

async function semantic(options: SimulatorOptions = {}): Promise<RawClient> {
  const { c } = await h.open(options, { session: SEMANTIC });
  assert.equal(c.events.at(-1)!.type, 'session.updated');
  return c;
}

/** Sends a marker (`input_audio_buffer.clear`) and waits for its answer: everything before it has been sent. */
async function settle(c: RawClient): Promise<void> {
  const since = c.mark();
  c.send({ type: 'input_audio_buffer.clear' });
  await c.waitFor('input_audio_buffer.cleared', { since });
  c.events.splice(c.events.length - 1, 1);
}

const TURN = concatPcm(silence(500), tone(1000), silence(1500));
const USER_PART = (types: string[]) => skeleton(types.slice(0, types.indexOf('response.created')));

describe('semantic_vad, §0.2.3 to §0.2.5, §0.2.28', () => {
  test('the user item is announced right after speech_started, before speech_stopped and committed', async () => {
    const c = await semantic();
    const since = c.mark();
    appendAudio(c, TURN);
    await c.waitFor('response.done', { since });
    assertShapes(c.events);
    const types = c.types(since);
    assert.deepEqual(USER_PART(types), [
      'input_audio_buffer.speech_started',
      'conversation.item.created',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.input_audio_transcription.completed',
    ]);
    const events = c.events.slice(since);
    const started = events.find((e) => e.type === 'input_audio_buffer.speech_started')!;
    const item = events.find((e) => e.type === 'conversation.item.created')!;
    assert.equal(item.item.id, started.item_id);
    assert.equal(item.item.status, 'in_progress');
    assert.equal(events.filter((e) => e.type === 'conversation.item.created' && e.item.role === 'user').length, 1, 'announced once');
  });

  test('semanticUserItemAt: committed restores the server_vad order', async () => {
    const c = await semantic({ semanticUserItemAt: 'committed' });
    const since = c.mark();
    appendAudio(c, TURN);
    await c.waitFor('response.done', { since });
    assert.deepEqual(USER_PART(c.types(since)), [
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.created',
      'conversation.item.input_audio_transcription.completed',
    ]);
  });

  test('a 300 ms "uh-huh" is rejected: the error without event_id or code, no commit, no response; the session goes on', async () => {
    const c = await semantic();
    const since = c.mark();
    appendAudio(c, concatPcm(silence(500), tone(300), silence(1500)));
    await settle(c);
    assert.deepEqual(skeleton(c.types(since)), ['input_audio_buffer.speech_started', 'conversation.item.created', 'error']);
    const e = c.events.find((x, i) => i >= since && x.type === 'error')!;
    assert.deepEqual(e.error, { type: 'invalid_request_error', message: 'Input speech was not accepted by semantic turn detection' });
    // A real turn afterwards is answered.
    const next = c.mark();
    appendAudio(c, TURN);
    const done = await c.waitFor('response.done', { since: next });
    assert.equal(done.response.status, 'completed');
    assertShapes(c.events);
  });

  test('semanticRejectAt: response.create: the short turn is committed, then the response.create for it is refused by event_id', async () => {
    const c = await semantic({ semanticRejectAt: 'response.create' });
    c.send({ type: 'session.update', session: { turn_detection: { type: 'semantic_vad', create_response: false } } });
    await c.waitFor((e) => e.type === 'session.updated' && e.session.turn_detection.create_response === false);
    const since = c.mark();
    appendAudio(c, concatPcm(silence(500), tone(300), silence(1500)));
    await c.waitFor('input_audio_buffer.committed', { since });
    c.send({ type: 'response.create', event_id: 'event_pending' });
    const e = await c.waitFor('error', { since });
    assert.deepEqual(e.error, { type: 'invalid_request_error', message: 'Input speech was not accepted by semantic turn detection', event_id: 'event_pending' });
    await settle(c);
    assert.deepEqual(skeleton(c.types(since)), [
      'input_audio_buffer.speech_started', 'conversation.item.created', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed',
      'conversation.item.input_audio_transcription.completed', 'error',
    ]);
    // The next real turn is answered, and only with its own audio.
    const next = c.mark();
    appendAudio(c, TURN);
    await c.waitFor('input_audio_buffer.committed', { since: next });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since: next });
    assert.match(done.response.output[0].content[0].transcript, /^I heard 1\.\d seconds of audio/);
  });

  test('semanticRejectAt: response.create with create_response on: the error takes the automatic response\'s place, without event_id', async () => {
    const c = await semantic({ semanticRejectAt: 'response.create' });
    const since = c.mark();
    appendAudio(c, concatPcm(silence(500), tone(300), silence(1500)));
    await settle(c);
    const types = skeleton(c.types(since));
    assert.deepEqual(types.slice(-2), ['conversation.item.input_audio_transcription.completed', 'error']);
    assert.ok(!types.includes('response.created'));
    assert.equal(c.events.find((e, i) => i >= since && e.type === 'error')!.error.event_id, undefined);
  });

  test('semanticMinSpeechMs: 0 accepts the short speech; server_vad never rejects it', async () => {
    const short = concatPcm(silence(500), tone(300), silence(1500));
    const c = await semantic({ semanticMinSpeechMs: 0 });
    appendAudio(c, short);
    assert.equal((await c.waitFor('response.done')).response.status, 'completed');
    const { c: server } = await h.open({}, { session: { turn_detection: { type: 'server_vad' } } });
    appendAudio(server, short);
    assert.equal((await server.waitFor('response.done')).response.status, 'completed');
    assert.ok(!c.types().includes('error') && !server.types().includes('error'));
  });

  test('semanticLateTranscription: the final transcription comes after the response.done of its turn (§0.2.5)', async () => {
    const c = await semantic({ semanticLateTranscription: true });
    const since = c.mark();
    appendAudio(c, TURN);
    const completed = await c.waitFor('conversation.item.input_audio_transcription.completed', { since });
    const types = c.types(since);
    const done = types.indexOf('response.done');
    assert.ok(done >= 0 && done < types.indexOf('conversation.item.input_audio_transcription.completed'), types.join(', '));
    assert.equal(completed.item_id, c.events.find((e, i) => i >= since && e.type === 'input_audio_buffer.committed')!.item_id);
  });
});

describe('response.create while the user speaks, §0.2.12', () => {
  test('refused with the live text and the event_id; the turn then completes and is answered', async () => {
    const { c } = await h.open({}, { session: { turn_detection: { type: 'server_vad' } } });
    const since = c.mark();
    appendAudio(c, concatPcm(silence(500), tone(600)));
    await c.waitFor('input_audio_buffer.speech_started', { since });
    c.send({ type: 'response.create', event_id: 'event_early' });
    const e = await c.waitFor('error', { since });
    assert.deepEqual(e.error, { type: 'invalid_request_error', code: 'invalid_value', message: 'Cannot create response while user is speaking.', param: '', event_id: 'event_early' });
    appendAudio(c, concatPcm(tone(400), silence(1500)));
    const done = await c.waitFor('response.done', { since });
    assert.equal(done.response.status, 'completed');
    assert.equal(c.events.slice(since).filter((x) => x.type === 'response.created').length, 1);
  });

  test('Manual mode has no VAD: response.create is answered', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    appendAudio(c, tone(600));
    c.send({ type: 'response.create' });
    assert.equal((await c.waitFor('response.done')).response.status, 'completed');
  });
});
