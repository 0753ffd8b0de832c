/**
 * `response.done.usage` against the token rules of protocol.md §2.6, and the history limits of
 * §2.2 showing in it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { textTokens } from '../../src/protocol/index.js';
import { appendAudio, b64, harness, pcmOf, tone, type Ev, type RawClient } from './helpers.js';

const h = harness();

async function turn(c: RawClient, ms: number, instructions?: string): Promise<Ev[]> {
  const since = c.mark();
  if (ms > 0) {
    appendAudio(c, tone(ms));
    c.send({ type: 'input_audio_buffer.commit' });
  }
  c.send({ type: 'response.create', response: { instructions: instructions ?? null } });
  await c.waitFor('response.done', { since });
  return c.events.slice(since);
}

function usageOf(events: Ev[]) {
  return events.find((e) => e.type === 'response.done')!.response.usage;
}

describe('usage (§2.6)', () => {
  test('2 s of audio on qwen3.5-omni-plus: 14 input audio tokens; output billed for the audio only (§0.2.22)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null } });
    const events = await turn(c, 2000);
    const usage = usageOf(events);
    assert.equal(usage.input_tokens_details.audio_tokens, 14);
    assert.equal(usage.input_tokens_details.text_tokens, 0);
    const transcript = events.find((e) => e.type === 'response.audio_transcript.done')!.transcript;
    const samples = events.filter((e) => e.type === 'response.audio.delta').reduce((n, e) => n + pcmOf(e.delta).length, 0);
    assert.equal(usage.output_tokens_details.text_tokens, textTokens(transcript));
    assert.equal(usage.output_tokens_details.audio_tokens, Math.ceil((samples / 24000) * 12.5));
    assert.equal(usage.input_tokens, 14);
    // qwen3.5 bills only the audio of an audio reply, not its transcript (§0.2.22).
    assert.ok(usage.output_tokens_details.text_tokens > 0);
    assert.equal(usage.output_tokens, usage.output_tokens_details.audio_tokens);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
    assert.equal(usage.plugins, undefined);
    c.send({ type: 'session.update', session: { enable_search: true } });
    const searched = usageOf(await turn(c, 0));
    assert.deepEqual(searched.plugins, { search: { count: 0, strategy: 'agent' } });
  });

  test('under a second counts as a second; instructions count as text; per-model audio rates', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null, instructions: 'You are a helpful hotel concierge.' } });
    const u = usageOf(await turn(c, 300));
    assert.equal(u.input_tokens_details.audio_tokens, 7);
    assert.equal(u.input_tokens_details.text_tokens, textTokens('You are a helpful hotel concierge.'));
    const per = usageOf(await turn(c, 0, 'Short.'));
    // Per-response instructions replace the session's for that response; the history is re-billed.
    assert.ok(per.input_tokens_details.text_tokens >= textTokens('Short.'));
    assert.equal(per.input_tokens_details.audio_tokens, 7);

    for (const [model, rate] of [['qwen3-omni-flash-realtime', 12.5], ['qwen-omni-turbo-realtime', 25], ['qwen3.8-omni-flash-realtime', 7]] as const) {
      const { c: m } = await h.open({}, { model, session: { turn_detection: null } });
      const usage = usageOf(await turn(m, 2000));
      assert.equal(usage.input_tokens_details.audio_tokens, Math.ceil(2 * rate), model);
      const out = usage.output_tokens_details;
      assert.ok(out.audio_tokens > 0 && out.text_tokens > 0);
      // qwen3.8 bills the transcript too (§0.2.22), as the documented response.done of the older models shows (§4.21).
      assert.equal(usage.output_tokens, out.text_tokens + out.audio_tokens, model);
    }
  });

  test('wav input: the header of a WAV-wrapped chunk is not audio; qwen3.8 stereo input bills 2× (§2.6)', async () => {
    const { c } = await h.open({}, { session: { turn_detection: null, audio: { input: { format: { type: 'wav', sample_rate: 16000 } } } } });
    const pcm = Buffer.from(b64(tone(1000)), 'base64');
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(36 + pcm.length, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt32LE(32000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(pcm.length, 40);
    const since = c.mark();
    c.send({ type: 'input_audio_buffer.append', audio: Buffer.concat([header, pcm]).toString('base64') });
    c.send({ type: 'input_audio_buffer.commit' });
    c.send({ type: 'response.create' });
    await c.waitFor('response.done', { since });
    // Exactly 1.0 s: had the 44 header bytes been taken as samples, 1.001 s would bill 8.
    assert.equal(usageOf(c.events.slice(since)).input_tokens_details.audio_tokens, 7);

    const { c: st } = await h.open({}, { model: 'qwen3.8-omni-flash-realtime', session: { turn_detection: null, audio: { input: { format: { type: 'pcm', sample_rate: 16000, channels: 2, channel_layout: 'raw_mic_array' } } } } });
    const mono = tone(1000);
    const stereo = new Int16Array(mono.length * 2);
    mono.forEach((v, i) => {
      stereo[2 * i] = v;
      stereo[2 * i + 1] = v;
    });
    const s2 = st.mark();
    st.send({ type: 'input_audio_buffer.append', audio: b64(stereo) });
    st.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(6).toString('base64') });
    const odd = await st.waitFor('error', { since: s2 });
    assert.match(odd.error.message, /multiple of 4/);
    st.send({ type: 'input_audio_buffer.commit' });
    st.send({ type: 'response.create' });
    await st.waitFor('response.done', { since: s2 });
    assert.equal(usageOf(st.events.slice(s2)).input_tokens_details.audio_tokens, 14);
  });

  test('history limits drop the oldest turns silently (qwen3-omni-flash keeps 8 audio turns, §2.2)', async () => {
    const { c } = await h.open({}, { model: 'qwen3-omni-flash-realtime', session: { turn_detection: null } });
    const audio: number[] = [];
    for (let i = 0; i < 10; i++) audio.push(usageOf(await turn(c, 1000)).input_tokens_details.audio_tokens);
    assert.deepEqual(audio, [13, 26, 39, 52, 65, 78, 91, 104, 104, 104]);
    assert.ok(!c.types().includes('error'));
  });
});
