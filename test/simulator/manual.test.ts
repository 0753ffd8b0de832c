/**
 * Manual mode (`turn_detection: null`) against protocol.md §4.23 (a), §5.4 and §0.1.6/§0.1.9:
 * the documented events in the documented order, with their fields, every event of its
 * documented shape.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { speechDurationMs } from '../../src/simulator/synthesizer.js';
import { appendAudio, assertShapes, harness, pcmOf, skeleton, tone, TINY_JPEG, type Ev } from './helpers.js';

const h = harness();

const AUDIO_TAIL = [
  'response.created',
  'response.output_item.added',
  'conversation.item.created',
  'response.content_part.added',
  'response.audio_transcript.done',
  'response.audio.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.done',
];

describe('manual mode, §4.23 (a)', () => {
  test('audio + image, commit, response.create: documented sequence, fields and shapes', async () => {
    const { c } = await h.open({}, { session: { modalities: ['text', 'audio'], voice: 'Cherry', turn_detection: null, input_audio_transcription: { model: 'qwen3-asr-flash-realtime' } } });
    const updated = c.events.find((e) => e.type === 'session.updated')!;
    assert.equal(updated.session.turn_detection, null);
    assert.equal(updated.session.voice, 'Cherry');
    const since = c.mark();
    appendAudio(c, tone(500));
    c.send({ type: 'input_image_buffer.append', image: TINY_JPEG.toString('base64') });
    appendAudio(c, tone(500));
    c.send({ type: 'input_audio_buffer.commit' });
    const committed = await c.waitFor('input_audio_buffer.committed', { since });
    const userItem = await c.waitFor((e) => e.type === 'conversation.item.created' && e.item.role === 'user', { since });
    assert.equal(userItem.item.id, committed.item_id);
    assert.deepEqual({ ...userItem.item, id: 'x' }, { id: 'x', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'user', content: [{ type: 'input_audio' }] });
    const transcription = await c.waitFor('conversation.item.input_audio_transcription.completed', { since });
    assert.equal(transcription.item_id, committed.item_id);
    assert.equal(transcription.content_index, 0);
    assert.equal(typeof transcription.transcript, 'string');
    const before = c.mark();
    c.send({ type: 'response.create', response: { instructions: null } });
    const done = await c.waitFor('response.done', { since: before });
    const events = c.events.slice(since);
    assertShapes(events);
    assert.deepEqual(skeleton(c.types(since)), ['input_audio_buffer.committed', 'conversation.item.created', 'conversation.item.input_audio_transcription.completed', ...AUDIO_TAIL]);

    const resp = c.events.slice(before);
    const created = resp.find((e) => e.type === 'response.created')!;
    const rid = created.response.id;
    assert.equal(created.response.status, 'in_progress');
    assert.deepEqual(created.response.output, []);
    assert.equal(created.response.object, 'realtime.response');
    assert.equal(created.response.voice, 'Cherry');
    const added = resp.find((e) => e.type === 'response.output_item.added')!;
    assert.equal(added.response_id, rid);
    assert.equal(added.output_index, 0);
    assert.deepEqual({ ...added.item, id: 'x' }, { id: 'x', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] });
    const itemId = added.item.id;
    const assistantItem = resp.find((e) => e.type === 'conversation.item.created')!;
    assert.equal(assistantItem.item.id, itemId);
    assert.deepEqual(resp.find((e) => e.type === 'response.content_part.added')!.part, { type: 'audio', text: '' });
    for (const e of resp.filter((x) => x.type.startsWith('response.') && x.type !== 'response.created' && x.type !== 'response.done')) {
      assert.equal(e.response_id, rid, `${e.type}.response_id`);
      assert.equal(e.output_index, 0);
      if (e.type !== 'response.output_item.added' && e.type !== 'response.output_item.done') {
        assert.equal(e.item_id, itemId);
        assert.equal(e.content_index, 0);
      }
    }
    // Transcript deltas interleaved with audio deltas, both many.
    const deltaTypes = resp.map((e) => e.type).filter((t) => t.endsWith('.delta'));
    assert.ok(deltaTypes.filter((t) => t === 'response.audio.delta').length > 3);
    assert.ok(deltaTypes.filter((t) => t === 'response.audio_transcript.delta').length > 3);
    const firstAudio = deltaTypes.indexOf('response.audio.delta');
    const lastTranscript = deltaTypes.lastIndexOf('response.audio_transcript.delta');
    assert.ok(lastTranscript > firstAudio, 'transcript deltas continue after the first audio delta');
    const transcript = resp.filter((e) => e.type === 'response.audio_transcript.delta').map((e) => e.delta).join('');
    assert.equal(resp.find((e) => e.type === 'response.audio_transcript.done')!.transcript, transcript);
    assert.match(transcript, /1\.0 seconds of audio/);
    assert.match(transcript, /1 image \(16×8\)/);
    assert.deepEqual(resp.find((e) => e.type === 'response.content_part.done')!.part, { type: 'audio', text: transcript });
    const itemDone = resp.find((e) => e.type === 'response.output_item.done')!;
    assert.equal(itemDone.item.status, 'completed');
    assert.deepEqual(itemDone.item.content, [{ type: 'audio', transcript, text: transcript }]);
    // Real audio at 24 kHz whose length matches the text, in ~100 ms chunks.
    const audio = resp.filter((e) => e.type === 'response.audio.delta').map((e) => pcmOf(e.delta));
    const samples = audio.reduce((n, a) => n + a.length, 0);
    assert.ok(Math.abs(samples / 24 - speechDurationMs(transcript)) <= 2, `audio ${samples / 24} ms vs ${speechDurationMs(transcript)} ms`);
    assert.equal(audio[0]!.length, 2400);
    assert.ok(audio.some((a) => a.some((s) => Math.abs(s) > 1000)), 'audible');
    assert.equal(done.response.status, 'completed');
    assert.deepEqual(done.response.output, [itemDone.item]);
    assert.equal(typeof done.response.usage.total_tokens, 'number');
  });

  test('text-only variant: response.text.* instead of audio', async () => {
    const { c } = await h.open({}, { session: { modalities: ['text'], turn_detection: null } });
    const since = c.mark();
    appendAudio(c, tone(300));
    c.send({ type: 'input_audio_buffer.commit' });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since });
    const events = c.events.slice(since);
    assertShapes(events);
    const tail = skeleton(c.types(since)).slice(skeleton(c.types(since)).indexOf('response.created'));
    assert.deepEqual(tail, ['response.created', 'response.output_item.added', 'conversation.item.created', 'response.content_part.added', 'response.text.done', 'response.content_part.done', 'response.output_item.done', 'response.done']);
    assert.ok(!events.some((e) => e.type.startsWith('response.audio')));
    const text = events.filter((e) => e.type === 'response.text.delta').map((e) => e.delta).join('');
    assert.ok(text.length > 0);
    assert.equal(events.find((e) => e.type === 'response.text.done')!.text, text);
    assert.deepEqual(events.find((e) => e.type === 'response.content_part.added')!.part, { type: 'text', text: '' });
    assert.deepEqual(done.response.output[0].content, [{ type: 'text', text }]);
    assert.equal(done.response.usage.output_tokens_details.audio_tokens, 0);
  });

  test('per-response modalities override the session (§5.8)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const since = c.mark();
    c.send({ type: 'response.create', response: { instructions: 'Be brief.', modalities: ['text'] } });
    const done = await c.waitFor('response.done', { since });
    assert.deepEqual(done.response.modalities, ['text']);
    assert.ok(c.types(since).includes('response.text.done'));
  });

  test('commit and response.create back to back are both answered, in order (§0.1.6)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const since = c.mark();
    appendAudio(c, tone(200));
    c.send({ type: 'input_audio_buffer.commit', event_id: 'event_1' });
    c.send({ type: 'response.create', event_id: 'event_1' }); // same event_id: never de-duplicated (§0.1.11)
    const done = await c.waitFor('response.done', { since });
    assert.equal(done.response.status, 'completed');
    assert.ok(!c.types(since).includes('error'));
    assert.ok(c.types(since).indexOf('input_audio_buffer.committed') < c.types(since).indexOf('response.created'));
  });

  test('two turns: the second response also completes and usage re-bills history (§2.6, §5.9)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const usages: Ev[] = [];
    for (let i = 0; i < 2; i++) {
      const since = c.mark();
      appendAudio(c, tone(1000));
      c.send({ type: 'input_audio_buffer.commit' });
      c.send({ type: 'response.create' });
      usages.push((await c.waitFor('response.done', { since })).response.usage);
    }
    assert.equal(usages[0]!.input_tokens_details.audio_tokens, 7);
    assert.equal(usages[1]!.input_tokens_details.audio_tokens, 14);
    assert.ok(usages[1]!.input_tokens_details.text_tokens > 0, 'the first reply is billed as text input');
  });

  test("manualUserItemAt 'response.create': the user item comes after response.create (§0.1.9)", async () => {
    const { c } = await h.open({ manualUserItemAt: 'response.create' }, { session: { turn_detection: null } });
    const since = c.mark();
    appendAudio(c, tone(200));
    c.send({ type: 'input_audio_buffer.commit' });
    await c.waitFor('input_audio_buffer.committed', { since });
    const mid = c.mark();
    c.send({ type: 'response.create' });
    await c.waitFor('response.done', { since });
    assert.deepEqual(c.types(since).slice(0, 1), ['input_audio_buffer.committed']);
    assert.deepEqual(skeleton(c.types(mid)).slice(0, 3), ['conversation.item.created', 'conversation.item.input_audio_transcription.completed', 'response.created']);
  });

  test('transcriptionInManualMode false and input_audio_transcription null: no transcription events', async () => {
    for (const [opts, session] of [[{ transcriptionInManualMode: false }, { turn_detection: null }], [{}, { turn_detection: null, input_audio_transcription: null }]] as const) {
      const { c } = await h.open(opts, { session });
      const since = c.mark();
      appendAudio(c, tone(200));
      c.send({ type: 'input_audio_buffer.commit' });
      c.send({ type: 'response.create' });
      await c.waitFor('response.done', { since });
      assert.ok(!c.types(since).some((t) => t.includes('transcription')));
    }
  });

  test('a text message item (§3.8, §5.6) is echoed and becomes the turn text', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const since = c.mark();
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Reply only TEXT_OK' }] } });
    const created = await c.waitFor('conversation.item.created', { since });
    assert.deepEqual({ ...created.item, id: 'x' }, { id: 'x', object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'Reply only TEXT_OK' }] });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since });
    assert.match(done.response.output[0].content[0].transcript, /Reply only TEXT_OK/);
    assertShapes(c.events.slice(since));
  });

  test('input_audio_buffer.clear answers cleared and empties the buffer', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const since = c.mark();
    appendAudio(c, tone(200));
    c.send({ type: 'input_audio_buffer.clear' });
    await c.waitFor('input_audio_buffer.cleared', { since });
    c.send({ type: 'input_audio_buffer.commit' });
    const error = await c.waitFor('error', { since });
    assert.equal(error.error.type, 'invalid_request_error');
  });
});
