/**
 * The Node speaker with fake player programs: it plays what it is given, reports what was played
 * by its playhead (a fake clock: no wall-clock assertions), and turns a failing player into one
 * AudioDeviceError.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AudioDeviceError, Speaker } from '../../src/node/index.js';
import type { PlaybackAdapter } from '../../src/session/index.js';
import { LONG, session, simulator, within } from '../session/helpers.js';
import { fakePrograms } from './fakePrograms.js';

const { dir, script } = fakePrograms('speaker');

test('the player gets every sample, at the rate in its command, and finish() waits for it', async () => {
  const out = join(dir, 'played.raw');
  const speaker: PlaybackAdapter & Speaker = new Speaker({ command: `echo {rate} > ${out}.rate; cat > ${out}` });
  const pcm = new Int16Array(4800).map((_, i) => i - 2400);
  speaker.write(pcm.subarray(0, 1000), 24000);
  speaker.write(pcm.subarray(1000), 24000);
  await speaker.finish();
  assert.deepEqual(new Int16Array(new Uint8Array(readFileSync(out)).buffer), pcm);
  assert.equal(readFileSync(`${out}.rate`, 'utf8').trim(), '24000');
});

test('stop() reports the samples whose play time has passed, never more than written, gaps not counted', () => {
  let now = 0;
  const speaker = new Speaker({ command: 'cat > /dev/null', now: () => now });
  speaker.write(new Int16Array(24000), 24000); // 1 s queued at t = 0
  now = 250;
  assert.equal(speaker.played, 6000);
  now = 5000; // long after the queue ran dry
  assert.equal(speaker.played, 24000);
  speaker.write(new Int16Array(2400), 24000); // 100 ms more, starting now (the gap is not audio)
  now = 5050;
  assert.equal(speaker.stop(), 24000 + 1200);
  assert.equal(speaker.stop(), 0, 'nothing since the last stop');
  now = 6000;
  speaker.write(new Int16Array(4800), 24000);
  now = 6100;
  assert.equal(speaker.stop(), 2400);
});

test('a player that fails: onError once, the command, its status and last stderr line; finish() rejects', async () => {
  const failing = script('failing-play', 'cat > /dev/null & echo "play FAIL sox: Sorry, there is no default audio device configured" >&2; exit 3');
  const errors: AudioDeviceError[] = [];
  const speaker = new Speaker({ command: failing, onError: (e) => errors.push(e) });
  speaker.write(new Int16Array(2400), 24000);
  for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(errors.length, 1);
  const [e] = errors;
  assert.ok(e instanceof AudioDeviceError);
  assert.equal(e.role, 'player');
  assert.equal(e.exitCode, 3);
  assert.equal(e.message, `The player \`${failing}\` exited with status 3: play FAIL sox: Sorry, there is no default audio device configured.`);
  speaker.write(new Int16Array(2400), 24000); // ignored after the failure, no new process
  await assert.rejects(speaker.finish(), (x: unknown) => x === e);
  assert.equal(errors.length, 1);
});

test('a player that does not exist, or exits at once with status 0, fails too', async () => {
  for (const [command, pattern] of [['no-such-player-h18', /exited with status 127: .*not found/], ['true', /`true` exited \(status 0\) before the audio ended\./]] as const) {
    const speaker = new Speaker({ command });
    speaker.write(new Int16Array(24000), 24000);
    for (let i = 0; i < 200 && speaker.error === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(speaker.error?.message ?? '', pattern);
    await assert.rejects(speaker.finish(), AudioDeviceError);
  }
});

test('as a session\'s playback: an interruption reports what the speaker says was played', async () => {
  let now = 0;
  const speaker = new Speaker({ command: 'cat > /dev/null', now: () => now });
  const { sim } = await simulator({ responder: () => ({ text: LONG }) });
  const s = await session(sim.url, { session: { turn_detection: null }, playback: speaker });
  const interrupted: { heardMs: number }[] = [];
  s.on('interrupted', (e) => interrupted.push(e));
  const turn = await within(s.ask('Tell me a long story').done, 10_000, 'the reply');
  assert.equal(turn.status, 'completed', 'the whole reply arrived (and was queued at clock 0)');
  now = 1500; // 1.5 s of it has played
  s.interrupt();
  assert.deepEqual(interrupted.map((e) => e.heardMs), [1500]);
  const item = s.history.items.find((i) => i.type === 'assistant');
  assert.ok(item?.type === 'assistant' && item.status === 'interrupted');
  assert.equal(item.heard?.audioMs, 1500);
  assert.ok(item.audioMs > 1500, `the reply was ${item.audioMs} ms long`);
});
