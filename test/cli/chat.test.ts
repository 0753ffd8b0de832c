/**
 * `dashscope-realtime chat` as a subprocess against the embedded simulator: WAV, image, text and
 * tool turns; the files it writes; bad input with its exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readWav, writeWav } from '../../src/audio/wav.js';
import { resample } from '../../src/audio/resample.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli, runShell, root } from './runCli.js';

let dir: string;
let stereo44: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dsrt-cli-'));
  const wav = readWav(new Uint8Array(readFileSync(join(root, 'samples/question.wav'))));
  const up = resample(wav.samples, wav.sampleRate, 44100);
  const interleaved = new Float32Array(up.length * 2);
  for (let i = 0; i < up.length; i++) interleaved[2 * i] = interleaved[2 * i + 1] = up[i]!;
  stereo44 = join(dir, 'question-44k-stereo.wav');
  writeFileSync(stereo44, writeWav(interleaved, { sampleRate: 44100, channels: 2 }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function checkReplyWav(path: string): number {
  const wav = readWav(new Uint8Array(readFileSync(path)));
  assert.equal(wav.sampleRate, 24000, 'the model output rate');
  assert.equal(wav.channels, 1);
  assert.equal(wav.bitsPerSample, 16);
  const seconds = wav.frames / wav.sampleRate;
  assert.ok(seconds > 0.3, `reply lasts ${seconds} s`);
  return seconds;
}

describe('chat', () => {
  test('a 44.1 kHz stereo WAV: reply WAV, transcript file equal to the streamed text, summary', async () => {
    const output = join(dir, 'reply.wav');
    const transcript = join(dir, 'reply.txt');
    const r = await runCli(['chat', '--input', stereo44, '--output', output, '--transcript', transcript, '--simulator-speed', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /using the embedded simulator/);
    assert.match(r.stdout, /I heard 5\.\d seconds of audio/);
    assert.equal(readFileSync(transcript, 'utf8').trim(), r.stdout.trim());
    checkReplyWav(output);
    assert.match(r.stderr, /turn 1: first text \d+ ms, first audio \d+ ms/);
    assert.match(r.stderr, /tokens: \d+ in \(\d+ audio\)/);
  });

  test('with an image', async () => {
    const r = await runCli(['chat', '--input', join(root, 'samples/question.wav'), '--image', join(root, 'samples/frame.jpg'), '--simulator-speed', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /saw 1 image \(320×240\)/);
  });

  test('text only, text modality, two turns, --json lines', async () => {
    const r = await runCli(['chat', '--text', 'Hello there', '--text', 'And again', '--modalities', 'text', '--json', '--simulator-speed', '0']);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    assert.ok(events.length > 10);
    assert.equal(events[0]!.type, 'session.created');
    assert.equal(events.filter((e) => e.type === 'response.done').length, 2);
    assert.ok(events.some((e) => e.type === 'response.text.delta'));
    assert.ok(!events.some((e) => e.type === 'response.audio.delta'));
    assert.match(r.stderr, /You said: Hello there/);
  });

  test('a tool answered by --tool-exec', async () => {
    const tool = join(dir, 'tool.mjs');
    writeFileSync(tool, "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const c=JSON.parse(s);process.stdout.write(JSON.stringify({location:c.arguments.location,weather:'sunny',called:c.name}))})");
    const r = await runCli(['chat', '--text', 'Please call get_current_weather for Hangzhou', '--tools', join(root, 'samples/tools.json'), '--tool-exec', `node ${tool}`, '--output', join(dir, 'tool.wav'), '--simulator-speed', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tool call: get_current_weather\(/);
    assert.match(r.stdout, /sunny/);
    assert.match(r.stdout, /called.*get_current_weather|get_current_weather/);
    checkReplyWav(join(dir, 'tool.wav'));
  });

  test('a --tool-exec that fails: the model gets an error output and says so; the run still ends with 0', async () => {
    const r = await runCli(['chat', '--text', 'Please call get_current_weather for Hangzhou', '--tools', join(root, 'samples/tools.json'), '--tool-exec', 'node -e "process.exit(3)"', '--modalities', 'text', '--simulator-speed', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tool call: get_current_weather\(\{"location":"Hangzhou"\}\)/);
    assert.match(r.stderr, /tool get_current_weather failed: --tool-exec .* exited with code 3/);
    assert.match(r.stdout, /The get_current_weather tool says: \{"error":"tool get_current_weather failed: --tool-exec/);
  });
});

describe('the tool example of chat --help (issue 17.7)', () => {
  /** The example's command line, continuation lines joined, as a shell receives it. */
  function toolExample(text: string): string {
    const joined = text.replace(/\\\n\s*/g, '');
    const line = joined.split('\n').find((l) => /dashscope-realtime chat .*--tool-exec/.test(l));
    assert.ok(line, `no --tool-exec example in:\n${text}`);
    return line.trim().replace(/^npx /, '').replace(/\s+# .*$/, '');
  }

  test('is valid after the shell strips the quotes, and runs offline against the embedded simulator', async () => {
    const help = await runCli(['chat', '--help']);
    const example = toolExample(help.stdout);
    assert.match(example, /^dashscope-realtime chat --text "What's the weather like in Hangzhou today\?" --tools samples\/tools\.json --tool-exec /);
    // The same example in docs/cli.md and the README.
    assert.equal(toolExample(readFileSync(join(root, 'docs/cli.md'), 'utf8')), example);
    assert.equal(toolExample(readFileSync(join(root, 'README.md'), 'utf8')), example);
    // Exactly the example: the simulator picks get_current_weather from its description.
    const command = example.replace(/^dashscope-realtime/, `'${process.execPath}' '${join(root, 'dist/esm/cli/main.js')}'`);
    const r = await runShell(`${command} --simulator-speed 0`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tool call: get_current_weather\(\{"location": ?"Hangzhou"\}\)/);
    assert.match(r.stdout, /The get_current_weather tool says: \{"weather":"sunny","temperature_c":21\}/);
  });
});

