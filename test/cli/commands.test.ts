/** `--help`, `--version`, `models` and `replay` as subprocesses. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
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

test('replay prints a recording of simulate --record as a timeline', async () => {
  const log = join(dir, 'chat.jsonl');
  const chat = await runCli(['chat', '--text', 'Hello', '--json', '--simulator-speed', '0']);
  writeFileSync(log, chat.stdout);
  const r = await runCli(['replay', log]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /session\.created/);
  assert.match(r.stdout, /response\.audio\.delta\s+.*×\d+/);
  assert.match(r.stdout, /response\.done\s+response=resp_\S+ status=completed tokens=\d+ in \/ \d+ out/);
  const bad = await runCli(['replay', join(dir, 'missing.jsonl')]);
  assert.equal(bad.code, 2);
});
