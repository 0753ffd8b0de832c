import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageEstimator, estimateAudioTokens, estimateImageTokens, estimateVideoTokens } from '../../src/audio/estimate.js';
import { ValidationError } from '../../src/errors.js';
import { getModelInfo } from '../../src/protocol/models.js';
import { RealtimeClient } from '../../src/client/realtimeClient.js';
import { startSimulator } from '../../src/simulator/index.js';
import { jpeg } from './signals.js';

test('audio tokens per model and direction (protocol.md §2.6)', () => {
  const rows: [string, number, number][] = [
    ['qwen3.5-omni-plus-realtime', 7, 12.5],
    ['qwen3.5-omni-flash-realtime', 7, 12.5],
    ['qwen3.8-omni-flash-realtime', 7, 12.5],
    ['qwen3-omni-flash-realtime', 12.5, 12.5],
    ['qwen-omni-turbo-realtime', 25, 25],
  ];
  for (const [model, input, output] of rows) {
    assert.equal(estimateAudioTokens(model, 10, 'input'), 10 * input, model);
    assert.equal(estimateAudioTokens(model, 10, 'output'), 10 * output, model);
    assert.equal(estimateAudioTokens(model, 0.2, 'input'), Math.ceil(input), `${model}: under 1 s counts as 1 s`);
    assert.equal(estimateAudioTokens(model, 0, 'output'), 0);
  }
  assert.equal(estimateAudioTokens(getModelInfo('qwen3-omni-flash-realtime')!, 3, 'input'), 38); // ceil(37.5)
});

test('qwen3.8 multichannel input counts double; other models take mono only', () => {
  assert.equal(estimateAudioTokens('qwen3.8-omni-flash-realtime', 2, 'input', 2), 28);
  assert.equal(estimateAudioTokens('qwen3.8-omni-flash-realtime', 2, 'input', 4), 28);
  assert.throws(() => estimateAudioTokens('qwen3.8-omni-flash-realtime', 2, 'input', 3), /input with 1 or 2 or 4 channel/);
  assert.throws(() => estimateAudioTokens('qwen3.5-omni-plus-realtime', 2, 'input', 2), ValidationError);
  assert.throws(() => estimateAudioTokens('qwen3.8-omni-flash-realtime', 2, 'output', 2), /mono output/);
});

test('a sum of 100 ms chunks is not billed an extra token by float rounding', () => {
  let seconds = 0;
  for (let i = 0; i < 20; i++) seconds += 0.1;
  assert.notEqual(seconds, 2);
  assert.equal(estimateAudioTokens('qwen3.5-omni-plus-realtime', seconds, 'input'), 14);
});

test('image tokens use the model block size (32 px, 28 px on turbo)', () => {
  assert.equal(estimateImageTokens('qwen3.5-omni-plus-realtime', 640, 480), 300);
  assert.equal(estimateImageTokens('qwen3.5-omni-plus-realtime', 1920, 1080), 1222);
  assert.equal(estimateImageTokens('qwen3.5-omni-plus-realtime', 8, 8), 4);
  assert.equal(estimateImageTokens('qwen-omni-turbo-realtime', 280, 280), 100);
  assert.equal(estimateVideoTokens('qwen3.5-omni-plus-realtime', 640, 480, 5), 900); // ceil(5/2) = 3 images
});

test('image block counts round halves to even, as the official estimator (Python round) does', () => {
  // 720 / 32 = 22.5 blocks → 22 (not 23): 40 × 22 blocks.
  assert.equal(estimateImageTokens('qwen3.5-omni-plus-realtime', 1280, 720), 880);
  assert.equal(estimateImageTokens('qwen3.8-omni-flash-realtime', 1280, 720), 880);
  // 854 / 28 = 30.5 → 30; 480 / 28 = 17.1 → 17: 30 × 17 blocks.
  assert.equal(estimateImageTokens('qwen-omni-turbo-realtime', 854, 480), 510);
  // 1.5 → 2 and 3.5 → 4 (even neighbours above): halves do not always go down.
  assert.equal(estimateImageTokens('qwen3.5-omni-plus-realtime', 48, 112), 2 * 4);
});

test("the simulator's usage bills a 1280×720 frame 880 tokens, as the estimate says", async () => {
  const sim = await startSimulator({ speed: 0 });
  const client = new RealtimeClient({ model: 'qwen3.5-omni-plus-realtime', url: sim.url, apiKey: 'sk-test' });
  try {
    await client.connect();
    await client.updateSession({ turn_detection: null });
    await client.appendAudio(new Int16Array(16000).fill(1000));
    await client.appendImage(jpeg(1280, 720, { size: 4096 }));
    client.commitAudio();
    client.createResponse();
    const done = await client.waitFor('response.done', { timeoutMs: 30_000 });
    assert.equal(done.response.usage?.input_tokens_details?.image_tokens, estimateImageTokens('qwen3.5-omni-plus-realtime', 1280, 720));
    assert.equal(done.response.usage?.input_tokens_details?.image_tokens, 880);
  } finally {
    await client.finish().catch(() => client.close());
    await sim.close();
  }
});

test('unknown models and bad arguments are named', () => {
  assert.throws(() => estimateAudioTokens('gpt-4o-realtime', 1, 'input'), (e: unknown) => e instanceof ValidationError && /Unknown model "gpt-4o-realtime"; token rules are known for: .*qwen3.5-omni-plus-realtime/.test(e.message));
  assert.throws(() => estimateAudioTokens('qwen3.5-omni-plus-realtime', -1, 'input'), /non-negative/);
  assert.throws(() => estimateAudioTokens('qwen3.5-omni-plus-realtime', 1, 'sideways' as 'input'), /direction/);
});

test('UsageEstimator applies the 1 s minimum per turn, not per chunk', () => {
  const usage = new UsageEstimator('qwen3.5-omni-plus-realtime');
  for (let i = 0; i < 5; i++) usage.addInputAudio(0.1); // one 0.5 s utterance in 100 ms chunks
  assert.equal(usage.totals.inputAudioTokens, 7);
  usage.addOutputAudio(2.04);
  usage.endTurn();
  usage.addInputAudio(3);
  const t = usage.totals;
  assert.equal(t.turns, 1);
  assert.equal(t.inputAudioTokens, 7 + 21);
  assert.equal(t.outputAudioTokens, 26); // ceil(2.04 × 12.5)
  assert.equal(t.inputAudioSeconds, 3.5);
});

test('UsageEstimator totals images (by size or by header) and text', () => {
  const usage = new UsageEstimator(getModelInfo('qwen3-omni-flash-realtime')!);
  assert.equal(usage.addImage(640, 480), 300);
  const pngHeader = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0]);
  assert.equal(usage.addImage(pngHeader), 64); // 256 × 256
  usage.addInputText('hello world!'); // 12 bytes → 3
  usage.addOutputText('hi'); // 1
  const t = usage.totals;
  assert.deepEqual([t.images, t.imageTokens, t.inputTextTokens, t.outputTextTokens], [2, 364, 3, 1]);
  assert.equal(t.inputTokens, 367);
  assert.equal(t.outputTokens, 1);
  assert.equal(t.totalTokens, 368);
  assert.throws(() => usage.addImage(new Uint8Array([1, 2, 3])), ValidationError);
  assert.throws(() => usage.addImage(0, 10), ValidationError);
  usage.reset();
  assert.equal(usage.totals.totalTokens, 0);
});
