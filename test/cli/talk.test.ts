/**
 * `dashscope-realtime talk` with a fake recorder (a file of PCM) and a fake player (writes a file),
 * so the live flow runs in CI without audio hardware.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { wavToPcm16Mono } from '../../src/audio/convert.js';
import { startSimulator } from '../../src/simulator/index.js';
import { root, runCli } from './runCli.js';
import { fakePrograms } from '../node/fakePrograms.js';

const { dir, script } = fakePrograms('talk');

test('talk: speech from the recorder is answered through the player, then the session finishes', async () => {
  const played = join(dir, 'played.raw');
  const r = await runCli(['talk', '--recorder', `cat ${micFile()}`, '--player', `cat > ${played}`, '--simulator-speed', '0'], {}, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Connected\. Speak/);
  assert.match(r.stdout, /I heard \d\.\d seconds of audio/);
  assert.ok(existsSync(played), 'the player ran');
  const seconds = statSync(played).size / 2 / 24000;
  assert.ok(seconds > 0.5, `the player got ${seconds} s of reply audio`);
});

/** Speech then 2 s of silence as raw PCM16 at 16 kHz, in a file; returns its path. */
function micFile(): string {
  const { pcm } = wavToPcm16Mono(new Uint8Array(readFileSync(join(root, 'samples/question.wav'))), 16000);
  const withSilence = new Int16Array(pcm.length + 16000 * 2);
  withSilence.set(pcm);
  const mic = join(dir, 'mic.raw');
  writeFileSync(mic, new Uint8Array(withSilence.buffer));
  return mic;
}

/** The failure is one line on stderr, with no stack trace, after the connection line if any. */
function oneFailureLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('dashscope-realtime: '));
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at |Error: /, 'no stack trace');
  return lines[0]!;
}

test('talk: no recorder or player installed: exit 6 before connecting, naming what to install', async () => {
  for (const [args, what] of [[['--player', 'cat > /dev/null'], /No microphone recorder found .*Install sox .*: --recorder \(or DASHSCOPE_RECORDER\)\.$/], [['--recorder', 'cat /dev/null'], /No audio player found .*Install sox .*: --player \(or DASHSCOPE_PLAYER\)\.$/]] as const) {
    const r = await runCli(['talk', ...args], { PATH: '/nonexistent' });
    assert.equal(r.code, 6, r.stderr);
    assert.match(oneFailureLine(r.stderr), what);
    assert.doesNotMatch(r.stderr, /Connected|simulator/i, 'nothing was started');
  }
});

test('talk: a recorder command that does not exist: exit 6, the command, status 127 and the shell message, hint --recorder', async () => {
  const r = await runCli(['talk', '--recorder', 'no-such-recorder-h18 -r 16000', '--player', 'cat > /dev/null', '--simulator-speed', '0'], {}, { timeoutMs: 30_000 });
  assert.equal(r.code, 6, r.stderr);
  assert.match(oneFailureLine(r.stderr), /^dashscope-realtime: The recorder `no-such-recorder-h18 -r 16000` exited with status 127: .*not found\. Check the microphone, or give another recorder with --recorder \(or DASHSCOPE_RECORDER\)\.$/);
});

test('talk: no working microphone (the recorder fails): exit 6 with its status and last stderr line', async () => {
  const rec = script('no-mic', 'echo "rec WARN alsa: can not open audio device" >&2\necho "rec FAIL formats: can not open input default: No such file or directory" >&2\nexit 2');
  const r = await runCli(['talk', '--recorder', rec, '--player', 'cat > /dev/null', '--simulator-speed', '0'], {}, { timeoutMs: 30_000 });
  assert.equal(r.code, 6, r.stderr);
  assert.equal(oneFailureLine(r.stderr), `dashscope-realtime: The recorder \`${rec}\` exited with status 2: rec FAIL formats: can not open input default: No such file or directory. Check the microphone, or give another recorder with --recorder (or DASHSCOPE_RECORDER).`);
});

test('talk: a recorder that ends at once without audio (status 0) is no working microphone: exit 6, not 0', async () => {
  const r = await runCli(['talk', '--recorder', 'true', '--player', 'cat > /dev/null', '--simulator-speed', '0'], {}, { timeoutMs: 30_000 });
  assert.equal(r.code, 6, r.stderr);
  assert.equal(oneFailureLine(r.stderr), 'dashscope-realtime: The recorder `true` exited (status 0) without recording any audio. Check the microphone, or give another recorder with --recorder (or DASHSCOPE_RECORDER).');
});

