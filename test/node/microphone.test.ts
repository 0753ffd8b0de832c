/**
 * The Node microphone with fake recorder programs: chunks of 100 ms from whatever the recorder
 * writes, a clean end for status 0, and one typed error naming the command, its status and its
 * last stderr line for a recorder that is missing or fails.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AudioDeviceError, Microphone } from '../../src/node/index.js';
import { fakePrograms } from './fakePrograms.js';

const { dir, script } = fakePrograms('mic');

async function record(mic: Microphone): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of mic) chunks.push(chunk);
  return chunks;
}

test('the default recorder (a fake `rec` on PATH) is run with the rate, and its audio is cut in 100 ms chunks', async () => {
  const pcm = new Int16Array(16000 * 0.35).map((_, i) => (i * 37) % 30000 - 15000);
  const raw = join(dir, 'speech.raw');
  writeFileSync(raw, new Uint8Array(pcm.buffer));
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'rec'), `#!/bin/sh\necho "$@" > ${join(dir, 'args.txt')}\n/bin/cat ${raw}\n`);
  chmodSync(join(bin, 'rec'), 0o755);
  const chunks = await record(new Microphone({ env: { PATH: bin } }));
  assert.match(readFileSync(join(dir, 'args.txt'), 'utf8'), /-q -t raw -r 16000 -e signed-integer -b 16 -c 1 -/);
  assert.deepEqual(chunks.map((c) => c.length), [1600, 1600, 1600, 800]);
  assert.deepEqual(Int16Array.from(chunks.flatMap((c) => Array.from(c))), pcm);
});

test('a recorder command that does not exist: AudioDeviceError with the command, status 127 and the shell message', async () => {
  const mic = new Microphone({ command: 'no-such-recorder-h18 -r {rate}' });
  await assert.rejects(record(mic), (e: unknown) => {
    assert.ok(e instanceof AudioDeviceError);
    assert.equal(e.code, 'audio_program_missing');
    assert.equal(e.exitCode, 127);
    assert.equal(e.command, 'no-such-recorder-h18 -r 16000');
    assert.match(e.message, /^The recorder `no-such-recorder-h18 -r 16000` exited with status 127: .*not found\.?$/);
    return true;
  });
});

test('a recorder that cannot open the device: its status and last stderr line', async () => {
  const failing = script('failing-rec', 'echo "starting" >&2\necho "rec FAIL formats: can\'t open input default: no such device" >&2\nexit 2');
  await assert.rejects(record(new Microphone({ command: failing })), (e: unknown) =>
    e instanceof AudioDeviceError && e.code === 'audio_program_failed' && e.exitCode === 2 && e.stderr === "rec FAIL formats: can't open input default: no such device"
    && e.message === `The recorder \`${failing}\` exited with status 2: rec FAIL formats: can't open input default: no such device.`);
});

test('a recorder that exits with status 0 without any audio is a microphone that does not work', async () => {
  await assert.rejects(record(new Microphone({ command: 'true' })), (e: unknown) =>
    e instanceof AudioDeviceError && e.exitCode === 0 && e.message === 'The recorder `true` exited (status 0) without recording any audio.');
  // Stopped before any audio came: not a failure.
  const mic = new Microphone({ command: 'sleep 5' });
  setTimeout(() => mic.stop(), 50);
  assert.deepEqual(await record(mic), []);
});

test('stop() ends the iteration without an error, and a microphone is iterated once', async () => {
  const endless = script('endless-rec', 'while :; do head -c 3200 /dev/zero; sleep 0.05; done');
  const mic = new Microphone({ command: endless });
  let n = 0;
  for await (const chunk of mic) {
    assert.equal(chunk.length, 1600);
    if (++n === 3) mic.stop();
    assert.ok(n < 100, 'stop() ended the loop');
  }
  await assert.rejects(record(mic), /iterated once/);
});
