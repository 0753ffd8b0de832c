/**
 * `dashscope-realtime talk` with a fake recorder (a file of PCM) and a fake player (writes a file),
 * so the live flow runs in CI without audio hardware.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { wavToPcm16Mono } from '../../src/audio/convert.js';
import { root, runCli } from './runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'dsrt-talk-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('talk: speech from the recorder is answered through the player, then the session finishes', async () => {
  const { pcm } = wavToPcm16Mono(new Uint8Array(readFileSync(join(root, 'samples/question.wav'))), 16000);
  const withSilence = new Int16Array(pcm.length + 16000 * 2);
  withSilence.set(pcm);
  const mic = join(dir, 'mic.raw');
  writeFileSync(mic, new Uint8Array(withSilence.buffer));
  const played = join(dir, 'played.raw');
  const r = await runCli(['talk', '--recorder', `cat ${mic}`, '--player', `cat > ${played}`, '--simulator-speed', '0'], {}, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Connected\. Speak/);
  assert.match(r.stdout, /I heard \d\.\d seconds of audio/);
  assert.ok(existsSync(played), 'the player ran');
  const seconds = statSync(played).size / 2 / 24000;
  assert.ok(seconds > 0.5, `the player got ${seconds} s of reply audio`);
});

test('talk: a missing recorder command gives a clear message', async () => {
  const r = await runCli(['talk', '--recorder', '', '--player', 'cat > /dev/null'], { PATH: '/nonexistent' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no microphone recorder found\. Install sox/);
});
