/**
 * VAD mode against protocol.md §4.23 (b), §5.2 to §5.4: speech boundaries from the speech
 * detector, automatic commit and response, live transcription, barge-in, images during speech,
 * and the `idle_timeout_ms` re-engagement.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpeechDetector } from '../../src/simulator/speechDetector.js';
import type { ResponderTurn } from '../../src/simulator/responder.js';
import { appendAudio, assertShapes, concatPcm, harness, silence, skeleton, tone, TINY_JPEG, chunks } from './helpers.js';

const h = harness();

/** 1 s silence, 1 s tone (speech), 1.5 s silence. */
function utterance(rate = 16000): Int16Array {
  return concatPcm(silence(1000, rate), tone(1000, rate), silence(1500, rate));
}

function expectedBoundaries(pcm: Int16Array, rate: number, threshold = 0.5, silenceMs = 800) {
  const d = new SpeechDetector({ sampleRate: rate, threshold, prefixPaddingMs: 300, silenceDurationMs: silenceMs });
  const out: Array<{ type: string; ms: number }> = [];
  for (let i = 0; i < pcm.length; i += rate / 10) {
    for (const b of d.push(pcm.subarray(i, i + rate / 10))) out.push(b.type === 'start' ? { type: 'start', ms: b.audioStartMs } : { type: 'stop', ms: b.audioEndMs });
  }
  return out;
}

const LONG_REPLY = 'This is a long answer that keeps talking for quite a while so that the user can interrupt it in the middle.';

