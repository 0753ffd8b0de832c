/**
 * `session.created` defaults and `session.update` (protocol.md §3.1, §4.2, §4.3): per-model
 * defaults, merge or replace, both audio-format shapes, output rates and the `wav` container,
 * formats fixed once audio started, unsupported fields ignored.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendAudio, assertShapes, harness, pcmOf, tone, type RawClient } from './helpers.js';

const h = harness();

async function update(c: RawClient, session: object) {
  const since = c.mark();
  c.send({ type: 'session.update', session });
  return c.waitFor((e) => e.type === 'session.updated' || e.type === 'error', { since });
}

describe('session.created (§4.2)', () => {
  test('per-model defaults from the catalog', async () => {
    const sim = await h.sim();
    const expect = {
      'qwen3.5-omni-plus-realtime': { voice: 'Tina', temperature: 0.7, nested: true, asr: 'qwen3-asr-flash-realtime' },
      'qwen3-omni-flash-realtime': { voice: 'Cherry', temperature: 0.9, nested: false, asr: 'qwen3-asr-flash-realtime' },
      'qwen-omni-turbo-realtime': { voice: 'Chelsie', temperature: 1.0, nested: false, asr: 'qwen3-asr-flash-realtime' },
      'qwen3.8-omni-flash-realtime': { voice: 'Tina', temperature: 0.6, nested: true, asr: 'qwen3-asr-flash-realtime' },
    } as const;
    for (const [model, want] of Object.entries(expect)) {
      const c = await h.client(sim, { model });
      const created = await c.waitFor('session.created');
      assertShapes([created]);
      assert.equal(c.events[0], created, 'session.created is the first event');
      const s = created.session;
      assert.equal(s.object, 'realtime.session');
      assert.equal(s.model, model);
      assert.match(s.id, /^sess_/);
      assert.deepEqual(s.modalities, ['text', 'audio']);
      assert.equal(s.voice, want.voice);
      assert.equal(s.temperature, want.temperature);
      assert.equal(s.input_audio_format, 'pcm');
      assert.equal(s.output_audio_format, 'pcm');
      assert.deepEqual(s.input_audio_transcription, { model: want.asr });
      assert.deepEqual(s.turn_detection, { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 800, create_response: true, interrupt_response: true });
      assert.equal(s.audio !== undefined, want.nested);
      if (want.nested) assert.deepEqual(s.audio, { input: { format: { type: 'pcm', sample_rate: 16000 } }, output: { format: { type: 'pcm', sample_rate: 24000 } } });
      assert.equal(s.smooth_output, model === 'qwen3-omni-flash-realtime' ? true : undefined);
      assert.deepEqual([s.tools, s.tool_choice, s.enable_search], [[], 'auto', false]);
    }
  });
});

describe('session.update (§3.1, §4.3)', () => {
  test('merge (default): omitted keys keep their values; replace resets them', async () => {
    const { c } = await h.open();
    await update(c, { voice: 'Ethan', instructions: 'Be brief.' });
    const merged = await update(c, { temperature: 0.5 });
    assert.deepEqual([merged.session.voice, merged.session.instructions, merged.session.temperature], ['Ethan', 'Be brief.', 0.5]);
    const { c: r } = await h.open({ sessionUpdateMode: 'replace' });
    await update(r, { voice: 'Ethan', instructions: 'Be brief.' });
    const replaced = await update(r, { temperature: 0.5 });
    assert.deepEqual([replaced.session.voice, replaced.session.instructions, replaced.session.temperature], ['Tina', undefined, 0.5]);
    assert.equal(replaced.session.id, r.events[0]!.session.id, 'the session id stays');
  });

  test('legacy pcm16/pcm24 accepted and echoed as pcm; {model: null} transcription echoed with the service model; unknown keys ignored', async () => {
    const { c } = await h.open({}, { model: 'qwen3-omni-flash-realtime' });
    const u = await update(c, { input_audio_format: 'pcm16', output_audio_format: 'pcm24', input_audio_transcription: { model: null }, translation: { language: 'en' }, voice: null });
    assert.equal(u.type, 'session.updated');
    assert.deepEqual([u.session.input_audio_format, u.session.output_audio_format], ['pcm', 'pcm']);
    assert.deepEqual(u.session.input_audio_transcription, { model: 'qwen3-asr-flash-realtime' });
    assert.equal(u.session.translation, undefined);
    assert.equal(u.session.voice, 'Cherry', 'voice null keeps the voice');
    const bad = await update(c, { input_audio_format: 'opus' });
    assert.equal(bad.type, 'error');
  });

  test('nested output format: 16 kHz deltas; the wav type puts a WAV header in front of the first delta', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null, audio: { output: { format: { type: 'wav', sample_rate: 16000 } } } } });
    const updated = c.events.find((e) => e.type === 'session.updated')!;
    assert.deepEqual(updated.session.audio, { input: { format: { type: 'pcm', sample_rate: 16000 } }, output: { format: { type: 'wav', sample_rate: 16000 } } });
    const since = c.mark();
    c.send({ type: 'response.create' });
    await c.waitFor('response.done', { since });
    const deltas = c.events.slice(since).filter((e) => e.type === 'response.audio.delta').map((e) => Buffer.from(e.delta, 'base64'));
    const first = deltas[0]!;
    assert.equal(first.subarray(0, 4).toString('ascii'), 'RIFF');
    assert.equal(first.subarray(8, 12).toString('ascii'), 'WAVE');
    assert.equal(first.readUInt32LE(24), 16000);
    const dataBytes = first.readUInt32LE(40);
    assert.equal(first.length, 44 + 1600 * 2, '100 ms at 16 kHz after the header');
    assert.ok(deltas.slice(1).every((d) => d.subarray(0, 4).toString('ascii') !== 'RIFF'));
    assert.equal(deltas.reduce((n, d) => n + d.length, 0) - 44, dataBytes);

    const { c: pcm8k } = await h.open({}, { session: { turn_detection: null, audio: { output: { format: { type: 'pcm', sample_rate: 8000 } } } } });
    const s2 = pcm8k.mark();
    pcm8k.send({ type: 'response.create' });
    await pcm8k.waitFor('response.done', { since: s2 });
    assert.equal(pcmOf(pcm8k.events.slice(s2).find((e) => e.type === 'response.audio.delta')!.delta).length, 800);
  });

  test('the input format cannot change after audio started (§3.1.2); the voice may unless locked', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    appendAudio(c, tone(100));
    const e = await update(c, { audio: { input: { format: { type: 'pcm', sample_rate: 24000 } } } });
    assert.equal(e.type, 'error');
    assert.equal(e.error.param, 'session.audio.input.format');
    assert.equal((await update(c, { voice: 'Ethan' })).type, 'session.updated');

    const { c: locked } = await h.open({ lockVoiceAfterAudio: true }, { session: { turn_detection: null } });
    locked.send({ type: 'response.create' });
    await locked.waitFor('response.done');
    const refused = await update(locked, { voice: 'Ethan' });
    assert.equal(refused.type, 'error');
    assert.match(refused.error.message, /voice cannot be changed/);
  });

  test('turn_detection toggles between Manual and VAD; unsupported semantic_vad on qwen3-omni-flash falls back to server_vad', async () => {
    const { c } = await h.open();
    assert.equal((await update(c, { turn_detection: null })).session.turn_detection, null);
    const vad = await update(c, { turn_detection: { type: 'semantic_vad', silence_duration_ms: 500 } });
    assert.deepEqual(vad.session.turn_detection, { type: 'semantic_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true });
    const { c: flash } = await h.open({}, { model: 'qwen3-omni-flash-realtime' });
    const u = await update(flash, { turn_detection: { type: 'semantic_vad' } });
    assert.equal(u.session.turn_detection.type, 'server_vad');
  });

  test('qwen3.8 MCP tools: the URL, authorization and headers are never echoed, and recordings mask them (§3.1.6)', async () => {
    const records: Array<{ direction: string; event?: Record<string, unknown> }> = [];
    const { c } = await h.open({ onFrame: (r) => records.push(r) }, { model: 'qwen3.8-omni-flash-realtime' });
    const mcp = { type: 'mcp', server_label: 'amap', server_url: 'https://mcp.example/sse', authorization: 'Bearer MCP-SECRET-TOKEN', headers: { 'X-Api-Key': 'HEADER-SECRET' }, allowed_tools: ['maps_weather'], require_approval: 'never' };
    const u = await update(c, { tools: [mcp] });
    assert.equal(u.type, 'session.updated');
    assert.deepEqual(u.session.tools, [{ type: 'mcp', server_label: 'amap', allowed_tools: ['maps_weather'], require_approval: 'never' }]);
    const sent = records.find((r) => r.direction === 'client' && r.event?.type === 'session.update')!;
    assert.deepEqual((sent.event!.session as { tools: unknown[] }).tools, [{ ...mcp, server_url: '***', authorization: '***', headers: '***' }]);
    const all = JSON.stringify(records);
    for (const secret of ['MCP-SECRET-TOKEN', 'HEADER-SECRET', 'mcp.example']) assert.ok(!all.includes(secret), `${secret} in a record`);
  });

  test('qwen3.8: audio.output.voice wins over voice; the response carries it', async () => {
    const { c } = await h.open({}, { model: 'qwen3.8-omni-flash-realtime', session: { turn_detection: null, voice: 'Tina', audio: { output: { voice: 'longanlingxin' } } } });
    const since = c.mark();
    c.send({ type: 'response.create' });
    const created = await c.waitFor('response.created', { since });
    assert.equal(created.response.voice, 'longanlingxin');
    await c.waitFor('response.done', { since });
  });
});
