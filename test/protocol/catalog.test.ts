/**
 * The catalog corrections of protocol.md §0.2.1–2 and §0.2.20–23, the allowed values in the
 * client's messages (issue 17.3), and the billing rule shared by the estimate and the simulator.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageEstimator } from '../../src/audio/estimate.js';
import {
  MODELS,
  OTHER_ENDPOINT_MODELS,
  billedOutputTokens,
  describeAllowed,
  describeIssue,
  getModelInfo,
  validateSessionConfig,
} from '../../src/protocol/index.js';

const q38 = getModelInfo('qwen3.8-omni-flash-realtime')!;
const flash35 = getModelInfo('qwen3.5-omni-flash-realtime')!;
const plus35 = getModelInfo('qwen3.5-omni-plus-realtime')!;

function voiceIssues(model = q38, voice: string, refuse = false) {
  return validateSessionConfig(model, { voice }, { refuseSilentFailureVoices: refuse }).map((i) => i.param);
}

test('qwen3.8 has the closed voice list of §0.2.1: Eliška in both spellings, no Cherry, cloned voices accepted', () => {
  assert.equal(q38.voices?.length, 57);
  for (const voice of ['Tina', 'Zane', 'Cici', 'Eliška', 'Eliska', 'longanlingxin', 'Liora Mira', 'qwen-omni-vc-guanyu-voice-20250812105009984-838b']) {
    assert.deepEqual(voiceIssues(q38, voice), [], voice);
  }
  for (const voice of ['Cherry', 'Ethan', 'Chelsie', 'Sunnybobi', 'Harvey']) assert.deepEqual(voiceIssues(q38, voice), ['session.voice'], voice);
  assert.deepEqual(validateSessionConfig(q38, { audio: { output: { voice: 'Cherry' } } }).map((i) => i.param), ['session.audio.output.voice']);
});

test('qwen3.5-omni-flash + Cherry: accepted by the shared validator (the service accepts it), refused on request with why and working voices', () => {
  assert.deepEqual(flash35.silentFailureVoices, ['Cherry']);
  assert.deepEqual(plus35.silentFailureVoices, []);
  assert.deepEqual(voiceIssues(flash35, 'Cherry'), []);
  assert.deepEqual(voiceIssues(plus35, 'Cherry', true), [], 'plus is not affected');
  const [issue] = validateSessionConfig(flash35, { voice: 'Cherry' }, { refuseSilentFailureVoices: true });
  assert.ok(issue);
  assert.equal(issue.param, 'session.voice');
  assert.match(issue.message, /accepts it and then ends every turn silently/);
  assert.match(issue.message, /'Tina', 'Ethan', 'Serena'/);
  assert.match(issue.message, /allowBrokenVoices: true/);
  assert.match(describeIssue(issue, flash35), /see `dashscope-realtime models qwen3\.5-omni-flash-realtime`/i);
});

test('enumerated fields: the client message names the first allowed values and the models command (issue 17.3)', () => {
  const [voice] = validateSessionConfig(q38, { voice: 'Nobody' });
  // The service's own text stays as it is for the simulator (§2.4).
  assert.equal(voice?.message, "Voice 'Nobody' is not supported.");
  assert.equal(
    describeIssue(voice!, q38),
    "Voice 'Nobody' is not supported. Allowed: 'Tina', 'Cindy', 'Liora Mira', 'Raymond', 'Zane', 'Katerina', … (57 in all); see `dashscope-realtime models qwen3.8-omni-flash-realtime`. Cloned voices (qwen-omni-vc-…) are accepted too.",
  );
  const [rate] = validateSessionConfig(plus35, { audio: { output: { format: { sample_rate: 44100 } } } });
  assert.match(describeIssue(rate!, plus35), /accepts \[8000, 16000, 24000, 48000\]\. See `dashscope-realtime models qwen3\.5-omni-plus-realtime`\.$/);
  const [td] = validateSessionConfig(plus35, { turn_detection: { type: 'vad' } });
  assert.match(describeIssue(td!, plus35), /'server_vad'.*See `dashscope-realtime models/);
  const [range] = validateSessionConfig(plus35, { temperature: 5 });
  assert.equal(describeIssue(range!, plus35), range!.message, 'a range is not an enumeration');
  assert.equal(describeAllowed(['a', 'b']), "Allowed: 'a', 'b'; see `dashscope-realtime models`.");
});

test('catalog corrections §0.2.20–23', () => {
  for (const id of ['qwen3.5-omni-plus-realtime', 'qwen3.5-omni-flash-realtime-2026-03-15']) assert.equal(MODELS[id]!.defaults.repetition_penalty, 1.0, id);
  assert.equal(q38.defaults.repetition_penalty, 0);
  assert.equal(MODELS['qwen3-omni-flash-realtime']!.defaults.repetition_penalty, 1.05);
  assert.deepEqual(
    { ...q38.limits },
    { maxInputTokens: 196_608, maxOutputTokens: 65_536, audioTurns: 100, videoTurns: 50, audioSeconds: 600, videoSeconds: 240, sessionMinutes: 120 },
  );
  for (const info of Object.values(MODELS)) {
    assert.equal(info.transcriptionModel, 'qwen3-asr-flash-realtime', info.id);
    const legacy = info.family === 'qwen3-omni-flash' || info.family === 'qwen-omni-turbo';
    assert.equal(info.status === 'legacy', legacy, info.id);
  }
  assert.equal(MODELS['qwen3-omni-flash-realtime']!.snapshot, 'qwen3-omni-flash-realtime-2025-12-01', 'a legacy alias still names its snapshot');
  assert.ok(OTHER_ENDPOINT_MODELS.includes('qwen3.8-livetranslate-flash-realtime'));
  assert.ok(OTHER_ENDPOINT_MODELS.every((id) => MODELS[id] === undefined));
});

test('billing (§0.2.22): qwen3.8 bills an audio reply and its transcript, qwen3.5 only the audio; text replies bill their text', () => {
  assert.equal(billedOutputTokens(q38.tokens, 9, 32), 41);
  assert.equal(billedOutputTokens(plus35.tokens, 9, 32), 32);
  assert.equal(billedOutputTokens(plus35.tokens, 9, 0), 9);
  for (const [model, audioTurnOutput] of [[q38, 13 + 10], [plus35, 13]] as const) {
    const estimate = new UsageEstimator(model);
    estimate.addOutputAudio(1); // 12.5 → 13 tokens
    estimate.addOutputText('a'.repeat(40)); // 10 tokens, the transcript
    estimate.endTurn();
    estimate.addOutputText('b'.repeat(40)); // a text-only reply
    estimate.endTurn();
    assert.equal(estimate.totals.outputTextTokens, 20, model.id);
    assert.equal(estimate.totals.outputTokens, audioTurnOutput + 10, model.id);
  }
});
