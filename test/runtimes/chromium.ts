/**
 * Chromium in the runtime matrix, through the relay, all from the packed tarball installed in a
 * scratch project: fixtures/page.ts is bundled by esbuild (the repository's, resolving
 * `dashscope-realtime` from the scratch project as a user's bundler would) into `public/`;
 * fixtures/relay.mjs runs under Node from the scratch project (`dashscope-realtime/relay` with
 * `dashscope-realtime/simulator` upstream, a token check, a session-field filter, the page served
 * from `public/` on 127.0.0.1 and a free port); headless Chromium (Debian's, driven by
 * playwright-core) opens the page with a fake microphone playing speech. One Manual-mode turn:
 * speech in, the reply's transcript and audio out, the audio played to the end.
 *
 * The page is served by the relay for real rather than faked with `page.route`: Chromium's
 * local-network-access checks block a WebSocket to 127.0.0.1 from a page that has no address.
 *
 * Every wait is bounded; the browser and the relay are closed in `finally`. A missing Chromium
 * skips outside CI and fails in CI (../browser/chromiumPath.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { requireChromium } from '../browser/chromiumPath.js';
import { microphoneWav } from '../browser/fakeMicrophone.js';
import type { RuntimeResult as PageResult } from './fixtures/page.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const TOKEN = 'runtime-matrix-token-5e2a';
/** The key the relay sends upstream; no page frame may contain it. */
const UPSTREAM_KEY = 'sk-runtime-matrix-relay-key-93c1';

/** What the page reports (fixtures/page.ts). */
export type { RuntimeResult as PageResult } from './fixtures/page.js';

/** The outcome of the Chromium run. */
export interface ChromiumRun {
  /** `Chromium 1xx.…`, from the browser itself. */
  version: string;
  result: PageResult;
  /** Files esbuild bundled, relative to the scratch project. */
  bundleInputs: string[];
  /** The relay's exit code after SIGTERM. */
  relayExit: number | null;
  pageErrors: string[];
  /** WebSocket frames the page received that contain the relay's key (must be none). */
  framesWithKey: number;
  /** WebSocket frames the page received. */
  framesReceived: number;
  /** Milliseconds per step. */
  timings: Record<'bundle' | 'relay' | 'launch' | 'turn', number>;
}

/** Bundles fixtures/page.ts against the scratch project's node_modules. */
async function bundlePage(app: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: readFileSync(join(fixtures, 'page.ts'), 'utf8'), resolveDir: app, sourcefile: 'page.ts', loader: 'ts' },
    absWorkingDir: app,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

/** Starts fixtures/relay.mjs from the scratch project; resolves with its URL once it prints it. */
function startRelayServer(app: string, timeoutMs: number): Promise<{ child: ChildProcess; url: string }> {
  copyFileSync(join(fixtures, 'relay.mjs'), join(app, 'relay.mjs'));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DASHSCOPE_'))), RELAY_TOKEN: TOKEN, RELAY_UPSTREAM_KEY: UPSTREAM_KEY };
  const child = spawn(process.execPath, ['relay.mjs'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the relay (relay.mjs, from the tarball) ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs} ms`), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /Relay listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolvePromise({ child, url });
      }
    });
    const onExit = (code: number | null) => fail(`exited with ${code} before listening`);
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if it has not exited in `ms`; resolves with the exit code. */
function stopProcess(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise(code);
    });
    child.kill('SIGTERM');
  });
}

/** Runs the page's turn in Chromium through the tarball's relay; `dir` is a scratch folder, `app` the project with the tarball installed. */
export async function chromiumThroughRelay(dir: string, app: string): Promise<ChromiumRun> {
  const executablePath = requireChromium();
  const timings = { bundle: 0, relay: 0, launch: 0, turn: 0 };
  let t0 = Date.now();
  const page = await bundlePage(app);
  mkdirSync(join(app, 'public'), { recursive: true });
  writeFileSync(join(app, 'public/page.js'), page.code);
  copyFileSync(join(fixtures, 'page.html'), join(app, 'public/index.html'));
  timings.bundle = Date.now() - t0;
  const wavPath = microphoneWav(dir);
  t0 = Date.now();
  const relay = await startRelayServer(app, 20_000);
  timings.relay = Date.now() - t0;
  let browser: Browser | undefined;
  let relayExit: number | null = null;
  const pageErrors: string[] = [];
  let framesReceived = 0;
  let framesWithKey = 0;
  try {
    t0 = Date.now();
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: 30_000,
      args: [
        '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wavPath}%noloop`,
      ],
    });
    const context = await browser.newContext();
    context.setDefaultTimeout(20_000);
    // tsx compiles this file with keepNames (`__name(…)` wrappers); page.evaluate callbacks need the helper.
    await context.addInitScript('globalThis.__name = (target) => target;');
    timings.launch = Date.now() - t0;
    const tab = await context.newPage();
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    tab.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        framesReceived++;
        if ((typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8')).includes(UPSTREAM_KEY)) framesWithKey++;
      }),
    );
    t0 = Date.now();
    // The relay serves the page on its own origin, which it admits by default.
    await tab.goto(`${relay.url}/?token=${TOKEN}`);
    await tab.click('#start');
    const deadline = Date.now() + 45_000;
    let result: PageResult;
    for (;;) {
      result = (await tab.evaluate(() => (globalThis as unknown as { runtimeResult: PageResult }).runtimeResult)) as PageResult;
      if (result.phase === 'done' || result.phase === 'failed') break;
      if (Date.now() > deadline) throw new Error(`the Chromium turn did not finish in 45 s: ${JSON.stringify(result)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    timings.turn = Date.now() - t0;
    const version = `Chromium ${browser.version()}`;
    await browser.close();
    browser = undefined;
    relayExit = await stopProcess(relay.child, 8_000);
    return { version, result, bundleInputs: page.inputs, relayExit, pageErrors, framesReceived, framesWithKey, timings };
  } finally {
    await browser?.close().catch(() => {});
    await stopProcess(relay.child, 8_000);
  }
}
