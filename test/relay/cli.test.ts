/**
 * `dashscope-realtime relay` as a subprocess of the built CLI: it prints its URL, serves the
 * example page and bundle with --example, relays to the simulator with --simulator, requires
 * --token, stops cleanly on SIGTERM, and refuses to start without a key.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cliPath, root, runCli } from '../cli/runCli.js';
import { BrowserSocket, probeUpgrade, within } from './helpers.js';

const children: ChildProcessWithoutNullStreams[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('DASHSCOPE_') && v !== undefined)) as Record<string, string>;
  return { ...base, ...extra };
}

/** The status of a GET with `path` sent exactly as written (fetch would normalise the dots). */
function rawGetStatus(base: string, path: string): Promise<number> {
  const u = new URL(base);
  return within(new Promise((resolve, reject) => {
    get({ host: u.hostname, port: u.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  }), `GET ${path}`);
}

/** Starts the relay command and resolves with its base URL once it printed it. */
function startRelayCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [cliPath, 'relay', ...args], { cwd: root, env: cleanEnv() });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return within(
    new Promise((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /Relay listening on (http:\/\/\S+)/.exec(stdout);
        if (m && stdout.includes('Upstream:')) resolve({ child, url: m[1]!, stdout: () => stdout, stderr: () => stderr });
      });
      child.on('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
    }),
    'relay start',
    15_000,
  );
}

describe('dashscope-realtime relay', () => {
  test('--simulator --example --token: page, bundle, token check, a session, clean stop', async () => {
    const { child, url, stdout } = await startRelayCli(['--simulator', '--example', '--token', 'tok-123', '--speed', '0']);
    assert.match(stdout(), /WebSocket: ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/realtime\?model=/);
    assert.match(stdout(), /Example page: http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(stdout(), /Upstream: the embedded simulator/);
    assert.ok(!stdout().includes('tok-123'), 'the token is not printed');
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<button id="talk"/);
    const bundle = await fetch(`${url}/app.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    assert.match(await bundle.text(), /registerProcessor/);
    for (const path of ['/..%2fpackage.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json']) {
      assert.equal(await rawGetStatus(url, path), 404, path);
    }
    const ws = url.replace('http:', 'ws:');
    assert.equal((await probeUpgrade(`${ws}/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime`, { Origin: url })).status, 401);
    const socket = await BrowserSocket.open(`${ws}/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime&token=tok-123`, url);
    await socket.waitFor((e) => e.type === 'session.created', 'session.created');
    await socket.close();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await within(exited, 'exit after SIGTERM', 10_000), 0);
  });

  test('--simulator --static DIR: your own page on the relay\'s origin; only what works is advertised (issue 17.8)', async () => {
    const page = mkdtempSync(join(tmpdir(), 'dsrt-static-'));
    try {
      writeFileSync(join(page, 'index.html'), '<!doctype html><title>mine</title><p id="own">my page</p>');
      writeFileSync(join(page, 'app.js'), 'console.log("mine");');
      const { child, url, stdout } = await startRelayCli(['--simulator', '--static', page, '--speed', '0']);
      assert.match(stdout(), new RegExp(`Your page: http://127\\.0\\.0\\.1:\\d+/ \\(from ${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
      assert.doesNotMatch(stdout(), /WebRTC signalling/, 'the simulator has no WebRTC endpoint: nothing to advertise');
      assert.match(stdout(), /WebRTC: not simulated/);
      const html = await fetch(`${url}/`);
      assert.equal(html.status, 200);
      assert.match(await html.text(), /<p id="own">my page<\/p>/);
      assert.equal((await fetch(`${url}/app.js`)).status, 200);
      // The signalling route is off rather than forwarding to a 404.
      const signalling = await fetch(`${url}/api/v1/webrtc/realtime?model=qwen3.5-omni-plus-realtime`, { method: 'POST', body: 'v=0', headers: { origin: url } });
      assert.notEqual(signalling.status, 200);
      // The page's origin is the relay's own: admitted without --allow-origin.
      const socket = await BrowserSocket.open(`${url.replace('http:', 'ws:')}/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime`, url);
      await socket.waitFor((e) => e.type === 'session.created', 'session.created');
      await socket.close();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await within(exited, 'exit after SIGTERM', 10_000), 0);
    } finally {
      rmSync(page, { recursive: true, force: true });
    }
  });

  test('--static refuses a missing folder or one without index.html, and --example with it (exit 2, one line)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dsrt-static-'));
    try {
      const missing = await runCli(['relay', '--simulator', '--static', join(empty, 'nope')], {}, { timeoutMs: 15_000 });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^dashscope-realtime relay: --static .*nope: no such folder\.\n$/);
      const noIndex = await runCli(['relay', '--simulator', '--static', empty], {}, { timeoutMs: 15_000 });
      assert.equal(noIndex.code, 2);
      assert.match(noIndex.stderr, /has no index\.html to serve at \/\.\n$/);
      const both = await runCli(['relay', '--simulator', '--static', empty, '--example'], {}, { timeoutMs: 15_000 });
      assert.equal(both.code, 2);
      assert.match(both.stderr, /'--example' and '--static' exclude each other\. Run with --help for usage\.\n$/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('without a key or --simulator it refuses to start (exit 2); --help and bad flags', async () => {
    const noKey = await runCli(['relay'], {}, { timeoutMs: 15_000 });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /set DASHSCOPE_API_KEY/);
    const help = await runCli(['relay', '--help'], {}, { timeoutMs: 15_000 });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--allow-origin/);
    const bad = await runCli(['relay', '--port', 'abc'], {}, { timeoutMs: 15_000 });
    assert.equal(bad.code, 2);
    const both = await runCli(['relay', '--simulator', '--url', 'ws://127.0.0.1:1/x'], {}, { timeoutMs: 15_000 });
    assert.equal(both.code, 2);
  });

  test('with a key and no --token it warns that anyone can use the key, and never prints the key', async () => {
    const child = spawn(process.execPath, [cliPath, 'relay', '--url', 'ws://127.0.0.1:9/api-ws/v1/realtime'], { cwd: root, env: cleanEnv({ DASHSCOPE_API_KEY: 'sk-cli-secret-9876' }) });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await within(new Promise<void>((resolve) => {
      const check = () => {
        if (/no --token/.test(out) && /Upstream:/.test(out)) resolve();
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
    }), 'warning', 15_000);
    assert.ok(!out.includes('sk-cli-secret-9876'));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await within(exited, 'exit', 10_000), 0);
  });
});
