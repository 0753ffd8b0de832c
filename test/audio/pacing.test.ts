import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkPcm16, pace, samplesPerChunk, type PaceClock } from '../../src/audio/pacing.js';
import { AbortError, ValidationError } from '../../src/errors.js';
import { concat } from './signals.js';

/** A clock that only moves when slept on, recording each release time. */
function fakeClock(): PaceClock & { time: number; sleeps: number[] } {
  const clock = {
    time: 1000,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new AbortError('pace');
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

test('chunkPcm16 cuts 100 ms chunks (3,200 bytes at 16 kHz) and keeps the shorter rest', () => {
  const pcm = new Int16Array(26400).map((_, i) => i);
  const chunks = chunkPcm16(pcm, 16000, 100);
  assert.equal(chunks.length, 17);
  assert.ok(chunks.slice(0, 16).every((c) => c.byteLength === 3200));
  assert.equal(chunks[16]!.length, 800);
  assert.deepEqual(concat(chunks, (n) => new Int16Array(n)), pcm);
  assert.deepEqual(chunkPcm16(new Int16Array(0), 16000, 100), []);
  assert.equal(chunkPcm16(new Int16Array(441), 44100, 10).length, 1);
});

test('chunk sizes: rounding to whole samples and invalid arguments', () => {
  assert.equal(samplesPerChunk(11025, 100), 1103);
  assert.equal(samplesPerChunk(24000, 20), 480);
  assert.throws(() => samplesPerChunk(16000, 0), ValidationError);
  assert.throws(() => samplesPerChunk(16000, 0.01), /less than one sample/);
  assert.throws(() => samplesPerChunk(-1, 100), ValidationError);
  assert.throws(() => chunkPcm16(new Int16Array(10), 16000, NaN), ValidationError);
});

test('real time: chunk n is released at the end of its audio, from one start time (no drift)', async () => {
  const clock = fakeClock();
  const released: number[] = [];
  for await (const chunk of pace([1, 2, 3, 4], { chunkMs: 100, realtime: true, clock })) {
    released.push(clock.time - 1000);
    assert.equal(chunk, released.length);
    clock.time += 7; // the consumer's own work does not add up
  }
  assert.deepEqual(released, [100, 200, 300, 400]);
});

test('a speed factor scales the schedule; false does not wait at all', async () => {
  const fast = fakeClock();
  const times: number[] = [];
  for await (const _ of pace([1, 2, 3], { chunkMs: 100, realtime: 4, clock: fast })) times.push(fast.time - 1000);
  assert.deepEqual(times, [25, 50, 75]);
  const none = fakeClock();
  const all: number[] = [];
  for await (const c of pace((async function* () { yield* [1, 2, 3]; })(), { chunkMs: 100, realtime: false, clock: none })) all.push(c);
  assert.deepEqual(all, [1, 2, 3]);
  assert.deepEqual(none.sleeps, []);
});

test('a late consumer catches up without extra waits', async () => {
  const clock = fakeClock();
  const released: number[] = [];
  for await (const _ of pace([1, 2, 3, 4], { chunkMs: 100, realtime: true, clock })) {
    released.push(clock.time - 1000);
    if (released.length === 1) clock.time += 250;
  }
  assert.deepEqual(released, [100, 350, 350, 400]);
});

test('durationMs sizes each chunk by its own length', async () => {
  const clock = fakeClock();
  const released: number[] = [];
  const chunks = chunkPcm16(new Int16Array(4000), 16000, 100); // 100, 100, 50 ms
  for await (const _ of pace(chunks, { chunkMs: 100, realtime: true, clock, durationMs: (c) => (c.length / 16000) * 1000 })) released.push(clock.time - 1000);
  assert.deepEqual(released, [100, 200, 250]);
});

test('abort stops the iteration with an AbortError, also during a real wait', async () => {
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const c of pace([1, 2, 3], { chunkMs: 100, realtime: false, signal: controller.signal })) {
      seen.push(c);
      if (c === 2) controller.abort();
    }
  }, AbortError);
  assert.deepEqual(seen, [1, 2]);

  const waiting = new AbortController();
  setTimeout(() => waiting.abort(), 20);
  const started = performance.now();
  await assert.rejects(async () => {
    for await (const _ of pace([1, 2], { chunkMs: 10_000, realtime: true, signal: waiting.signal })) { /* nothing */ }
  }, AbortError);
  assert.ok(performance.now() - started < 5000);
});

test('the system clock really paces: five 20 ms chunks take about 100 ms', async () => {
  const started = performance.now();
  let n = 0;
  for await (const _ of pace([1, 2, 3, 4, 5], { chunkMs: 20, realtime: true })) n++;
  const elapsed = performance.now() - started;
  assert.equal(n, 5);
  assert.ok(elapsed >= 95 && elapsed < 1000, `${elapsed} ms`);
});

test('invalid pacing options are rejected', async () => {
  await assert.rejects(pace([1], { chunkMs: 0, realtime: true }).next(), ValidationError);
  await assert.rejects(pace([1], { chunkMs: 100, realtime: -1 }).next(), /realtime must be/);
});
