/**
 * The test suite as a newcomer meets it (issue 17.12, 17.13): on a machine without Chromium the
 * browser tests skip with one line saying how to enable them, in CI (`CI=true`) their absence
 * fails, `.ci/run` stops when Chromium is missing and cannot be installed, and the test command
 * bounds every test. Chromium's absence is simulated with `CHROMIUM_PATH` pointing nowhere.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dsrt-suite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MISSING = join(dir, 'no-such-chromium');

function run(file: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'CHROMIUM_PATH' && !k.startsWith('NODE_TEST')));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not end in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out });
    });
  });
}

const browserTest = (env: Record<string, string>) => run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/browser/chromium.test.ts'], { CHROMIUM_PATH: MISSING, ...env });

test('without Chromium, outside CI: the browser test skips with one line saying how to enable it', async () => {
  const r = await browserTest({});
  assert.equal(r.code, 0, r.out);
  const skips = r.out.split('\n').filter((l) => /# SKIP/.test(l));
  assert.equal(skips.length, 1, r.out);
  assert.match(skips[0]!, new RegExp(`# SKIP no Chromium at ${MISSING}: apt-get install chromium \\(or set CHROMIUM_PATH\\) to run the browser tests`));
});

test('without Chromium, in CI: the browser test fails with the same advice', async () => {
  const r = await browserTest({ CI: 'true' });
  assert.notEqual(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /# SKIP/);
  assert.match(r.out, /no Chromium at .*apt-get install chromium.*in CI \(CI=true\) it is required/);
});

test('.ci/run stops when Chromium is missing and apt-get cannot install it', async () => {
  // Stand-ins first on PATH: apt-get fails, npm records that it was called.
  const bin = join(dir, 'bin');
  const marker = join(dir, 'npm-ran');
  mkdirSync(bin);
  writeFileSync(join(bin, 'apt-get'), '#!/bin/sh\necho "E: Unable to locate package chromium" >&2\nexit 100\n');
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\ntouch '${marker}'\n`);
  chmodSync(join(bin, 'apt-get'), 0o755);
  chmodSync(join(bin, 'npm'), 0o755);
  const r = await run('bash', ['.ci/run'], { CHROMIUM_PATH: MISSING, PATH: `${bin}:${process.env.PATH ?? ''}` });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`\\.ci/run: no Chromium at ${MISSING} and apt-get could not install it`));
  assert.ok(!existsSync(marker), 'npm ci / npm test did not run');
});

test('npm test bounds every test with --test-timeout', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.test!, /node [^&]*--test-timeout=\d+/);
});
