/**
 * Finding the recorder and player: sox, then ALSA, then ffmpeg on PATH (fake programs in a
 * temporary directory), a user's command through the shell, and a typed error naming what to
 * install when there is none.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AudioDeviceError, playerCommand, recorderCommand } from '../../src/node/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dsrt-programs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A directory holding fake executables `names`, for use as PATH. */
function pathWith(...names: string[]): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const name of names) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

test('sox first, then ALSA, then ffmpeg, with the rate in the arguments', () => {
  const all = { PATH: pathWith('rec', 'play', 'arecord', 'aplay', 'ffmpeg') };
  assert.deepEqual([recorderCommand(16000, undefined, all).file, playerCommand(24000, undefined, all).file], [join(all.PATH, "rec"), join(all.PATH, "play")]);
  assert.match(recorderCommand(16000, undefined, all).label, /^rec -q -t raw -r 16000 -e signed-integer -b 16 -c 1 -$/);
  const alsa = { PATH: pathWith('arecord', 'aplay', 'ffmpeg') };
  assert.equal(recorderCommand(16000, undefined, alsa).label, 'arecord -q -f S16_LE -r 16000 -c 1 -t raw');
  assert.equal(playerCommand(24000, undefined, alsa).label, 'aplay -q -f S16_LE -r 24000 -c 1 -t raw');
  if (process.platform === 'linux') {
    const ffmpeg = { PATH: pathWith('ffmpeg') };
    assert.match(recorderCommand(16000, undefined, ffmpeg).label, /^ffmpeg .*-f alsa -i default -ac 1 -ar 16000 -f s16le -$/);
    assert.match(playerCommand(24000, undefined, ffmpeg).label, /^ffmpeg .*-f s16le -ar 24000 -ac 1 -i - -f alsa default$/);
  }
});

test('a command of your own runs through the shell with {rate} replaced', () => {
  const c = playerCommand(24000, 'my-player --rate {rate}', { PATH: '' });
  assert.deepEqual(c, { file: 'my-player --rate 24000', args: [], shell: true, label: 'my-player --rate 24000' });
});

test('no program: an AudioDeviceError that says what to install', () => {
  for (const find of [() => recorderCommand(16000, undefined, { PATH: pathWith() }), () => playerCommand(24000, '  ', { PATH: '' })]) {
    assert.throws(find, (e: unknown) =>
      e instanceof AudioDeviceError && e.code === 'audio_program_missing' && /Install sox \(Debian\/Ubuntu: apt install sox; macOS: brew install sox.*alsa-utils \(arecord\/aplay\) or ffmpeg/.test(e.message));
  }
});
