/**
 * What `stop()` reports as heard: the worklet's last position extrapolated on the audio clock,
 * never more than was queued, never moving while the context is suspended, and stale reports
 * from before a stop ignored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlaybackPosition } from '../../src/browser/playbackPosition.js';

test('the last report is extrapolated on the audio clock and capped at what was posted', () => {
  const p = new PlaybackPosition();
  p.reset(1000);
  const gen = p.currentGeneration;
  p.addPosted(24_000);
  assert.equal(p.estimate(1000, true), 0);
  p.report({ generation: gen, played: 4800, buffered: 19_200, frame: 5800 });
  assert.equal(p.estimate(5800, true), 4800);
  assert.equal(p.estimate(6312, true), 5312, 'one report interval later');
  assert.equal(p.estimate(6312, false), 4800, 'a suspended context does not play');
  assert.equal(p.estimate(1_000_000, true), 24_000, 'never more than was posted');
  assert.equal(p.remaining(5800, true), 19_200);
});

test('reports from before a stop are ignored', () => {
  const p = new PlaybackPosition();
  const first = p.reset(0);
  p.addPosted(1000);
  p.report({ generation: first, played: 900, buffered: 100, frame: 900 });
  const second = p.reset(900);
  assert.notEqual(second, first);
  p.addPosted(500);
  p.report({ generation: first, played: 1000, buffered: 0, frame: 1000 }); // in flight during the stop
  assert.equal(p.estimate(900, true), 0);
  p.report({ generation: second, played: 128, buffered: 372, frame: 1028 });
  assert.equal(p.estimate(1028, true), 128);
});
