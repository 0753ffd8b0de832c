/**
 * Errors of protocol.md §4.23 (d) and everything a client may get wrong (§3.10, §8.1, §4.1):
 * each answered by an `invalid_request_error` with the offending `event_id` (§0.1.2), and the
 * session still usable afterwards (§0.1.12).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendAudio, assertShapes, b64, harness, jpegOfSize, silence, tone, type Ev, type RawClient } from './helpers.js';

const h = harness();

async function expectError(c: RawClient, frame: object | string | Buffer): Promise<Ev> {
  const since = c.mark();
  c.send(frame);
  const e = await c.waitFor('error', { since });
  assert.equal(e.error.type, 'invalid_request_error');
  assertShapes([e]);
  return e;
}

/** The session still works: a full manual turn completes. */
async function stillUsable(c: RawClient): Promise<void> {
  const since = c.mark();
  c.send({ type: 'session.update', session: { turn_detection: null } });
  await c.waitFor('session.updated', { since });
  appendAudio(c, tone(200));
  c.send({ type: 'input_audio_buffer.commit' });
  c.send({ type: 'response.create' });
  const done = await c.waitFor('response.done', { since });
  assert.equal(done.response.status, 'completed');
}

describe('§4.23 (d) errors', () => {
  test("modalities ['audio']: the documented error, no session.updated, the session goes on", async () => {
    const { c } = await h.open();
    const since = c.mark();
    const e = await expectError(c, { type: 'session.update', event_id: 'event_mod', session: { modalities: ['audio'] } });
    assert.deepEqual(e.error, {
      type: 'invalid_request_error',
      code: 'invalid_value',
      message: "Invalid modalities: ['audio']. Supported combinations are: ['text'] and ['audio', 'text'].",
      param: 'session.modalities',
      event_id: 'event_mod',
    });
    assert.ok(!c.types(since).includes('session.updated'));
    await stillUsable(c);
  });

  test('image before any audio: the live shape, without code (§0.2.14)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const e = await expectError(c, { type: 'input_image_buffer.append', event_id: 'event_img', image: jpegOfSize(400).toString('base64') });
    assert.deepEqual(e.error, { type: 'invalid_request_error', message: 'Error append image before append audio.', event_id: 'event_img' });
    // A committed (now empty) buffer counts as no audio (§3.5, 3P).
    appendAudio(c, tone(100));
    c.send({ type: 'input_audio_buffer.commit' });
    await expectError(c, { type: 'input_image_buffer.append', image: jpegOfSize(400).toString('base64') });
    await stillUsable(c);
  });

  test('response.cancel with nothing active, and commit of an empty buffer', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const cancel = await expectError(c, { type: 'response.cancel', event_id: 'event_c' });
    assert.equal(cancel.error.event_id, 'event_c');
    assert.equal(cancel.error.code, 'invalid_value');
    const commit = await expectError(c, { type: 'input_audio_buffer.commit', event_id: 'event_e' });
    assert.equal(commit.error.event_id, 'event_e');
    assert.match(commit.error.message, /empty/);
    await stillUsable(c);
  });

  test("unknown voice: the error, then the socket is closed (3P); unknownVoice 'error' keeps it open", async () => {
    const { c } = await h.open();
    const e = await expectError(c, { type: 'session.update', session: { voice: 'NoSuchVoice' } });
    assert.equal(e.error.message, "Voice 'NoSuchVoice' is not supported.");
    assert.equal(e.error.param, 'session.voice');
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1008);
    const { c: open } = await h.open({ unknownVoice: 'error' });
    await expectError(open, { type: 'session.update', session: { voice: '' } });
    await stillUsable(open);
  });

  test('tools together with enable_search are refused (§5.7)', async () => {
    const { c } = await h.open();
    const e = await expectError(c, { type: 'session.update', session: { enable_search: true, tools: [{ type: 'function', function: { name: 'f' } }] } });
    assert.equal(e.error.param, 'session.tools');
    await stillUsable(c);
  });
});

