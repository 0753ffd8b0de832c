/**
 * Voices as the live service treats them (protocol.md §0.2.1, §0.2.2): qwen3.8 refuses voices off
 * its closed list (`Cherry`) and accepts `Tina`, both spellings of `Eliška` and cloned voices;
 * qwen3.5-omni-flash with a
 * voice in the catalog's `silentFailureVoices` (`Cherry`) accepts `session.update`, then ends
 * every turn ~11 ms after `speech_stopped` (or at `response.create` after a manual commit) with
 * a close frame without a status code: the client sees 1005, no `error`, no `response.*`. The
 * `silentVoiceFailure: false` option answers normally.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getModelInfo } from '../../src/protocol/index.js';
import { appendAudio, concatPcm, harness, silence, skeleton, tone } from './helpers.js';

const h = harness();
const FLASH = 'qwen3.5-omni-flash-realtime';
const TURN = concatPcm(silence(500), tone(1000), silence(1500));

describe('broken voices, §0.2.2', () => {
  test('the catalog names Cherry on qwen3.5-omni-flash only', () => {
    assert.deepEqual(getModelInfo(FLASH)!.silentFailureVoices, ['Cherry']);
    assert.ok(!getModelInfo('qwen3.5-omni-plus-realtime')!.silentFailureVoices.includes('Cherry'));
  });

  test('VAD turn with Cherry: session.updated, speech_started, speech_stopped, then a close without status (1005)', async () => {
    const { c } = await h.open({}, { model: FLASH, session: { voice: 'Cherry', turn_detection: { type: 'server_vad' } } });
    const updated = c.events.at(-1)!;
    assert.equal(updated.type, 'session.updated');
    assert.equal(updated.session.voice, 'Cherry');
    const since = c.mark();
    appendAudio(c, TURN);
    const closed = await c.waitClosed();
    assert.deepEqual(closed, { code: 1005, reason: '' });
    assert.deepEqual(skeleton(c.types(since)), ['input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped']);
  });

  test('Manual turn with Cherry: the commit is acknowledged, response.create ends the socket silently', async () => {
    const { c } = await h.open({}, { model: FLASH, session: { voice: 'Cherry', turn_detection: null } });
    const since = c.mark();
    appendAudio(c, tone(500));
    c.send({ type: 'input_audio_buffer.commit' });
    c.send({ type: 'response.create' });
    assert.equal((await c.waitClosed()).code, 1005);
    const types = c.types(since);
    assert.ok(types.includes('input_audio_buffer.committed'));
    assert.ok(!types.some((t) => t === 'error' || t.startsWith('response.')), types.join(', '));
  });

  test('other voices on flash, and Cherry with silentVoiceFailure: false, are answered', async () => {
    for (const [voice, options] of [['Serena', {}], ['Cherry', { silentVoiceFailure: false }]] as const) {
      const { c } = await h.open(options, { model: FLASH, session: { voice, turn_detection: { type: 'server_vad' } } });
      appendAudio(c, TURN);
      const done = await c.waitFor('response.done');
      assert.equal(done.response.status, 'completed', voice);
      assert.equal(done.response.voice, voice);
    }
  });
});

describe('qwen3.8 voices, §0.2.1', () => {
  test('Cherry is refused (the error, then the socket closes); Tina, Eliska, Eliška and a cloned voice are accepted', async () => {
    const { c } = await h.open({}, { model: 'qwen3.8-omni-flash-realtime', session: { voice: 'Cherry' } });
    const e = c.events.at(-1)!;
    assert.equal(e.type, 'error');
    assert.equal(e.error.param, 'session.voice');
    assert.match(e.error.message, /Cherry/);
    assert.equal((await c.waitClosed()).code, 1008);
    for (const voice of ['Tina', 'Eliska', 'Eliška', 'qwen-omni-vc-myvoice-voice-20260101-abcd']) {
      const { c: ok } = await h.open({}, { model: 'qwen3.8-omni-flash-realtime', session: { voice } });
      const updated = ok.events.at(-1)!;
      assert.equal(updated.type, 'session.updated', `${voice}: ${JSON.stringify(updated.error ?? '')}`);
      assert.equal(updated.session.voice, voice);
    }
  });
});

