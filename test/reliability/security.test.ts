/**
 * Security (issue 7): the API key appears in no error, log line, `--json` line, event, or
 * `toString`/`inspect` of a client or session, even when a hostile server echoes it back;
 * `ws://` to a non-loopback host is refused; credentials never follow a redirect; a browser
 * refuses long-lived `sk-` keys; the simulator bounds what one connection can take.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { WebSocket } from 'ws';
import { RealtimeClient, RealtimeSession, ValidationError, type RealtimeClientOptions } from '../../src/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { runCli, type CliResult } from '../cli/runCli.js';
import {
  checkEachTest,
  closeAfterAll,
  eventually,
  hostile,
  nextEvent,
  rejectsWithin,
  sessionCreated,
  settles,
  type UpgradeControl,
} from './harness.js';

checkEachTest();
const MODEL = 'qwen3.5-omni-plus-realtime';
/** A marker key: long and random, so that any copy of it (or of its tail) is found. */
const KEY = `sk-MARKER${randomBytes(16).toString('hex')}`;
const TAIL = KEY.slice(9);
const root = resolve(import.meta.dirname, '../..');


/** Everything a user could see of an error: message, stack, inspect (cause chain), JSON. */
function everything(value: unknown): string {
  return [String(value), value instanceof Error ? value.stack ?? '' : '', inspect(value, { depth: 10 }), safeJson(value)].join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function assertNoKey(haystack: string, where: string): void {
  assert.ok(!haystack.includes(KEY) && !haystack.includes(TAIL), `the key leaked into ${where}: …${haystack.slice(Math.max(0, haystack.indexOf(TAIL) - 80), haystack.indexOf(TAIL) + 60)}…`);
}

/** A server that echoes the Authorization header everywhere it can. */
function echoingScript(up: UpgradeControl): void {
  const auth = String(up.req.headers.authorization ?? '');
  const key = auth.replace(/^bearer\s+/i, '');
  const mode = up.index % 4;
  if (mode === 0) up.refuse(401, JSON.stringify({ code: 'InvalidApiKey', message: `Invalid API-key provided: ${key}`, request_id: key }), { 'x-request-id': key, 'content-type': 'application/json' });
  else if (mode === 1) up.refuse(500, `internal error for ${auth}`, { 'x-dashscope-request-id': key });
  else if (mode === 2) up.refuse(302, '', { location: `ws://127.0.0.1:9/api-ws/v1/realtime?key=${key}` });
  else
    void up.accept({ sessionCreated: false }).then((ws) => {
      const created = sessionCreated() as { session: Record<string, unknown> };
      created.session.instructions = `You were called with ${key}`;
      ws.send(JSON.stringify(created));
      ws.send(JSON.stringify({ event_id: 'e1', type: 'error', error: { type: 'invalid_request_error', code: 'InvalidApiKey', message: `Invalid API-key provided: ${key}`, param: auth, event_id: key } }));
      ws.send(`{"type":"response.audio.delta","delta":"${key}`); // malformed, with the key
      ws.send(JSON.stringify({ event_id: 'e2', type: `x.${key}`, key })); // unknown type
      ws.send(JSON.stringify({ event_id: 'e3', type: 'response.text.delta', response_id: key, item_id: 5, output_index: 0, content_index: 0, delta: key })); // mistyped
      setTimeout(() => ws.close(4100, `bye ${key}`.slice(0, 120)), 50);
    });
}

describe('the API key never shows', () => {
  test('client: errors, events, logs (debug on), toString, inspect and JSON, against a server that echoes the key', async () => {
    const server = await hostile(echoingScript);
    const seen: string[] = [];
    const logger = { warn: (m: string) => seen.push(m), debug: (m: string) => seen.push(m) };
    const options: RealtimeClientOptions = { url: server.url, apiKey: KEY, model: MODEL, logger, debug: true, timeouts: { connectMs: 2000 } };
    for (let i = 0; i < 3; i++) {
      const c = new RealtimeClient(options);
      const r = await settles(c.connect(), 3000, `connect ${i}`);
      assert.equal(r.status, 'rejected');
      seen.push(everything(r.status === 'rejected' ? r.reason : undefined), everything(c), String(c), inspect(c, { showHidden: true }));
    }
    const c = new RealtimeClient(options);
    c.on('*', (e) => seen.push(JSON.stringify(e)));
    c.on('client_error', (e) => seen.push(everything(e)));
    c.on('close', (e) => seen.push(everything(e), everything(e.error)));
    const closed = nextEvent<{ code: number }>(c, 'close', 3000);
    await c.connect();
    seen.push(everything(c.session), inspect(c), JSON.stringify(c));
    assert.equal((await closed).code, 4100);
    const haystack = seen.join('\n');
    assert.ok(haystack.includes('***'), 'the echoed key was replaced');
    assert.ok(haystack.includes('HTTP 401') && haystack.includes('HTTP 500') && haystack.includes('HTTP 302'), 'every refusal was seen');
    assertNoKey(haystack, 'the client’s output');
  });

  test('client debug log: an MCP tool\'s URL, authorization and headers show as *** in the sent session.update (§3.1.6)', async () => {
    const sim = await startSimulator({ speed: 0 });
    closeAfterAll(() => sim.close());
    const lines: string[] = [];
    const c = new RealtimeClient({ url: sim.url, apiKey: KEY, model: 'qwen3.8-omni-flash-realtime', logger: { warn: () => {}, debug: (m) => lines.push(m) }, debug: true });
    await c.connect();
    const session = await c.updateSession({ tools: [{ type: 'mcp', server_label: 'amap', server_url: 'https://mcp.example/sse', authorization: `Bearer ${TAIL}`, headers: { 'X-Key': `H${TAIL}` }, require_approval: 'never' }] });
    await c.close();
    const sent = lines.find((l) => l.startsWith('→') && l.includes('session.update'));
    assert.ok(sent?.includes('"server_label":"amap","server_url":"***","authorization":"***","headers":"***"'), `masked: ${sent}`);
    assert.ok(!lines.join('\n').includes(TAIL.slice(0, 12)) && !lines.join('\n').includes('mcp.example'), 'no MCP credential in the debug log');
    assert.deepEqual(session.tools, [{ type: 'mcp', server_label: 'amap', require_approval: 'never' }], 'and none in the echo');
  });

  test('session: errors, reconnect events, history, toString and inspect', async () => {
    const server = await hostile((up) => echoingScript({ ...up, index: up.index === 0 ? 3 : 0 }));
    const seen: string[] = [];
    const s = new RealtimeSession({ url: server.url, apiKey: KEY, model: MODEL, logger: { warn: (m) => seen.push(m), debug: (m) => seen.push(m) }, debug: true, keepaliveMs: false, reconnect: { baseDelayMs: 5, maxDelayMs: 5 }, session: {} });
    closeAfterAll(() => s.close());
    s.on('error', (e) => seen.push(everything(e)));
    s.on('reconnecting', (r) => seen.push(everything(r.error)));
    const closed = nextEvent<{ error?: Error }>(s, 'close', 5000);
    await s.connect();
    const info = await closed; // 4100 → reconnect → 401 (fatal) → close
    seen.push(everything(info.error), everything(s), String(s), inspect(s, { depth: 6 }), JSON.stringify(s.history.items), everything(s.client));
    assert.ok(seen.some((l) => l.includes('HTTP 401')));
    assertNoKey(seen.join('\n'), 'the session’s output');
  });

  test('CLI subprocess: stdout and stderr of chat --json against an echoing server, a rejecting simulator and the embedded one', async () => {
    const server = await hostile((up) => echoingScript({ ...up, index: 3 }));
    const refusing = await startSimulator({ speed: 0, apiKeys: ['sk-another-key-0000000000000000000000'] });
    closeAfterAll(() => refusing.close());
    const runs = [
      await cli(['chat', '--text', 'hi', '--json', '--url', server.url, '--timeout', '2']),
      await cli(['chat', '--text', 'hi', '--json', '--url', refusing.url]),
      await cli(['chat', '--text', 'hi', '--json', '--simulator', '--simulator-speed', '0']),
    ];
    assert.equal(runs[1]!.code, 3, runs[1]!.stderr);
    assert.equal(runs[2]!.code, 0, runs[2]!.stderr);
    assert.ok(runs[0]!.stdout.includes('***'), 'the echoed key was replaced in the --json lines');
    for (const [i, r] of runs.entries()) assertNoKey(`${r.stdout}\n${r.stderr}`, `CLI run ${i}`);
  });
});

/** The built CLI (npm test builds first) with the marker key in its environment. */
function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { DASHSCOPE_API_KEY: KEY }, { timeoutMs: 30_000 });
}