describe('bad input: one clear line and the documented exit code', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ speed: 0, apiKeys: ['sk-the-right-key-000000000000000000'] });
  });
  after(() => sim.close());

  const cases: Array<[string, string[], number, RegExp]> = [
    ['a missing file', ['chat', '--input', 'does-not-exist.wav'], 2, /input file not found: does-not-exist\.wav/],
    ['a non-WAV file', ['chat', '--input', 'package.json'], 2, /not a WAV file/],
    ['an unreadable image', ['chat', '--text', 'hi', '--image', 'package.json'], 2, /not a JPEG image/],
    ['an unknown model', ['chat', '--text', 'hi', '--model', 'qwen-nope'], 2, /unknown model 'qwen-nope'/],
    ['an unknown option', ['chat', '--frobnicate'], 2, /unknown option '--frobnicate'/],
    ['an unknown command', ['frobnicate'], 2, /unknown command 'frobnicate'/],
  ];
  for (const [name, args, code, message] of cases) {
    test(name, async () => {
      const r = await runCli(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  test('a rejected key: exit 3, and the key is never printed', async () => {
    const key = 'sk-wrong-key-MARKER-1234567890abcdefghij';
    const r = await runCli(['chat', '--text', 'hi', '--url', sim.url, '--json'], { DASHSCOPE_API_KEY: key });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /HTTP 401/);
    assert.ok(!r.stderr.includes(key) && !r.stdout.includes(key) && !r.stderr.includes('MARKER'), 'key leaked');
  });

  test('nothing listening: exit 4', async () => {
    const r = await runCli(['chat', '--text', 'hi', '--url', 'ws://127.0.0.1:9/api-ws/v1/realtime'], { DASHSCOPE_API_KEY: 'sk-x-000000000000000000000000' });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /Could not connect/);
  });
});
