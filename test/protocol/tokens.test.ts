import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audioTokens, getModelInfo, imageTokens } from '../../src/protocol/index.js';

test('audio tokens: rate per second, under a second counts as one', () => {
  assert.equal(audioTokens(2, 7), 14);
  assert.equal(audioTokens(0.3, 12.5), 13);
  assert.equal(audioTokens(0, 25), 0);
  assert.equal(audioTokens(10, 25), 250);
});

test('image tokens: 32-px blocks, minimum 4, maximum 1280', () => {
  const rules = getModelInfo('qwen3.5-omni-plus-realtime')!.tokens;
  assert.equal(imageTokens(640, 480, rules), 300);
  assert.equal(imageTokens(1920, 1080, rules), 1222); // scaled down: floor(1080/β/32)=26 × floor(1920/β/32)=47
  assert.equal(imageTokens(4000, 4000, rules), 1225);
  assert.equal(imageTokens(10, 10, rules), 4);
  const turbo = getModelInfo('qwen-omni-turbo-realtime')!.tokens;
  assert.equal(imageTokens(280, 280, turbo), 100);
});
