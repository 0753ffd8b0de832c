import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODELS, getModelInfo, validateSessionConfig, type SessionConfig } from '../../src/protocol/index.js';

const plus = getModelInfo('qwen3.5-omni-plus-realtime')!;
const flash3 = getModelInfo('qwen3-omni-flash-realtime')!;

function issues(model = plus, session: unknown) {
  return validateSessionConfig(model, session).map((i) => `${i.kind} ${i.param}`);
}

test('the official SDK session.update payloads are valid (traces)', () => {
  const python: SessionConfig = { modalities: ['audio', 'text'], voice: 'Cherry', input_audio_format: 'pcm16', output_audio_format: 'pcm16', input_audio_transcription: { model: null }, turn_detection: { type: 'server_vad', threshold: 0.2, prefix_padding_ms: 300, silence_duration_ms: 800 } };
  assert.deepEqual(issues(flash3, python), []);
  const java: SessionConfig = { ...python, output_audio_format: 'pcm24', turn_detection: null };
  assert.deepEqual(issues(flash3, java), []);
  const nested: SessionConfig = { modalities: ['text', 'audio'], voice: 'Tina', audio: { input: { format: { type: 'pcm', sample_rate: 16000 } }, output: { format: { type: 'wav', sample_rate: 24000 } } }, enable_search: false, tools: [{ type: 'function', function: { name: 'get_current_weather', parameters: { type: 'object' } } }], seed: 1314, max_tokens: 16384, repetition_penalty: 1.05, presence_penalty: 0, top_k: 50, top_p: 1, temperature: 0.9 };
  assert.deepEqual(issues(plus, nested), []);
});

test('tools on qwen3-omni-flash are unsupported, not invalid (a server may ignore them)', () => {
  assert.deepEqual(issues(flash3, { tools: [{ type: 'function', function: { name: 'f' } }] }), ['unsupported session.tools']);
});

test('each bad field is named', () => {
  assert.deepEqual(issues(plus, { modalities: ['audio'] }), ['invalid session.modalities']);
  assert.deepEqual(issues(plus, { modalities: ['audio', 'text'] }), []);
  assert.deepEqual(issues(plus, { voice: '' }), ['invalid session.voice']);
  assert.deepEqual(issues(plus, { voice: 'qwen-omni-vc-guanyu-voice-20250812105009984-838b' }), []);
  assert.deepEqual(issues(flash3, { voice: 'qwen-omni-vc-guanyu' }), ['invalid session.voice']);
  assert.deepEqual(issues(plus, { turn_detection: { type: 'vad' } }), ['invalid session.turn_detection.type']);
  assert.deepEqual(issues(plus, { turn_detection: { idle_timeout_ms: 1000 } }), ['invalid session.turn_detection.idle_timeout_ms']);
  assert.deepEqual(issues(plus, { turn_detection: { type: 'semantic_vad', idle_timeout_ms: 8000 } }), ['unsupported session.turn_detection.idle_timeout_ms']);
  assert.deepEqual(issues(plus, { temperature: 2 }), ['invalid session.temperature']);
  assert.deepEqual(issues(plus, { top_p: 0 }), ['invalid session.top_p']);
  assert.deepEqual(issues(plus, { seed: -1 }), []);
  assert.deepEqual(issues(plus, { seed: 2 ** 31 }), ['invalid session.seed']);
  assert.deepEqual(issues(flash3, { max_tokens: 16385 }), ['invalid session.max_tokens']);
  assert.deepEqual(issues(plus, { tools: [{ type: 'function', function: { name: 'bad name!' } }] }), ['invalid session.tools[0].function.name']);
  assert.deepEqual(issues(plus, { tools: [{ type: 'function', name: 'flat_shape' }] }), []);
  assert.deepEqual(issues(plus, { tools: [{ type: 'mcp', server_label: 'amap' }] }), ['unsupported session.tools[0].type']);
  assert.deepEqual(issues(getModelInfo('qwen3.8-omni-flash-realtime')!, { audio: { input: { format: { channels: 2, channel_layout: 'mono' } } } }), ['invalid session.audio.input.format.channel_layout']);
  assert.deepEqual(issues(flash3, { audio: { output: { format: { sample_rate: 24000 } } } }), ['unsupported session.audio']);
  assert.deepEqual(issues(flash3, { smooth_output: false }), []);
  assert.deepEqual(issues(plus, { smooth_output: false }), ['unsupported session.smooth_output']);
  assert.deepEqual(issues(plus, 'nope'), ['invalid session']);
});

test('the documented modalities message', () => {
  const [issue] = validateSessionConfig(plus, { modalities: ['audio'] });
  assert.equal(issue?.message, "Invalid modalities: ['audio']. Supported combinations are: ['text'] and ['audio', 'text'].");
});

test('catalog: every model of §2.1 with consistent data', () => {
  assert.equal(Object.keys(MODELS).length, 11);
  for (const info of Object.values(MODELS)) {
    assert.ok(info.voices === null || info.voices.includes(info.defaultVoice), `${info.id} default voice in list`);
    assert.ok(info.output.sampleRates.includes(info.output.defaultSampleRate));
    assert.ok(info.input.sampleRates.includes(info.input.defaultSampleRate));
    if (info.tools) assert.ok(info.family.startsWith('qwen3.5') || info.family.startsWith('qwen3.8'));
  }
  assert.equal(getModelInfo('qwen3-omni-flash-realtime-2025-09-15')!.voices!.length, 17);
  assert.equal(getModelInfo('qwen3-omni-flash-realtime')!.voices!.length, 49);
  assert.equal(getModelInfo('qwen3.5-omni-plus-realtime')!.voices!.length, 58);
  assert.equal(getModelInfo('qwen3.5-omni-flash-realtime')!.sessionFinish, 'error');
  assert.equal(getModelInfo('toString'), undefined);
});
