/**
 * The runtime matrix: the packed tarball installed into a scratch project, and a conversation with
 * the simulator from Node 20 (ESM and CommonJS), Node 22, Bun and Deno. The runtimes come from
 * the npm registry (their platform packages, no install scripts) into a cache under the home
 * folder, so a second run does not download them again. Chromium (Debian's, /usr/bin/chromium)
 * holds a voice turn through the tarball's relay entry (chromium.ts); without it the test skips
 * outside CI and fails in CI (../browser/chromiumPath.ts).
 * `publint` and `arethetypeswrong` check the tarball.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { skipWithoutChromium } from '../browser/chromiumPath.js';
import { chromiumThroughRelay } from './chromium.js';
import { bin, ensureRuntimes, npmQuiet } from './runtimes.js';

const root = resolve(import.meta.dirname, '../..');

let dir: string;
let app: string;
let tarball: string;
let sim: Simulator;

const CONVERSATION = `
const url = globalThis.process?.env?.SIM_URL ?? globalThis.Deno?.env.get('SIM_URL');
const client = new RealtimeClient({ url, apiKey: 'sk-runtime-test', model: 'qwen3.5-omni-plus-realtime' });
await client.connect();
await client.updateSession({ modalities: ['text'], turn_detection: null });
let text = '';
client.on('response.text.delta', (e) => (text += e.delta));
client.sendText('Hello from a runtime');
client.createResponse();
const done = await client.waitFor('response.done', { timeoutMs: 10000 });
await client.finish({ timeoutMs: 2000 });
console.log(JSON.stringify({ status: done.response.status, text, b64: encodeBase64(new Uint8Array([1, 2, 3])) }));
`;

function run(file: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { cwd, timeout: timeoutMs, env: { ...process.env, SIM_URL: sim.url, NO_COLOR: '1' }, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsrt-runtimes-'));
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  tarball = join(dir, out.trim().split('\n').at(-1)!);
  ensureRuntimes();
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--prefer-offline', ...npmQuiet, tarball], { cwd: app, stdio: 'inherit', timeout: 300_000 });
  writeFileSync(join(app, 'esm.mjs'), `import { RealtimeClient } from 'dashscope-realtime';\nimport { encodeBase64 } from 'dashscope-realtime/audio';\n${CONVERSATION}`);
  writeFileSync(join(app, 'cjs.cjs'), `const { RealtimeClient } = require('dashscope-realtime');\nconst { encodeBase64 } = require('dashscope-realtime/audio');\n(async () => {${CONVERSATION}})().catch((e) => { console.error(e); process.exit(1); });`);
  sim = await startSimulator({ speed: 0 });
});
after(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cases: Array<[string, () => [string, string[]]]> = [
  ['Node 20, ESM', () => [process.execPath, ['esm.mjs']]],
  ['Node 20, CommonJS', () => [process.execPath, ['cjs.cjs']]],
  ['Node 22, ESM', () => [bin.node22, ['esm.mjs']]],
  ['Node 22, CommonJS', () => [bin.node22, ['cjs.cjs']]],
  ['Bun', () => [bin.bun, ['esm.mjs']]],
  ['Deno', () => [bin.deno, ['run', '--allow-net', '--allow-env', '--allow-read', 'esm.mjs']]],
];

for (const [name, command] of cases) {
  test(`runtime: ${name} holds a conversation with the simulator from the packed tarball`, async (t) => {
    const [file, args] = command();
    const version = (await run(file, file.endsWith('deno') ? ['--version'] : ['--version'], app)).split('\n')[0]!.trim();
    const result = JSON.parse((await run(file, args, app)).trim().split('\n').at(-1)!) as { status: string; text: string; b64: string };
    assert.deepEqual(result, { status: 'completed', text: 'You said: Hello from a runtime', b64: 'AQID' });
    t.diagnostic(`${name} (${version}): ok`);
    console.log(`runtime matrix: ${name} (${version}): conversation ok`);
  });
}

test('runtime: Chromium, through the relay, holds a voice turn from the packed tarball', { timeout: 120_000, skip: skipWithoutChromium() }, async (t) => {
  const run = await chromiumThroughRelay(dir, app);
  const { result } = run;
  t.diagnostic(`timings (ms): ${JSON.stringify(run.timings)}`);
  assert.equal(result.error, '', 'the page reported no error');
  assert.equal(result.phase, 'done');
  assert.equal(result.status, 'completed');
  assert.match(result.version, /^\d+\.\d+\.\d+/, 'VERSION from the root entry');
  assert.ok([16_000, 44_100, 48_000].includes(result.deviceRate), `microphone at ${result.deviceRate} Hz`);
  assert.match(result.userTranscript, /^\(speech, 2\.\d s\)$/, 'the simulator heard the 2.1 s of speech from the microphone');
  assert.match(result.transcript, /^I heard 3\.\d seconds of audio\.$/, 'the reply transcript arrived');
  assert.ok(result.receivedMs > 1000, `reply audio ${Math.round(result.receivedMs)} ms`);
  assert.ok(result.playedMs >= result.receivedMs - 50, `the player played the reply to the end (${Math.round(result.playedMs)} of ${Math.round(result.receivedMs)} ms)`);
  assert.deepEqual(run.pageErrors, []);
  assert.ok(run.framesReceived > 10, `${run.framesReceived} frames`);
  assert.equal(run.framesWithKey, 0, 'no frame the page received contains the relay\'s key');
  assert.equal(run.relayExit, 0, 'the relay stopped cleanly on SIGTERM');
  // Bundled from the installed tarball's ESM build, without ws or Node built-ins.
  const packageInputs = run.bundleInputs.filter((i) => i !== 'page.ts' && !i.startsWith('(disabled)'));
  assert.ok(packageInputs.length > 10 && packageInputs.every((i) => i.startsWith('node_modules/dashscope-realtime/dist/esm/')), packageInputs.join(', '));
  t.diagnostic(`Chromium through the relay (${run.version}): ok`);
  console.log(`runtime matrix: Chromium, through the relay (${run.version}): conversation ok`);
});

test('publint and arethetypeswrong pass on the tarball', async () => {
  // Both exit non-zero on a problem (publint --strict also on warnings), which rejects here.
  // attw's default profile includes node10: package.json's typesVersions resolves the subpaths there.
  const publint = await run('npm', ['exec', '--yes', ...npmQuiet, '--package=publint@0.3.25', '--', 'publint', '--strict', tarball], dir, 120_000);
  assert.match(publint, /Linting/);
  const attw = await run('npm', ['exec', '--yes', ...npmQuiet, '--package=@arethetypeswrong/cli@0.18.5', '--', 'attw', tarball], dir, 120_000);
  // attw prints a list or a table depending on the environment (a table under CI=true): match
  // what both say, the exit code being the real check.
  assert.match(attw, /No problems found/);
  assert.match(attw, /node10/);
  assert.match(attw, /node16 \(from ESM\)/);
});
