/**
 * The official Python SDK's frames (/work/shared/official-sdk-traces) replayed frame by frame
 * with the SDK's handshake headers: the simulator must accept every frame in order, answer as
 * protocol.md §4 says, and end the session as §3.9 / §0.1.1 say for the model.
 *
 * Base64 placeholders are filled with real data of the same length: PCM16 tone (440 Hz,
 * −12 dBFS) for speech, silence around the tone of the VAD trace, and a real JPEG padded to
 * the length for the image.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assertShapes, b64, harness, jpegOfSize, silence, tone, type Ev, type RawClient } from './helpers.js';

const h = harness();
const DIR = `${import.meta.dirname}/../fixtures/official-sdk-traces`;
const HANDSHAKE = existsSync(`${DIR}/handshake.json`) ? (JSON.parse(readFileSync(`${DIR}/handshake.json`, 'utf8')) as { headers: string[]; query_string: string }) : null;
const PLACEHOLDER = /^<base64 len=(\d+)>$/;

function loadTrace(name: string): Ev[] {
  return readFileSync(`${DIR}/${name}.client.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Ev);
}

/** Base64 text of exactly `len` characters whose payload is `make(bytes)`. */
function fill(len: number, make: (bytes: number) => Buffer): string {
  for (let bytes = Math.floor((len * 3) / 4); bytes > 0; bytes--) {
    if (Math.ceil(bytes / 3) * 4 !== len) continue;
    const data = make(bytes);
    if (data.length !== bytes) continue;
    return data.toString('base64');
  }
  throw new Error(`no payload for len ${len}`);
}

/** The trace's frames with real payloads; `audio(i, bytes)` chooses the i-th audio chunk. */
function materialise(frames: Ev[], audio: (index: number, bytes: number) => Buffer | null): Ev[] {
  let i = 0;
  return frames.map((f) => {
    const out = { ...f };
    const a = typeof f.audio === 'string' ? PLACEHOLDER.exec(f.audio) : null;
    if (a) {
      const index = i++;
      out.audio = fill(Number(a[1]), (bytes) => (bytes % 2 === 0 ? audio(index, bytes) ?? Buffer.alloc(0) : Buffer.alloc(0)));
    }
    const img = typeof f.image === 'string' ? PLACEHOLDER.exec(f.image) : null;
    if (img) out.image = fill(Number(img[1]), (bytes) => jpegOfSize(bytes));
    return out;
  });
}

function pcmBytes(pcm: Int16Array, bytes: number): Buffer {
  const b = Buffer.from(b64(pcm), 'base64');
  return b.subarray(0, bytes);
}

const toneChunk = (_i: number, bytes: number) => pcmBytes(tone(bytes / 32), bytes);

/** The SDK's handshake: its user-agent, Origin and a Bearer key; ws adds the WebSocket headers. */
function sdkHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of HANDSHAKE?.headers ?? []) {
    const [name, ...rest] = line.split(': ');
    const lower = name!.toLowerCase();
    // ws writes Upgrade, Connection, Host and the Sec-WebSocket-* headers itself.
    if (lower === 'user-agent' || lower === 'origin') headers[name!] = rest.join(': ');
  }
  return headers;
}

interface ReplayResult {
  c: RawClient;
  sentTypes: string[];
}

/**
 * Sends the frames in order. After `response.create` it waits for that response's end before
 * the next frame, as the SDK samples do — except that `response.cancel` is sent as soon as the
 * first audio delta arrives (the trace README).
 */
async function replay(c: RawClient, frames: Ev[]): Promise<ReplayResult> {
  const sentTypes: string[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const since = c.mark();
    c.send(f);
    sentTypes.push(f.type);
    if (f.type === 'session.update') await c.waitFor((e) => e.type === 'session.updated' || e.type === 'error', { since });
    if (f.type === 'conversation.item.create') await c.waitFor('conversation.item.created', { since });
    if (f.type === 'response.create') {
      if (frames[i + 1]?.type === 'response.cancel') await c.waitFor('response.audio.delta', { since });
      else await c.waitFor('response.done', { since, timeoutMs: 20_000 });
    }
    if (f.type === 'response.cancel') await c.waitFor('response.done', { since });
  }
  return { c, sentTypes };
}

