/**
 * What a user's bundler makes of the package for a browser: `dashscope-realtime/browser` and
 * the main entry bundle for `platform: 'browser'` from the built package, as esbuild resolves an
 * installed dependency, and neither `ws` nor any Node built-in ends up inside (package.json's
 * `browser` field maps the Node transport away). Also: the example bundle exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

for (const entry of ['dashscope-realtime/browser', 'dashscope-realtime', 'dashscope-realtime/audio']) {
  test(`${entry} bundles for the browser without ws or Node built-ins`, async () => {
    const result = await build({
      stdin: { contents: `export * from '${entry}';`, resolveDir: root, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((i) => i.includes('dist/esm/')), 'bundled from the built package');
    const nodeOnly = inputs.filter((i) => /node_modules[\\/]ws[\\/]|^node:/.test(i) || (/nodeSocket/.test(i) && !i.startsWith('(disabled)')));
    assert.deepEqual(nodeOnly, []);
    const code = result.outputFiles[0]!.text;
    assert.ok(!/from\s*["'](ws|node:[a-z_]+)["']/.test(code), 'no import of ws or node: left in the bundle');
  });
}

test('npm run build made the example page bundle', () => {
  const dir = join(root, 'dist/example');
  for (const file of ['index.html', 'style.css', 'app.js']) assert.ok(existsSync(join(dir, file)), file);
  const app = readFileSync(join(dir, 'app.js'), 'utf8');
  assert.match(app, /dashscope-realtime-capture/);
  assert.match(app, /dashscope-realtime-player/);
  assert.ok(!app.includes('DASHSCOPE_API_KEY='), 'no key material in the bundle');
});