describe('robustness: every bad frame gets an error and the session carries on', () => {
  test('malformed JSON, binary frames, non-objects, wrong types', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const bad: Array<[object | string | Buffer, string]> = [
      ['{"type": "session.update", ', ''],
      [Buffer.from([1, 2, 3]), ''],
      ['[1,2,3]', 'event'],
      ['"just a string"', 'event'],
      [{ event_id: 'x' }, 'type'],
      [{ type: 7 }, 'type'],
      [{ type: 'input_audio_buffer.append', audio: 42 }, 'audio'],
      [{ type: 'input_audio_buffer.append' }, 'audio'],
      [{ type: 'input_image_buffer.append', image: {} }, 'image'],
      [{ type: 'session.update', session: 'x' }, 'session'],
      [{ type: 'session.update' }, 'session'],
      [{ type: 'response.create', response: 5 }, 'response'],
      [{ type: 'response.create', response: { instructions: 3 } }, 'response.instructions'],
      [{ type: 'response.create', response: { modalities: ['audio'] } }, 'response.modalities'],
      [{ type: 'conversation.item.create', item: [] }, 'item'],
      [{ type: 'conversation.item.create', item: { type: 'unknown_item' } }, 'item.type'],
      [{ type: 'conversation.item.create', item: { type: 'function_call_output', output: 'x' } }, 'item.call_id'],
      [{ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: 5 } }, 'item.output'],
      [{ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: 'hi' } }, 'item.content'],
      [{ type: 'conversation.item.create', item: { type: 'mcp_approval_response', approval_request_id: 'a', approve: true } }, 'item.type'],
      [{ type: 'session.update', session: { temperature: 'hot' } }, 'session.temperature'],
      [{ type: 'session.update', session: { turn_detection: { type: 'vad' } } }, 'session.turn_detection.type'],
      [{ type: 'session.update', session: { audio: { input: { format: { sample_rate: 44100 } } } } }, 'session.audio.input.format.sample_rate'],
    ];
    for (const [frame, param] of bad) {
      const e = await expectError(c, frame);
      assert.equal(e.error.param, param, `param for ${Buffer.isBuffer(frame) ? 'binary' : JSON.stringify(frame)}`);
    }
    const e = await expectError(c, { type: 'input_audio_buffer.append', event_id: 'event_42', audio: 42 });
    assert.equal(e.error.event_id, 'event_42');
    await stillUsable(c);
  });

  test('unknown and invented event types (§3.10, §8.1) are refused by name, without echoing long text', async () => {
    const { c } = await h.open();
    const fakes = [
      'session.create', 'input_text', 'input_text_buffer.append', 'input_image', 'input_tool_output', 'transcription.update',
      'conversation.item.truncate', 'conversation.item.delete', 'conversation.item.retrieve', 'output_audio_buffer.clear',
      'transcription_session.update', 'response.output_text.delta', 'response.output_audio.delta', 'response.completed',
      'turn_detected', 'response.function_call', 'session.updated',
    ];
    for (const type of fakes) {
      const e = await expectError(c, { type, event_id: `event_${type}` });
      assert.equal(e.error.message, `Invalid event type: '${type}'.`);
      assert.equal(e.error.param, 'type');
      assert.equal(e.error.event_id, `event_${type}`);
    }
    const long = await expectError(c, { type: 'x'.repeat(5000) });
    assert.ok(long.error.message.length < 200);
    await stillUsable(c);
  });

  test('audio: invalid base64 and odd-length PCM are refused and not added', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const e1 = await expectError(c, { type: 'input_audio_buffer.append', audio: 'not base64!!' });
    assert.equal(e1.error.param, 'audio');
    const e2 = await expectError(c, { type: 'input_audio_buffer.append', audio: Buffer.from([1, 2, 3]).toString('base64') });
    assert.match(e2.error.message, /3 bytes/);
    // Neither was added: the buffer is still empty.
    await expectError(c, { type: 'input_audio_buffer.commit' });
    await stillUsable(c);
  });

  test('the uncommitted audio buffer is bounded: past it an error, the audio is not added', async () => {
    const { c } = await h.open({ maxBufferedAudioMs: 1000 }, { session: { turn_detection: null } });
    appendAudio(c, tone(1000));
    const e = await expectError(c, { type: 'input_audio_buffer.append', audio: b64(tone(100)) });
    assert.match(e.error.message, /1000 ms/);
    const since = c.mark();
    c.send({ type: 'input_audio_buffer.commit' });
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since });
    assert.equal(done.response.usage.input_tokens_details.audio_tokens, 7, 'exactly the 1 s that fit');
  });

  test('frames: above maxFrameBytes an error and the session goes on; above maxPayloadBytes ws closes 1009', async () => {
    const { c } = await h.open({ maxFrameBytes: 10_000, maxPayloadBytes: 50_000 }, { session: { turn_detection: null } });
    const e = await expectError(c, { type: 'input_audio_buffer.append', audio: b64(silence(500)) });
    assert.match(e.error.message, /10000 bytes/);
    await stillUsable(c);
    c.send({ type: 'input_audio_buffer.append', audio: b64(silence(2000)) });
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1009);
  });

  test('images: too large, not JPEG, PNG when allowed, no image input on turbo unless allowed', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    appendAudio(c, tone(100));
    const big = await expectError(c, { type: 'input_image_buffer.append', image: jpegOfSize(200_000).toString('base64') });
    assert.equal(big.error.param, 'image');
    assert.match(big.error.message, /too large/);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000010000000080806000000', 'hex');
    const notJpeg = await expectError(c, { type: 'input_image_buffer.append', image: png.toString('base64') });
    assert.equal(notJpeg.error.message, 'Invalid image: only JPEG images are supported.');
    await expectError(c, { type: 'input_image_buffer.append', image: Buffer.from('GIF89a....').toString('base64') });
    await expectError(c, { type: 'input_image_buffer.append', image: '%%%' });
    await stillUsable(c);

    const { c: pngOk } = await h.open({ acceptPng: true }, { session: { turn_detection: null } });
    appendAudio(pngOk, tone(100));
    pngOk.send({ type: 'input_image_buffer.append', image: png.toString('base64') });
    const since = pngOk.mark();
    pngOk.send({ type: 'input_audio_buffer.commit' });
    pngOk.send({ type: 'response.create' });
    const done = await pngOk.waitFor('response.done', { since });
    assert.match(done.response.output[0].content[0].transcript, /1 image \(16×8\)/);
    assert.ok(!pngOk.types().includes('error'));

    const { c: turbo } = await h.open({}, { model: 'qwen-omni-turbo-realtime', session: { turn_detection: null } });
    appendAudio(turbo, tone(100));
    const e = await expectError(turbo, { type: 'input_image_buffer.append', image: jpegOfSize(300).toString('base64') });
    assert.match(e.error.message, /does not support image input/);
    const { c: turboOk } = await h.open({ imagesOnAudioOnlyModels: true }, { model: 'qwen-omni-turbo-realtime', session: { turn_detection: null } });
    appendAudio(turboOk, tone(100));
    turboOk.send({ type: 'input_image_buffer.append', image: jpegOfSize(300).toString('base64') });
    turboOk.send({ type: 'input_audio_buffer.commit' });
    turboOk.send({ type: 'response.create' });
    await turboOk.waitFor('response.done');
    assert.ok(!turboOk.types().includes('error'));
  });

  test('input piling up without a response stays bounded and the session works', async () => {
    const { c } = await h.open({ maxHistoryEntries: 20 }, { session: { turn_detection: null } });
    for (let i = 0; i < 300; i++) c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `note ${i}` }] } });
    for (let i = 0; i < 30; i++) {
      appendAudio(c, tone(100));
      c.send({ type: 'input_audio_buffer.commit' });
    }
    const since = c.mark();
    c.send({ type: 'response.create' });
    const done = await c.waitFor('response.done', { since });
    assert.equal(done.response.status, 'completed');
    assert.ok(!c.types().includes('error'));
    assert.ok(done.response.usage.input_tokens_details.text_tokens < 300, 'history capped');
  });

  test('a responder that throws ends that connection with a server_error; other connections are unaffected', async () => {
    let calls = 0;
    const sim = await h.sim({
      responder: () => {
        if (calls++ === 0) throw new Error('boom');
        return { text: 'fine' };
      },
    });
    const { RawClient } = await import('./helpers.js');
    const a = await RawClient.connect(sim.url);
    const b = await RawClient.connect(sim.url);
    await a.waitFor('session.created');
    await b.waitFor('session.created');
    a.send({ type: 'response.create' });
    const e = await a.waitFor('error');
    assert.equal(e.error.type, 'server_error');
    const failed = await a.waitFor('response.done');
    assert.equal(failed.response.status, 'failed');
    assert.equal((await a.waitClosed()).code, 1011);
    b.send({ type: 'response.create' });
    const done = await b.waitFor('response.done');
    assert.equal(done.response.status, 'completed');
    await b.close();
  });
});
