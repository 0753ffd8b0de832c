import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameSampler, sampleFrames } from '../../src/audio/frameSampler.js';
import { ValidationError } from '../../src/errors.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('1 fps by default: a 30 fps source keeps frames 0, 30, 60, …', async () => {
  assert.deepEqual(await collect(sampleFrames(range(95), { sourceFps: 30 })), [0, 30, 60, 90]);
});

test('other rates, including non-integer ratios', async () => {
  assert.deepEqual(await collect(sampleFrames(range(60), { sourceFps: 30, fps: 2 })), [0, 15, 30, 45]);
  // 25 fps to 2 fps: one frame per 12.5 source frames, never drifting.
  assert.deepEqual(await collect(sampleFrames(range(101), { sourceFps: 25, fps: 2 })), [0, 13, 25, 38, 50, 63, 75, 88, 100]);
  assert.equal((await collect(sampleFrames(range(10), { sourceFps: 5, fps: 30 }))).length, 10); // never more frames than the source has
});

test('arrival times: jitter does not lower the rate, and a long gap restarts the schedule', () => {
  let now = 0;
  const sampler = new FrameSampler({ now: () => now });
  const kept: number[] = [];
  // Late frames (1010, 2005) do not push the schedule back: 2005 and 3001 are kept, where timing
  // from the previous kept frame would skip to 2990. Then a 4 s gap, after which counting restarts.
  const arrivals = [0, 990, 1010, 1990, 2005, 2990, 3001, 7000, 7033, 7999, 8001];
  for (const t of arrivals) {
    now = t;
    if (sampler.accept()) kept.push(t);
  }
  assert.deepEqual(kept, [0, 1010, 2005, 3001, 7000, 8001]);
  sampler.reset();
  assert.equal(sampler.accept(8002), true);
});

test('wall-clock sampling over a real async source', async () => {
  let now = 0;
  async function* camera(): AsyncGenerator<number> {
    for (let i = 0; i < 100; i++) {
      now = i * 50; // 20 fps
      yield i;
    }
  }
  assert.deepEqual(await collect(sampleFrames(camera(), { now: () => now })), [0, 20, 40, 60, 80]);
});

test('invalid rates are rejected', async () => {
  assert.throws(() => new FrameSampler({ fps: 0 }), ValidationError);
  await assert.rejects(collect(sampleFrames([1], { sourceFps: -1 })), /sourceFps must be a positive number/);
});
