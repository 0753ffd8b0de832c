import assert from 'node:assert/strict';
import { test } from 'node:test';
import { designFilter } from '../../src/audio/resampleFilter.js';

test('every phase row has unit DC gain and the tap count is a multiple of 4', () => {
  for (const [from, to, up] of [[48000, 16000, 1], [24000, 48000, 2], [44100, 48000, 160]] as const) {
    const f = designFilter(from, to, up, 90, 0.85);
    assert.equal(f.taps % 4, 0);
    assert.equal(f.taps, 2 * f.half);
    assert.ok(f.exact);
    assert.equal(f.table.length, f.rows * f.taps);
    for (let r = 0; r < f.rows; r++) {
      let sum = 0;
      for (let t = 0; t < f.taps; t++) sum += f.table[r * f.taps + t]!;
      assert.ok(Math.abs(sum - 1) < 1e-6, `${from}→${to} row ${r}: ${sum}`);
    }
  }
});

test('the filter is longer where the transition band is narrower (downsampling to a low rate)', () => {
  const up = designFilter(16000, 48000, 3, 90, 0.85);
  const down = designFilter(48000, 16000, 1, 90, 0.85);
  const toPhone = designFilter(48000, 8000, 1, 90, 0.85);
  assert.ok(down.half > up.half && toPhone.half > down.half);
  // In seconds the three reach about as far: the length follows the lower rate, not the ratio.
  assert.ok(Math.abs(up.half / 16000 - down.half / 48000) < 0.0002);
});

test('ratios with too many phases get an interpolated table with one extra row', () => {
  const f = designFilter(44100, 47999, 47999, 90, 0.85);
  assert.equal(f.exact, false);
  assert.equal(f.table.length, (f.rows + 1) * f.taps);
  // Row `rows` is phase 1.0: row 0 shifted by one tap.
  for (let t = 1; t < f.taps; t++) assert.ok(Math.abs(f.table[f.rows * f.taps + t]! - f.table[t - 1]!) < 1e-6);
});

test('tables are cached per rate pair and settings', () => {
  assert.equal(designFilter(32000, 16000, 1, 90, 0.85), designFilter(32000, 16000, 1, 90, 0.85));
  assert.notEqual(designFilter(32000, 16000, 1, 90, 0.85), designFilter(32000, 16000, 1, 70, 0.85));
});
