// Builds the ESM and CommonJS outputs with tsc and marks the CommonJS folder as such, so that
// Node and type checkers read dist/cjs/*.js and *.d.ts as CommonJS (package.json "type" is module).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
}
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
for (const bin of ['dist/esm/cli/main.js', 'dist/cjs/cli/main.js']) {
  if (existsSync(bin)) chmodSync(bin, 0o755);
}

// The example page's browser bundle (examples/browser → dist/example), served by
// `dashscope-realtime relay --example`. It imports 'dashscope-realtime/browser' from the build
// above, as a user's bundler would, so package.json's `browser` field must keep `ws` out.
const { build } = await import('esbuild');
const result = await build({
  entryPoints: ['examples/browser/app.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  outfile: 'dist/example/app.js',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
const nodeOnly = Object.keys(result.metafile.inputs).filter((input) => /node_modules[\\/]ws[\\/]|^node:|transport[\\/]nodeSocket/.test(input) && !input.startsWith('(disabled)'));
if (nodeOnly.length > 0) throw new Error(`The browser bundle contains Node-only modules: ${nodeOnly.join(', ')}`);
for (const file of ['index.html', 'style.css']) copyFileSync(`examples/browser/${file}`, `dist/example/${file}`);

// What package.json promises must exist: every `exports` target, and a `typesVersions` entry per
// subpath (moduleResolution node10 sees subpaths only through it, issue 17.11).
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const problems = [];
for (const [subpath, conditions] of Object.entries(pkg.exports)) {
  const targets = typeof conditions === 'string' ? [conditions] : Object.values(conditions).flatMap((c) => (typeof c === 'string' ? [c] : Object.values(c)));
  for (const target of targets) if (!existsSync(target)) problems.push(`exports["${subpath}"] → ${target} does not exist`);
  const name = subpath.replace(/^\.\/?/, '');
  if (name === '' || name === 'package.json') continue;
  const fallback = pkg.typesVersions?.['*']?.[name];
  if (!fallback) problems.push(`typesVersions has no entry for "${name}" (node10 consumers cannot resolve ${subpath})`);
  else for (const target of fallback) if (!existsSync(target)) problems.push(`typesVersions["${name}"] → ${target} does not exist`);
}
if (problems.length > 0) throw new Error(`package.json does not match the build:\n- ${problems.join('\n- ')}`);