describe('VAD mode, §4.23 (b)', () => {
  test('a turn: speech_started → transcription deltas → speech_stopped → committed → item.created → completed → response', async () => {
    const { c } = await h.open({}, { session: { turn_detection: { type: 'server_vad', threshold: 0.5, silence_duration_ms: 800 } } });
    const since = c.mark();
    const pcm = utterance();
    appendAudio(c, pcm);
    const done = await c.waitFor('response.done', { since });
    const events = c.events.slice(since);
    assertShapes(events);
    const types = c.types(since);
    const userPart = types.slice(0, types.indexOf('response.created'));
    assert.deepEqual(skeleton(userPart), [
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.created',
      'conversation.item.input_audio_transcription.completed',
    ]);
    const started = events.find((e) => e.type === 'input_audio_buffer.speech_started')!;
    const stopped = events.find((e) => e.type === 'input_audio_buffer.speech_stopped')!;
    const expected = expectedBoundaries(pcm, 16000);
    assert.deepEqual([started.audio_start_ms, stopped.audio_end_ms], [expected[0]!.ms, expected[1]!.ms]);
    assert.ok(Math.abs(started.audio_start_ms - 1000) <= 30 && Math.abs(stopped.audio_end_ms - 2000) <= 30);
    const itemId = started.item_id;
    for (const e of events.filter((x) => x.type.startsWith('input_audio_buffer.') || x.type.includes('transcription'))) assert.equal(e.item_id, itemId, e.type);
    assert.equal(events.find((e) => e.type === 'conversation.item.created')!.item.id, itemId);
    const delta = events.find((e) => e.type === 'conversation.item.input_audio_transcription.delta')!;
    assert.ok(types.indexOf('conversation.item.input_audio_transcription.delta') < types.indexOf('input_audio_buffer.speech_stopped'), 'live transcription during speech');
    assert.equal(delta.text, '');
    assert.equal(typeof delta.stash, 'string');
    assert.equal(done.response.status, 'completed');
    assert.deepEqual(skeleton(types.slice(types.indexOf('response.created'))), [
      'response.created', 'response.output_item.added', 'conversation.item.created', 'response.content_part.added',
      'response.audio_transcript.done', 'response.audio.done', 'response.content_part.done', 'response.output_item.done', 'response.done',
    ]);
    // prefix_padding_ms (300) + 1 s of speech = 1.3 s of user audio → 10 tokens at 7/s (§2.6).
    assert.equal(done.response.usage.input_tokens_details.audio_tokens, Math.ceil(1.3 * 7));
  });

  test('barge-in: speech during a response cancels it (§5.3, §0.1.4) and the new turn is answered', async () => {
    const { c } = await h.open({ speed: 1, responder: () => ({ text: LONG_REPLY }) }, { session: { turn_detection: { type: 'server_vad' } } });
    const since = c.mark();
    appendAudio(c, utterance());
    const firstAudio = await c.waitFor('response.audio.delta', { since });
    const resp1 = firstAudio.response_id;
    const mid = c.mark();
    appendAudio(c, concatPcm(tone(600), silence(1200)));
    const done1 = await c.waitFor((e) => e.type === 'response.done' && e.response.id === resp1, { since });
    const second = await c.waitFor('response.created', { since: mid });
    const types = skeleton(c.types(mid));
    assert.deepEqual(types.slice(0, 6), [
      'input_audio_buffer.speech_started',
      'response.audio_transcript.done',
      'response.audio.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.done',
    ]);
    assert.equal(done1.response.status, 'cancelled');
    assert.deepEqual(done1.response.status_details, { type: 'cancelled', reason: 'turn_detected' });
    const partial = c.events.slice(since).find((e) => e.type === 'response.audio_transcript.done')!.transcript;
    assert.ok(partial.length < LONG_REPLY.length, 'partial transcript');
    assert.ok(LONG_REPLY.startsWith(partial));
    assert.equal(done1.response.output[0].status, 'incomplete');
    assert.deepEqual(done1.response.output[0].content, [{ type: 'audio', transcript: partial, text: partial }]);
    assert.ok(types.indexOf('input_audio_buffer.speech_stopped') < types.indexOf('response.created'));
    assert.notEqual(second.response.id, resp1);
    assertShapes(c.events.slice(since));
    c.send({ type: 'response.cancel' });
    const done2 = await c.waitFor((e) => e.type === 'response.done' && e.response.id === second.response.id, { since: mid });
    assert.deepEqual(done2.response.status_details, { type: 'cancelled', reason: 'client_cancelled' });
  });

  test('barge-in with responseDoneAfterCancel: false omits response.done (3P-measured variant)', async () => {
    const { c } = await h.open({ speed: 1, responseDoneAfterCancel: false, responder: () => ({ text: LONG_REPLY }) }, { session: { turn_detection: { type: 'server_vad' } } });
    const since = c.mark();
    appendAudio(c, utterance());
    const first = await c.waitFor('response.audio.delta', { since });
    const mid = c.mark();
    appendAudio(c, concatPcm(tone(600), silence(1200)));
    await c.waitFor('response.created', { since: mid });
    assert.ok(!c.events.slice(since).some((e) => e.type === 'response.done' && e.response.id === first.response_id));
    assert.equal(c.events.slice(mid).find((e) => e.type === 'response.output_item.done')!.item.status, 'incomplete');
  });

  test('interrupt_response: false lets the response finish and queues the next one', async () => {
    const { c } = await h.open({ speed: 4, responder: () => ({ text: 'Sure, one moment please.' }) }, { session: { turn_detection: { type: 'server_vad', interrupt_response: false } } });
    const since = c.mark();
    appendAudio(c, utterance());
    await c.waitFor('response.audio.delta', { since });
    appendAudio(c, concatPcm(tone(600), silence(1200)));
    const dones: string[] = [];
    await c.waitFor((e) => {
      if (e.type === 'response.done') dones.push(e.response.status);
      return dones.length === 2;
    }, { since, timeoutMs: 8000 });
    assert.deepEqual(dones, ['completed', 'completed']);
  });

  test('images appended during speech belong to that turn; create_response false means no response', async () => {
    const turns: ResponderTurn[] = [];
    const { c } = await h.open({ responder: (t) => (turns.push(t), { text: 'ok' }) }, { session: { turn_detection: { type: 'server_vad' } } });
    const since = c.mark();
    appendAudio(c, concatPcm(silence(500), tone(500)));
    await c.waitFor('input_audio_buffer.speech_started', { since });
    c.send({ type: 'input_image_buffer.append', image: TINY_JPEG.toString('base64') });
    appendAudio(c, concatPcm(tone(500), silence(1200)));
    await c.waitFor('response.done', { since });
    assert.equal(turns.length, 1);
    assert.equal(turns[0]!.images.length, 1);
    assert.deepEqual([turns[0]!.images[0]!.width, turns[0]!.images[0]!.height, turns[0]!.images[0]!.format], [16, 8, 'jpeg']);
    assert.ok(turns[0]!.images[0]!.atMs >= 1000);

    const s2 = c.mark();
    c.send({ type: 'session.update', session: { turn_detection: { type: 'server_vad', create_response: false } } });
    await c.waitFor('session.updated', { since: s2 });
    appendAudio(c, utterance());
    await c.waitFor('conversation.item.created', { since: s2 });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!c.types(s2).includes('response.created'));
  });

  test('semantic_vad on qwen3.5 and 48 kHz input: boundaries on the session timeline', async () => {
    const { c } = await h.open({}, { session: { turn_detection: { type: 'semantic_vad' }, audio: { input: { format: { type: 'pcm', sample_rate: 48000 } } } } });
    assert.equal(c.events.find((e) => e.type === 'session.updated')!.session.audio.input.format.sample_rate, 48000);
    const since = c.mark();
    const pcm = utterance(48000);
    for (const audio of chunks(pcm, 48000)) c.send({ type: 'input_audio_buffer.append', audio });
    const started = await c.waitFor('input_audio_buffer.speech_started', { since });
    const stopped = await c.waitFor('input_audio_buffer.speech_stopped', { since });
    const expected = expectedBoundaries(pcm, 48000);
    assert.deepEqual([started.audio_start_ms, stopped.audio_end_ms], [expected[0]!.ms, expected[1]!.ms]);
    await c.waitFor('response.done', { since });
  });

  test('idle_timeout_ms (qwen3.5, server_vad): silence after a response starts one by itself (§3.1.3)', async () => {
    const turns: ResponderTurn[] = [];
    const { c } = await h.open({ responder: (t) => (turns.push(t), { text: 'Are you still there?' }) }, { session: { turn_detection: { type: 'server_vad', idle_timeout_ms: 5000 } } });
    assert.equal(c.events.find((e) => e.type === 'session.updated')!.session.turn_detection.idle_timeout_ms, 5000);
    const since = c.mark();
    appendAudio(c, utterance());
    await c.waitFor('response.done', { since });
    const mid = c.mark();
    appendAudio(c, silence(4000));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!c.types(mid).includes('response.created'), 'not before the timeout');
    appendAudio(c, silence(1200));
    const spontaneous = await c.waitFor('response.created', { since: mid });
    assert.ok(spontaneous.response.id);
    assert.equal(turns.at(-1)!.audioMs, 0);
    assert.ok(!c.types(mid).includes('input_audio_buffer.speech_started'));
  });

  test('a manual commit with VAD on: accepted by default, an error when configured (§8.8)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: { type: 'server_vad' } } });
    const since = c.mark();
    appendAudio(c, silence(200));
    c.send({ type: 'input_audio_buffer.commit' });
    await c.waitFor('input_audio_buffer.committed', { since });
    const { c: c2 } = await h.open({ commitInVadMode: 'error' }, { session: { turn_detection: { type: 'server_vad' } } });
    const s2 = c2.mark();
    appendAudio(c2, silence(200));
    c2.send({ type: 'input_audio_buffer.commit', event_id: 'event_x' });
    const error = await c2.waitFor('error', { since: s2 });
    assert.equal(error.error.message, 'Internal service error: null');
    assert.equal(error.error.event_id, 'event_x');
  });
});
