/**
 * `dashscope-realtime simulate` as a subprocess: prints its URL, accepts a connection, records
 * frames, exits 0 on SIGTERM; a bad flag is one line on stderr and exit code 2.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bounded, RawClient } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'simulate', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited: (ms = 10_000) => bounded(exited, ms, 'no exit'),
    stdout: () => stdout,
    stderr: () => stderr,
    async line(ms = 15_000): Promise<string> {
      const deadline = Date.now() + ms;
      while (!stdout.includes('\n')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no output; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return stdout.split('\n')[0]!;
    },
  };
}

describe('dashscope-realtime simulate', { concurrency: true }, () => {
  test('prints the URL, serves a session, records it, exits 0 on SIGTERM', async () => {
    const record = join(dir, 'cli.jsonl');
    const p = run(['--port', '0', '--speed', '0', '--record', record]);
    const line = await p.line();
    const m = /^Simulator listening on (ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/realtime)$/.exec(line);
    assert.ok(m, line);
    const c = await RawClient.connect(m[1]!);
    try {
      await c.waitFor('session.created');
      c.send({ type: 'session.update', session: { turn_detection: null } });
      c.send({ type: 'response.create' });
      await c.waitFor('response.done');
    } finally {
      await c.close();
    }
    p.child.kill('SIGTERM');
    assert.equal(await p.exited(), 0);
    assert.equal(p.stdout().trim().split('\n').length, 1, 'one line on stdout');
    const types = readFileSync(record, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: { type: string } }).event.type);
    assert.equal(types[0], 'session.created');
    assert.ok(types.includes('response.done'));
  });

  test('its help says no key is needed for a loopback URL, and its example runs with none (issue 17.1)', async () => {
    const help = run(['--help']);
    assert.equal(await help.exited(), 0);
    assert.match(help.stdout(), /need no key for a loopback URL/);
    assert.match(help.stdout(), /'Bearer local-no-key'/);
    assert.doesNotMatch(help.stdout(), /Clients append \?model=<model> and send any non-empty API key/);
    const p = run(['--port', '0', '--speed', '0']);
    const url = /(ws:\/\/\S+)$/.exec(await p.line())![1]!;
    // The help's second example line, with no DASHSCOPE_* variable but the URL.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DASHSCOPE_')));
    const chat = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'chat', '--text', 'hi'], { cwd: ROOT, env: { ...env, DASHSCOPE_REALTIME_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(chat);
    let out = '';
    chat.stdout!.on('data', (d) => (out += d));
    chat.stderr!.on('data', (d) => (out += d));
    const code = await bounded(new Promise<number | null>((resolve) => chat.on('exit', resolve)), 30_000, 'chat did not end');
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /embedded simulator/, 'it used the given simulator');
    p.child.kill('SIGTERM');
    assert.equal(await p.exited(), 0);
  });

  test('a bad flag: one clear line on stderr, exit code 2', async () => {
    const cases = [['--bogus'], ['--port', 'abc'], ['--speed', '-1']].map((args) => ({ args, p: run(args) }));
    for (const { args, p } of cases) {
      assert.equal(await p.exited(), 2, args.join(' '));
      const lines = p.stderr().trim().split('\n');
      assert.equal(lines.length, 1, p.stderr());
      assert.match(lines[0]!, /simulate: .*--/);
      assert.equal(p.stdout(), '');
    }
  });
});
