/** `--help`, `--version`, `models` and `replay` as subprocesses. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REGIONS } from '../../src/protocol/endpoints.js';
import { startSimulator } from '../../src/simulator/index.js';
import { root, runCli } from './runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'dsrt-cmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--version and --help on every command, with examples', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal((await runCli(['--version'])).stdout.trim(), pkg.version);
  const top = await runCli(['--help']);
  for (const command of ['chat', 'talk', 'simulate', 'models', 'replay', 'relay']) {
    assert.match(top.stdout, new RegExp(`^  ${command} +\\S`, 'm'), `${command} in the command list`);
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0, `${command} --help`);
    assert.match(help.stdout, /Usage: dashscope-realtime/);
    assert.match(help.stdout, /Example/);
  }
});

test('--region help lines of talk and relay list every region (qwencloud too, §0.2.16)', async () => {
  for (const command of ['talk', 'relay']) {
    const line = (await runCli([command, '--help'])).stdout.split('\n').find((l) => /^\s+--region R\s/.test(l));
    assert.ok(line, `${command} --help has a --region line`);
    for (const region of REGIONS) assert.match(line, new RegExp(`\\b${region}\\b`), `${command}: ${line}`);
  }
});

test('models lists the catalog and details one model', async () => {
  const list = await runCli(['models']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /qwen3\.5-omni-plus-realtime\s+stable\s+yes\s+yes\s+yes\s+16\/24 kHz\s+Tina/);
  // Legacy models are marked (§0.2.23), and the other models of the endpoint are named.
  assert.match(list.stdout, /qwen3-omni-flash-realtime\s+legacy\s+-\s+-/);
  assert.match(list.stdout, /qwen-omni-turbo-realtime\s+legacy/);
  assert.match(list.stdout, /^Also on this endpoint.*qwen3\.8-livetranslate-flash-realtime/m);
  assert.doesNotMatch(list.stdout, /gummy/);
  const one = await runCli(['models', 'qwen-omni-turbo-realtime']);
  assert.match(one.stdout, /voices:\s+4: Cherry, Serena, Ethan, Chelsie/);
  assert.match(one.stdout, /legacy:\s+no longer in the newest guides/);
  const flash = await runCli(['models', 'qwen3.5-omni-flash-realtime']);
  assert.match(flash.stdout, /broken voices:\s+Cherry: accepted, then every turn ends silently/);
  const json = JSON.parse((await runCli(['models', '--json'])).stdout) as unknown[];
  assert.equal(json.length, 11);
  assert.equal((await runCli(['models', 'nope'])).code, 2);
});

test('every command fails with one sentence; "Run with --help" follows usage errors only (issue 17.6)', async () => {
  const devices = ['--recorder', 'true', '--player', 'true'];
  const usage: string[][] = [
    ['models', 'a', 'b'],
    ['talk', 'extra', ...devices],
    ['talk', '--vad', 'off', ...devices],
    ['talk', '--connect-timeout', '0', ...devices],
    ['talk', '--recorder', '', '--player', 'true'],
    ['replay'],
    ['simulate', '--port', 'x'],
    ['relay', '--example', '--static', 'x'],
  ];
  const notUsage: Array<[string[], RegExp]> = [
    [['models', 'nope'], /^dashscope-realtime: unknown model 'nope'; run 'dashscope-realtime models' for the list\.$/],
    [['talk', '-m', 'nope', ...devices], /^dashscope-realtime: unknown model 'nope'; run 'dashscope-realtime models' for the list\.$/],
    [['talk', '--region', 'mars', ...devices], /^dashscope-realtime: Unknown region 'mars'\. Use one of: beijing, singapore, qwencloud\.$/],
    [['replay', join(dir, 'missing.jsonl')], /^dashscope-realtime: cannot read .*missing\.jsonl\.$/],
    [['relay', '--static', join(dir, 'missing')], /^dashscope-realtime relay: --static .*missing: no such folder\.$/],
    [['frobnicate'], /^dashscope-realtime: unknown command 'frobnicate'\. Run 'dashscope-realtime --help' for the list\.$/],
  ];
  const all = [...usage, ...notUsage.map(([args]) => args)];
  for (const [i, args] of all.entries()) {
    const r = await runCli(args);
    const lines = r.stderr.trim().split('\n');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0]!, /[.!?]$/, `ends a sentence: ${r.stderr}`);
    if (i < usage.length) assert.match(lines[0]!, /\. Run with --help for usage\.$/, args.join(' '));
    else assert.match(lines[0]!, notUsage[i - usage.length]![1]);
  }
});

test('a stray argument gets a hint; one that looks like a key, or is the key, is never printed back', async () => {
  const text = await runCli(['chat', 'Hello there, who are you?']);
  assert.equal(text.code, 2);
  assert.equal(text.stderr.trim(), `dashscope-realtime: unexpected argument 'Hello there, who are you?': to send text, use --text "Hello there, who are you?" Run with --help for usage.`);
  const wav = await runCli(['chat', 'question.wav']);
  assert.match(wav.stderr, /: to send a recording, use --input "question\.wav"\. Run with --help/);
  const key = `sk-${'a1b2c3d4'.repeat(4)}`;
  const secret = 'my-own-secret-key-value';
  const cases: Array<[string[], Record<string, string>]> = [
    [['chat', key], {}],
    [['talk', `st-${key.slice(3)}`, '--recorder', 'true', '--player', 'true'], {}],
    [[key], {}],
    [['chat', '--voice', secret, '--simulator'], { DASHSCOPE_API_KEY: secret }],
    [['models', 'x', secret], { DASHSCOPE_API_KEY: secret }],
  ];
  for (const [args, env] of cases) {
    const r = await runCli(args, env);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    const out = r.stdout + r.stderr;
    for (const needle of [key.slice(3, 15), secret]) assert.ok(!out.includes(needle), `not printed back: ${out}`);
  }
  assert.match((await runCli(['chat', key])).stderr, /looks like an API key \(not shown\): set DASHSCOPE_API_KEY/);
});

test('replay prints chat --json output as a timeline with a time column (issue 17.7)', async () => {
  const log = join(dir, 'chat.jsonl');
  const chat = await runCli(['chat', '--text', 'Hello', '--json', '--simulator-speed', '0']);
  const first = JSON.parse(chat.stdout.split('\n')[0]!) as { type: string; received_at_ms: number };
  assert.equal(first.type, 'session.created');
  assert.ok(Number.isInteger(first.received_at_ms) && first.received_at_ms > 1.7e12, 'received_at_ms: ms since the epoch');
  writeFileSync(log, chat.stdout);
  const r = await runCli(['replay', log]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ +0\.000s   session\.created/m);
  assert.ok(r.stdout.split('\n').filter(Boolean).every((l) => /^ +\d+\.\d{3}s /.test(l)), `every line has a time:\n${r.stdout}`);
  assert.doesNotMatch(r.stdout, /connection/, 'one connection: no block headers');
  assert.match(r.stdout, /response\.audio\.delta\s+.*×\d+/);
  assert.match(r.stdout, /response\.done\s+response=resp_\S+ status=completed tokens=\d+ in \/ \d+ out/);
  const bad = await runCli(['replay', join(dir, 'missing.jsonl')]);
  assert.equal(bad.code, 2);
});

test('replay of a simulate --record file shows each connection as its own block (issue 17.7)', async () => {
  const record = join(dir, 'two.jsonl');
  const sim = await startSimulator({ speed: 0, recordPath: record });
  try {
    for (const text of ['First', 'Second']) {
      const r = await runCli(['chat', '--text', text, '--url', sim.url, '--modalities', 'text'], { DASHSCOPE_API_KEY: 'sk-replay-0000000000000000000000' });
      assert.equal(r.code, 0, r.stderr);
    }
  } finally {
    await sim.close();
  }
  const r = await runCli(['replay', record]);
  assert.equal(r.code, 0, r.stderr);
  const headers = r.stdout.split('\n').filter((l) => /connection/.test(l));
  assert.deepEqual(headers, ['── connection 0 ──', '── connection 1 ──']);
  const [, one, two] = r.stdout.split(/── connection \d ──\n/);
  assert.match(one!, /→ conversation\.item\.create/);
  assert.match(one!, /text=You said: First/);
  assert.doesNotMatch(one!, /Second/);
  assert.match(two!, /← session\.created/);
  assert.match(two!, /Second/);
});
