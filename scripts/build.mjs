// Builds the ESM and CommonJS outputs with tsc and marks the CommonJS folder as such, so that
// Node and type checkers read dist/cjs/*.js and *.d.ts as CommonJS (package.json "type" is module).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