// ---------------------------------------------------------------------------------------------

describe('transport security', () => {
  test('ws:// to a host other than loopback is refused without allowInsecure', () => {
    const refused = ['ws://example.com/api-ws/v1/realtime', 'ws://10.0.0.1/x', 'ws://192.168.1.20:8080/x', 'ws://0.0.0.0/x', 'ws://localhost.example.com/x', 'ws://127.0.0.1.nip.io/x', 'ws://[::ffff:127.0.0.1]/x', 'ws://[fe80::1]/x'];
    for (const url of refused) {
      assert.throws(() => new RealtimeClient({ url, apiKey: KEY, model: MODEL }), (e: unknown) => e instanceof ValidationError && e.param === 'url' && /allowInsecure/.test(e.message) && !e.message.includes(KEY), url);
      assert.throws(() => new RealtimeClient({ apiKey: KEY, model: MODEL, env: { DASHSCOPE_REALTIME_URL: url } }), (e: unknown) => e instanceof ValidationError && e.param === 'url', `${url} from the environment`);
      assert.doesNotThrow(() => new RealtimeClient({ url, apiKey: KEY, model: MODEL, allowInsecure: true }), `${url} with allowInsecure`);
    }
    for (const url of ['ws://localhost:1/x', 'ws://127.0.0.1:1/x', 'ws://127.1.2.3:1/x', 'ws://[::1]:1/x', 'wss://example.com/x']) {
      assert.doesNotThrow(() => new RealtimeClient({ url, apiKey: KEY, model: MODEL }), url);
    }
  });

  for (const status of [301, 302, 307, 308]) {
    test(`a ${status} redirect of the upgrade is not followed: the second server never sees the key (or anything)`, async () => {
      const second = await hostile();
      const first = await hostile((up) => up.refuse(status, '', { location: `${second.url}?model=${MODEL}` }));
      const c = new RealtimeClient({ url: first.url, apiKey: KEY, model: MODEL, logger: { warn: () => {} } });
      const e = await rejectsWithin<Error & { status?: number }>(c.connect(), 3000, 'connect', (x) => (x as { status?: number }).status === status);
      assert.match(e.message, /Redirects are not followed/);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(second.tcpConnections, 0, 'no connection to the redirect target');
      assert.equal(second.upgrades.length, 0);
      assertNoKey(everything(e), 'the redirect error');
      assert.equal(first.upgrades[0]?.headers.authorization, `Bearer ${KEY}`, 'the first server (the one asked for) did get it');
    });
  }

  test('a browser refuses a long-lived sk- key by default (simulated browser globals in a subprocess)', async () => {
    const script = `
      const proc = globalThis.process;
      const { RealtimeClient } = await import(${JSON.stringify(resolve(root, 'src/index.ts'))});
      // A browser: window and document, no process; a WebSocket that records what it was given.
      delete globalThis.process;
      globalThis.window = {};
      globalThis.document = {};
      const opened = [];
      globalThis.WebSocket = class {
        constructor(url, protocols) { opened.push({ url: String(url), protocols }); setTimeout(() => this.onclose?.({ code: 1006, reason: '' }), 1); }
        close() {}
      };
      const out = {};
      for (const [name, options] of [
        ['sk', { apiKey: ${JSON.stringify(KEY)} }],
        ['sk allowed', { apiKey: ${JSON.stringify(KEY)}, dangerouslyAllowBrowser: true }],
        ['temporary token', { apiKey: 'st-temporary-token-0000000000' }],
        ['relay, no key', {}],
      ]) {
        const before = opened.length;
        try {
          await new RealtimeClient({ url: 'wss://relay.example.com/api-ws/v1/realtime', model: 'qwen3.5-omni-plus-realtime', logger: { warn() {} }, ...options }).connect();
          out[name] = { connected: true };
        } catch (e) {
          out[name] = { error: e.name, param: e.param, message: e.message, socket: opened.length > before };
        }
      }
      out.urls = opened.map((o) => o.url);
      proc.stdout.write(JSON.stringify(out));
    `;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code, stdout, stderr });
      });
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, { error?: string; param?: string; message?: string; socket?: boolean }> & { urls: string[] };
    assert.equal(out.sk?.error, 'ValidationError');
    assert.equal(out.sk?.param, 'apiKey');
    assert.match(out.sk?.message ?? '', /long-lived sk- API key in a browser.*relay/);
    assert.equal(out.sk?.socket, false, 'refused before any socket');
    assert.equal(out['sk allowed']?.socket, true, 'dangerouslyAllowBrowser lets it try');
    assert.equal(out['temporary token']?.socket, true, 'other keys are not refused');
    assert.equal(out['relay, no key']?.socket, true);
    assertNoKey(r.stdout.replace(/"sk allowed"/g, ''), 'the browser errors');
    assert.ok(out.urls.every((u) => !u.includes(TAIL)), 'the key never goes into a URL');
  });
});