/**
 * The traces need two options: the tools trace answers a call_id this session never issued (the
 * SDK sample's canned one, §0.2.10), and they use `Cherry`, which qwen3.5-omni-flash fails on
 * silently (§0.2.2).
 */
async function connect(model: string, speed = 0): Promise<RawClient> {
  const sim = await h.sim({ speed, acceptUnknownCallIds: true, silentVoiceFailure: false });
  const c = await h.client(sim, { model, key: 'sk-1234', headers: sdkHeaders(), query: `?${HANDSHAKE?.query_string.replace('qwen3-omni-flash-realtime', model) ?? `model=${model}`}` });
  await c.waitFor('session.created');
  return c;
}

function errors(c: RawClient): Ev[] {
  return c.events.filter((e) => e.type === 'error');
}

async function finishedAndClosed(c: RawClient): Promise<void> {
  await c.waitFor('session.finished');
  const closed = await c.waitClosed();
  assert.equal(closed.code, 1000);
  assert.equal(c.events.at(-1)!.type, 'session.finished');
}

const MODEL = 'qwen3-omni-flash-realtime';

describe('official Python SDK traces replayed', { skip: HANDSHAKE === null ? 'traces not present' : false }, () => {
  test('manual.client.jsonl: committed turn with an image, one response, session.finished (qwen3-omni-flash)', async () => {
    const c = await connect(MODEL);
    await replay(c, materialise(loadTrace('manual'), toneChunk));
    await finishedAndClosed(c);
    assert.deepEqual(errors(c), []);
    assertShapes(c.events);
    const updated = c.events.find((e) => e.type === 'session.updated')!;
    assert.equal(updated.session.turn_detection, null);
    assert.equal(updated.session.voice, 'Cherry');
    assert.equal(updated.session.input_audio_format, 'pcm');
    assert.equal(updated.session.instructions, 'You are a helpful assistant.');
    assert.deepEqual(updated.session.input_audio_transcription, { model: 'qwen3-asr-flash-realtime' });
    const types = c.types();
    for (const t of ['input_audio_buffer.committed', 'conversation.item.input_audio_transcription.completed', 'response.created', 'response.audio.delta', 'response.done']) assert.ok(types.includes(t), t);
    const done = c.events.find((e) => e.type === 'response.done')!;
    assert.equal(done.response.status, 'completed');
    assert.match(done.response.output[0].content[0].transcript, /1\.0 seconds of audio and saw 1 image \(16×8\)/);
    assert.ok(done.response.usage.input_tokens_details.image_tokens > 0);
    // qwen3-omni-flash: 12.5 input audio tokens per second (§2.6).
    assert.equal(done.response.usage.input_tokens_details.audio_tokens, 13);
  });

  test('vad.client.jsonl: silence, tone, silence → the server commits and responds by itself; session.finished', async () => {
    const c = await connect(MODEL);
    const frames = materialise(loadTrace('vad'), (i, bytes) => (i >= 10 && i < 20 ? toneChunk(i, bytes) : pcmBytes(silence(bytes / 32), bytes)));
    const audioFrames = frames.filter((f) => f.type === 'input_audio_buffer.append').length;
    assert.equal(audioFrames, 35);
    const finish = frames.pop()!;
    await replay(c, frames);
    await c.waitFor('response.done');
    await replay(c, [finish]);
    await finishedAndClosed(c);
    assert.deepEqual(errors(c), []);
    assertShapes(c.events);
    const updated = c.events.find((e) => e.type === 'session.updated')!;
    assert.deepEqual(updated.session.turn_detection, { type: 'server_vad', threshold: 0.2, prefix_padding_ms: 300, silence_duration_ms: 800, create_response: true, interrupt_response: true });
    const started = c.events.find((e) => e.type === 'input_audio_buffer.speech_started')!;
    const stopped = c.events.find((e) => e.type === 'input_audio_buffer.speech_stopped')!;
    assert.ok(Math.abs(started.audio_start_ms - 1000) <= 30, String(started.audio_start_ms));
    assert.ok(Math.abs(stopped.audio_end_ms - 2000) <= 30, String(stopped.audio_end_ms));
    const types = c.types();
    assert.ok(types.indexOf('input_audio_buffer.committed') < types.indexOf('response.created'));
    assert.ok(!c.events.some((e) => e.type === 'response.done' && e.response.status !== 'completed'));
  });

  test('cancel.client.jsonl: clear, commit, response.create, cancel after the first audio delta → cancelled response.done', async () => {
    const c = await connect(MODEL, 1);
    await replay(c, materialise(loadTrace('cancel'), toneChunk));
    await finishedAndClosed(c);
    assert.deepEqual(errors(c), []);
    assertShapes(c.events);
    assert.ok(c.types().includes('input_audio_buffer.cleared'));
    const done = c.events.find((e) => e.type === 'response.done')!;
    assert.equal(done.response.status, 'cancelled');
    assert.deepEqual(done.response.status_details, { type: 'cancelled', reason: 'client_cancelled' });
    assert.equal(done.response.output[0].status, 'incomplete');
    // The cleared chunks are gone: the committed turn has the 10 appends after the clear (1 s).
    assert.match(c.events.find((e) => e.type === 'conversation.item.input_audio_transcription.completed')!.transcript, /1\.0 s/);
  });

  test('tools.client.jsonl: tools ignored on qwen3-omni-flash, commit+response.create answered, unknown call_id accepted', async () => {
    const c = await connect(MODEL);
    await replay(c, materialise(loadTrace('tools'), toneChunk));
    await finishedAndClosed(c);
    assert.deepEqual(errors(c), []);
    assertShapes(c.events);
    const dones = c.events.filter((e) => e.type === 'response.done');
    assert.equal(dones.length, 2);
    assert.ok(dones.every((d) => d.response.status === 'completed'));
    const echo = c.events.find((e) => e.type === 'conversation.item.created' && e.item.type === 'function_call_output')!;
    assert.equal(echo.item.id, 'item_68f1f7e2378f4ea9978722b3c1441045');
    assert.equal(echo.item.call_id, 'call_D5Um2aKJhCPY3Cvhf1Xqt');
    assert.match(dones[1]!.response.output[0].content[0].transcript, /says: \{"location": "Hangzhou"/);
  });

  test('every trace on qwen3.5-omni-flash: all accepted; session.finish answered with an error as §0.1.1 records', async () => {
    for (const name of ['manual', 'vad', 'cancel', 'tools']) {
      const c = await connect('qwen3.5-omni-flash-realtime', name === 'cancel' ? 1 : 0);
      let frames = materialise(loadTrace(name), name === 'vad' ? (i, bytes) => (i >= 10 && i < 20 ? toneChunk(i, bytes) : pcmBytes(silence(bytes / 32), bytes)) : toneChunk);
      const finish = frames.pop()!;
      await replay(c, frames);
      if (name === 'vad') await c.waitFor('response.done');
      frames = [];
      const since = c.mark();
      c.send(finish);
      const e = await c.waitFor('error', { since });
      // The one error the protocol requires here: flash answers session.finish with "invalid event type".
      assert.equal(e.error.message, "Invalid event type: 'session.finish'.");
      assert.equal(e.error.event_id, finish.event_id);
      assert.deepEqual(errors(c), [e], `${name}: no other error`);
      assertShapes(c.events);
      await c.close(); // the SDK treats the error as "close now" (§0.1.1)
    }
  });
});