test('talk: a player that fails when the reply starts: exit 6 with its status and last stderr line, hint --player', async () => {
  const play = script('no-speaker', 'echo "aplay: main:831: audio open error: No such file or directory" >&2\nexit 1');
  const r = await runCli(['talk', '--recorder', `cat ${micFile()}; sleep 30`, '--player', play, '--simulator-speed', '0'], {}, { timeoutMs: 60_000 });
  assert.equal(r.code, 6, r.stderr);
  assert.equal(oneFailureLine(r.stderr), `dashscope-realtime: The player \`${play}\` exited with status 1: aplay: main:831: audio open error: No such file or directory. Check the audio output, or give another player with --player (or DASHSCOPE_PLAYER).`);
});

test('talk --push-to-talk: Enter presses around a failing recorder end with the one line, not a stack trace', async () => {
  const rec = script('late-fail', 'head -c 32000 /dev/zero\nsleep 1\necho "arecord: pcm_read:2221: read error: Input/output error" >&2\nexit 1');
  const r = await runCli(['talk', '--push-to-talk', '--recorder', rec, '--player', 'cat > /dev/null', '--simulator-speed', '0'], {}, { timeoutMs: 30_000, stdin: '\n\n\n\n' });
  assert.equal(r.code, 6, r.stderr);
  assert.match(oneFailureLine(r.stderr), /The recorder `.*late-fail` exited with status 1: arecord: pcm_read:2221: read error: Input\/output error\./);
});

test('talk --connect-timeout: a host that accepts TCP and stays silent gets one progress line, then exit 4', async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const url = `ws://127.0.0.1:${port}/api-ws/v1/realtime`;
    const r = await runCli(['talk', '--url', url, '--connect-timeout', '2', '--recorder', 'cat /dev/zero', '--player', 'cat > /dev/null'], {}, { timeoutMs: 30_000 });
    assert.equal(r.code, 4, r.stderr);
    const progress = r.stderr.split('\n').filter((l) => /Still connecting/.test(l));
    assert.deepEqual(progress, [`Still connecting to 127.0.0.1:${port}… (giving up after 2 s; change it with --connect-timeout S).`]);
    assert.match(oneFailureLine(r.stderr), /timed out after 2000 ms.*--connect-timeout/);
    assert.doesNotMatch(r.stderr, /Connected/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('talk --connect-timeout takes seconds within bounds, like chat', async () => {
  const r = await runCli(['talk', '--connect-timeout', '0', '--recorder', 'cat /dev/zero', '--player', 'cat > /dev/null']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(oneFailureLine(r.stderr), "dashscope-realtime: option '--connect-timeout' needs a number from 0.1 to 600, got '0'. Run with --help for usage.");
});

test('talk --allow-broken-voices: qwen3.5-omni-flash with Cherry is refused naming the flag, and sent with it (§0.2.2)', async () => {
  const sim = await startSimulator({ speed: 0 });
  const voices: unknown[] = [];
  sim.onFrame((f) => {
    if (f.direction === 'client' && f.event?.type === 'session.update') voices.push((f.event.session as { voice?: unknown }).voice);
  });
  try {
    const args = ['talk', '--url', sim.url, '-m', 'qwen3.5-omni-flash-realtime', '--voice', 'Cherry', '--recorder', `cat ${micFile()}`, '--player', 'cat > /dev/null'];
    const refused = await runCli(args, {}, { timeoutMs: 30_000 });
    assert.equal(refused.code, 2, refused.stderr);
    const line = oneFailureLine(refused.stderr);
    assert.match(line, /Voice 'Cherry' does not work on qwen3\.5-omni-flash-realtime: .*'Tina'.*give --allow-broken-voices to send it anyway\./);
    assert.doesNotMatch(line, /allowBrokenVoices|Run with --help/);
    assert.deepEqual(voices, [], 'nothing was sent');

    const sent = await runCli([...args, '--allow-broken-voices'], {}, { timeoutMs: 60_000 });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stderr, /Connected\. Speak/);
    assert.equal(voices[0], 'Cherry', 'the voice went to the server');
  } finally {
    await sim.close();
  }
});

test('talk: an error answering session.finish (§0.1.1, a peer that answers so on any model) is not printed; exit 0', async () => {
  // qwen3.5-omni-flash's catalog entry makes the session close without sending session.finish
  // (finishConnection.ts); a peer may still answer it with an error on another model.
  const sim = await startSimulator({ speed: 0, sessionFinish: 'error' });
  const finishes: string[] = [];
  sim.onFrame((f) => {
    if (f.direction === 'client' && f.event?.type === 'session.finish') finishes.push('sent');
  });
  try {
    const r = await runCli(['talk', '--url', sim.url, '--recorder', `cat ${micFile()}`, '--player', 'cat > /dev/null'], {}, { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(finishes, ['sent'], 'the session was ended with session.finish');
    assert.doesNotMatch(r.stderr, /error:|Invalid event type/i, r.stderr);
  } finally {
    await sim.close();
  }
});
