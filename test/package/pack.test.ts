/**
 * The packed tarball is what users install: its ESM and CommonJS entry points both import, its
 * types resolve for both (and for `moduleResolution: node10`), every `exports` target exists, the
 * guides, examples and sources the maps point to are shipped, and the version matches.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
    assert.ok(!existsSync(join(installed, 'test')), 'tests should not be packed');
    assert.ok(!existsSync(join(installed, 'bench')), 'benchmarks should not be packed');
  });

  test('the ESM and CommonJS entry points import', () => {
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { RealtimeClient, MODELS, VERSION } from 'dashscope-realtime'; console.log(typeof RealtimeClient, Object.keys(MODELS).length, VERSION)"], { cwd: dir, encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', "const { RealtimeClient, MODELS, VERSION } = require('dashscope-realtime'); console.log(typeof RealtimeClient, Object.keys(MODELS).length, VERSION)"], { cwd: dir, encoding: 'utf8' });
    assert.equal(esm.trim(), `function 11 ${pkg.version}`);
    assert.equal(cjs, esm);
  });

  test('the guides and examples the README links to are in the tarball (issue 17.10)', () => {
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    const local = [...readme.matchAll(/\]\(((?:docs|examples)\/[^)#\s]*)/g)].map((m) => m[1]!);
    assert.ok(local.length >= 10, `README links: ${local.join(', ')}`);
    for (const link of local) assert.ok(existsSync(join(installed, link)), `README links to ${link}, which is not packed`);
    for (const guide of readdirSync(join(installed, 'docs')).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(installed, 'docs', guide), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s:]+)(?:#[^)]*)?\)/g)) {
        assert.ok(existsSync(join(installed, 'docs', m[1]!)), `docs/${guide} links to ${m[1]}, which is not packed`);
      }
    }
    assert.ok(existsSync(join(installed, 'examples/testing-your-app.test.ts')));
  });

  test('source maps and declaration maps resolve to packed sources (issue 17.10)', () => {
    const maps = ['dist/esm/index.js.map', 'dist/esm/index.d.ts.map', 'dist/cjs/index.js.map', 'dist/cjs/index.d.ts.map', 'dist/esm/client/realtimeClient.js.map', 'dist/esm/client/realtimeClient.d.ts.map', 'dist/cjs/testing/index.d.ts.map'];
    for (const map of maps) {
      const file = join(installed, map);
      assert.ok(existsSync(file), `${map} is packed`);
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string; sourcesContent?: string[] };
      assert.ok(parsed.sources.length > 0);
      parsed.sources.forEach((source, i) => {
        const resolved = resolve(dirname(file), parsed.sourceRoot ?? '', source);
        assert.ok(parsed.sourcesContent?.[i] || existsSync(resolved), `${map} points to ${source}, which is neither packed nor inlined`);
      });
    }
    // Every compiled file has its declaration map (go-to-definition lands in the .ts source).
    assert.ok(existsSync(join(installed, 'dist/esm/session/realtimeSession.d.ts.map')));
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

  test('the subpaths resolve under moduleResolution node10 (typesVersions, issue 17.11)', () => {
    const consumer = `import { RealtimeClient } from 'dashscope-realtime';
import { encodeBase64 } from 'dashscope-realtime/audio';
import { startSimulator } from 'dashscope-realtime/simulator';
import { scriptedTransport } from 'dashscope-realtime/testing';
import { startRelay } from 'dashscope-realtime/relay';
import type { MicrophoneCapture } from 'dashscope-realtime/browser';
import { Speaker } from 'dashscope-realtime/node';
const b64: string = encodeBase64(new Uint8Array([1]));
export { RealtimeClient, startSimulator, scriptedTransport, startRelay, Speaker, b64 };
export type { MicrophoneCapture };
`;
    const node10 = join(dir, 'node10');
    mkdirSync(node10, { recursive: true });
    writeFileSync(join(node10, 'consumer.ts'), consumer);
    writeFileSync(join(node10, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node10', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['es2022', 'dom'], ignoreDeprecations: '5.0' }, files: ['consumer.ts'] }));
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', node10], { cwd: node10, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`node10 type check failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
  });
});