// ---------------------------------------------------------------------------------------------

describe('the simulator bounds each connection', () => {
  test('frame size, buffered audio, images and session time: an abusive client is refused or closed, a normal one next to it is served', async () => {
    const sim = await startSimulator({ speed: 0, maxFrameBytes: 64 * 1024, maxPayloadBytes: 256 * 1024, maxBufferedAudioMs: 2000, maxImagesPerTurn: 2 });
    closeAfterAll(() => sim.close());
    const capped = await startSimulator({ speed: 0, maxSessionMs: 1000 });
    closeAfterAll(() => capped.close());
    const open = async (url = sim.url) => {
      const ws = new WebSocket(`${url}?model=${MODEL}`, { headers: { Authorization: `Bearer ${KEY}` } });
      const events: Array<Record<string, any>> = [];
      ws.on('message', (d) => events.push(JSON.parse(d.toString()) as Record<string, any>));
      ws.on('error', () => {});
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      return { ws, events, closed };
    };
    const normal = new RealtimeSession({ url: sim.url, apiKey: KEY, model: MODEL, logger: { warn: () => {} }, keepaliveMs: false, reconnect: false, session: { turn_detection: null } });
    closeAfterAll(() => normal.close());
    await normal.connect();

    const a = await open();
    a.ws.send(JSON.stringify({ type: 'session.update', session: { turn_detection: null } })); // Manual: audio accumulates
    a.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: 'A'.repeat(100 * 1024) })); // above maxFrameBytes
    await eventually(() => a.events.some((e) => e.type === 'error' && /limit of 65536 bytes/.test(e.error.message)), 2000, 'frame refused');
    for (let i = 0; i < 30; i++) a.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(3200).toString('base64') })); // 3 s
    await eventually(() => a.events.some((e) => e.type === 'error' && /at most 2000 ms/.test(e.error.message)), 2000, 'buffered audio bounded');
    const jpeg = (await import('node:fs')).readFileSync(resolve(root, 'samples/frame.jpg')).toString('base64');
    a.ws.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    a.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(3200).toString('base64') }));
    for (let i = 0; i < 4; i++) a.ws.send(JSON.stringify({ type: 'input_image_buffer.append', image: jpeg }));
    await eventually(() => a.events.some((e) => e.type === 'error' && /at most 2/.test(e.error.message)), 2000, 'images per turn bounded');
    a.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: 'A'.repeat(300 * 1024) })); // above maxPayloadBytes
    assert.equal(await settles(a.closed, 2000, 'hard frame limit').then((r) => r.status === 'fulfilled' && r.value), 1009);

    const b = await open(capped.url);
    const started = Date.now();
    const code = await settles(b.closed, 4000, 'session time limit');
    assert.equal(code.status === 'fulfilled' && code.value, 1000);
    assert.ok(Date.now() - started >= 900, 'closed at the duration cap');

    const turn = await normal.ask('Am I still served?').done;
    assert.equal(turn.status, 'completed');
    assert.equal(normal.state, 'open');
  });
});
