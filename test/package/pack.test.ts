/**
 * The packed tarball is what users install: its ESM and CommonJS entry points both import, its
 * types resolve for both, every `exports` target exists, and the version matches.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VERSION } from '../../src/version.js';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, unknown> };

function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

describe('npm pack', () => {
  let dir: string;
  let installed: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dsrt-pack-'));
    const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = join(dir, out.trim().split('\n').at(-1)!);
    installed = join(dir, 'node_modules', 'dashscope-realtime');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    symlinkSync(join(root, 'node_modules', 'ws'), join(dir, 'node_modules', 'ws'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the version constant matches package.json', () => {
    assert.equal(VERSION, pkg.version);
  });

  test('every exports target is in the tarball', () => {
    for (const target of exportTargets(pkg.exports)) {
      assert.ok(existsSync(join(installed, target)), `${target} is exported but not packed`);
    }
    assert.ok(!existsSync(join(installed, 'src')), 'sources should not be packed');
    assert.ok(!existsSync(join(installed, 'test')), 'tests should not be packed');
  });

  test('the ESM and CommonJS entry points import', () => {
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { RealtimeClient, MODELS, VERSION } from 'dashscope-realtime'; console.log(typeof RealtimeClient, Object.keys(MODELS).length, VERSION)"], { cwd: dir, encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', "const { RealtimeClient, MODELS, VERSION } = require('dashscope-realtime'); console.log(typeof RealtimeClient, Object.keys(MODELS).length, VERSION)"], { cwd: dir, encoding: 'utf8' });
    assert.equal(esm.trim(), `function 11 ${pkg.version}`);
    assert.equal(cjs, esm);
  });

  test('types resolve for ESM and CommonJS consumers', () => {
    const consumer = `import { RealtimeClient, type ServerEvent } from 'dashscope-realtime';
const client = new RealtimeClient({ apiKey: 'x', url: 'ws://127.0.0.1:1/api-ws/v1/realtime' });
client.on('response.audio_transcript.delta', (e) => { const s: string = e.delta; void s; });
const t: ServerEvent['type'] = 'response.done';
void t;
export {};
`;
    writeFileSync(join(dir, 'esm.mts'), consumer);
    writeFileSync(join(dir, 'cjs.cts'), consumer);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['es2022', 'dom'] }, files: ['esm.mts', 'cjs.cts'] }));
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`type check failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
  });
});
