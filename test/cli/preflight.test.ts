/**
 * Checks the CLI makes before it connects (src/cli/preflight.ts), as a subprocess: an output that
 * cannot be written and an endpoint flag production refuses end with exit 2 and one line, before
 * any connection (so before any token is spent), with the simulator as with a key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli } from './runCli.js';

let dir: string;
let sim: Simulator;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsrt-preflight-'));
  sim = await startSimulator({ speed: 0 });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One line on stderr, exit 2, no stack, and the simulator saw no connection. */
function refusedBeforeConnecting(r: { code: number | null; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, message);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, /[.!?]$/, 'the message ends with punctuation');
}

describe('outputs are checked before connecting (issue 17.4)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['-o in a folder that does not exist', ['-o', '/nonexistent/dir/r.wav'], /^dashscope-realtime: --output \/nonexistent\/dir\/r\.wav: the folder \/nonexistent\/dir does not exist; create it first or write somewhere else\.$/m],
    ['--transcript in a folder that does not exist', ['--transcript', '/nonexistent/dir/r.txt'], /--transcript \/nonexistent\/dir\/r\.txt: the folder \/nonexistent\/dir does not exist/],
    ['-o naming a folder', ['-o', '/tmp'], /--output \/tmp is a folder; give a file name/],
  ];
  for (const [name, flags, message] of cases) {
    test(name, async () => {
      const before = sim.connections.length;
      const r = await runCli(['chat', '--text', 'hi', '--url', sim.url, ...flags], { DASHSCOPE_API_KEY: 'sk-preflight-000000000000000000' });
      refusedBeforeConnecting(r, message);
      assert.doesNotMatch(r.stderr, /Run with --help/, 'not a usage error: the help would not fix it');
      assert.equal(sim.connections.length, before);
    });
  }

  test('with the embedded simulator too, nothing is started', async () => {
    const r = await runCli(['chat', '--text', 'hi', '-o', join(dir, 'missing', 'r.wav')]);
    refusedBeforeConnecting(r, /the folder .*missing does not exist/);
    assert.doesNotMatch(r.stderr, /embedded simulator/);
  });
});

describe('the simulator path refuses what production refuses (issue 17.6)', () => {
  test('--region mars: the same refusal with the simulator as with a key', async () => {
    const simulated = await runCli(['chat', '--text', 'hi', '--region', 'mars']);
    const keyed = await runCli(['chat', '--text', 'hi', '--region', 'mars'], { DASHSCOPE_API_KEY: 'sk-preflight-000000000000000000' });
    refusedBeforeConnecting(simulated, /region 'mars'/i);
    refusedBeforeConnecting(keyed, /region 'mars'/i);
    assert.equal(simulated.stderr, keyed.stderr);
    assert.doesNotMatch(simulated.stderr, /Run with --help/);
  });

  test('DASHSCOPE_REGION=mars is refused with the simulator as well', async () => {
    const r = await runCli(['chat', '--text', 'hi'], { DASHSCOPE_REGION: 'mars' });
    refusedBeforeConnecting(r, /region 'mars'/i);
  });

  test('"Run with --help for usage." follows usage errors only, and every message is a sentence', async () => {
    const usage = await runCli(['chat', '--vad', 'sometimes']);
    refusedBeforeConnecting(usage, /option '--vad' must be one of off, server, semantic, got 'sometimes'\. Run with --help for usage\.$/m);
    const missing = await runCli(['chat', '--input', 'does-not-exist.wav']);
    refusedBeforeConnecting(missing, /input file not found: does-not-exist\.wav/);
    assert.doesNotMatch(missing.stderr, /--help/, 'a missing file is not a usage error');
    const value = await runCli(['chat', '--text']);
    refusedBeforeConnecting(value, /option '--text' needs a value\. Run with --help for usage\.$/m);
  });
});
