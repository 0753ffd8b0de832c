/**
 * Every program in examples/ runs against the embedded simulator, as a user would run it against
 * DashScope (the URL and a key from the environment), and its output is checked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { wavToPcm16Mono } from '../../src/audio/convert.js';
import { readWav } from '../../src/audio/wav.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dsrt-examples-'));
let sim: Simulator;
let micFile: string;

before(async () => {
  sim = await startSimulator({ speed: 0 });
  const { pcm } = wavToPcm16Mono(new Uint8Array(readFileSync(join(root, 'samples/question.wav'))), 16000);
  const padded = new Int16Array(pcm.length + 32000);
  padded.set(pcm);
  micFile = join(dir, 'mic.raw');
  writeFileSync(micFile, new Uint8Array(padded.buffer));
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}, stdin = '', stdinDelayMs = 0): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      // NODE_TEST_CONTEXT would make a nested `node --test` report to this runner instead of stdout.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), DASHSCOPE_API_KEY: 'sk-example-test', DASHSCOPE_REALTIME_URL: sim.url, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} timed out\n${stderr}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    setTimeout(() => child.stdin.end(stdin), stdinDelayMs);
  });
}

test('text-chat: text in, text out', async () => {
  const r = await run(['examples/text-chat.ts', 'What is the capital of France?']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /You said: What is the capital of France\?/);
  assert.match(r.stdout, /\[completed, \d+ tokens\]/);
});

test('wav-in-out: a WAV in, a WAV out', async () => {
  const out = join(dir, 'reply.wav');
  const r = await run(['examples/wav-in-out.ts', 'samples/question.wav', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /I heard 5\.\d seconds of audio/);
  const wav = readWav(new Uint8Array(readFileSync(out)));
  assert.equal(wav.sampleRate, 24000);
  assert.ok(wav.frames > 24000 * 0.5);
});

test('tool: the tool runs and the answer uses it', async () => {
  const r = await run(['examples/tool.ts', 'Please call get_current_weather for Hangzhou.']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[tool get_current_weather: ok\]/);
  assert.match(r.stdout, /sunny/);
});

test('video-frames: audio with JPEG frames', async () => {
  const r = await run(['examples/video-frames.ts', 'samples/question.wav', 'samples/frame.jpg', 'samples/frame.jpg']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /saw 2 images/);
});

test('vad-microphone: a recorded "microphone" answered by server VAD', async () => {
  const r = await run(['examples/vad-microphone.ts'], { DASHSCOPE_RECORDER: `cat ${micFile}`, DASHSCOPE_PLAYER: 'cat > /dev/null' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /I heard \d\.\d seconds of audio/);
});

test('push-to-talk: Enter commits the turn', async () => {
  const r = await run(['examples/push-to-talk.ts'], { DASHSCOPE_RECORDER: `cat ${micFile}; sleep 6` }, '\n', 3000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /I heard \d\.\d seconds of audio/);
});

test('testing-your-app: the scripted-transport example passes', async () => {
  const r = await run(['--test', 'examples/testing-your-app.test.ts']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 1/);
});
