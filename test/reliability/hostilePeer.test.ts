/**
 * Against a hostile server (issue 16, items 1–6, 8, 9 and 15; the relay's items are in
 * test/relay/abuse.test.ts): the key never leaks, cut, JSON-escaped, split over deltas or kept
 * as raw bytes; every number the server sends is bounded before use; bad arguments are typed
 * errors. Each test names the item it covers and fails on the code before the fix.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { WebSocket } from 'ws';
import { AuthenticationError, ConnectionError, RealtimeClient, RealtimeSession, ServerError, ValidationError, tool } from '../../src/index.js';
import { runCli } from '../cli/runCli.js';
import { checkEachTest, closeAfterAll, hostile, rejectsWithin, sessionCreated, sessionUpdated, settles, sim, sleep } from './harness.js';

checkEachTest();
const MODEL = 'qwen3.5-omni-plus-realtime';
/** A marker key; any 12 characters in a row of its random part count as a leak. */
const KEY = `sk-MARKER${randomBytes(16).toString('hex')}`;
const RANDOM = KEY.slice(9);

/** `text` holds a piece of the key long enough to matter (12+ characters of its random part). */
function leaked(text: string): string | undefined {
  for (let i = 0; i + 12 <= RANDOM.length; i++) {
    const at = text.indexOf(RANDOM.slice(i, i + 12));
    if (at !== -1) return text.slice(Math.max(0, at - 40), at + 40);
  }
  return undefined;
}

function assertNoKey(text: string, where: string): void {
  const hit = leaked(text);
  assert.equal(hit, undefined, `the key leaked into ${where}: …${hit}…`);
}

/**
 * Everything a user can reach from a value: String, stack, inspect, JSON, and every string and
 * byte buffer along its own properties (enumerable or not) and its cause chain.
 */
function surfaced(value: unknown): string {
  const out: string[] = [String(value), inspect(value, { depth: 10, showHidden: true })];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // not serialisable: inspect covers it
  }
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || v === undefined || seen.has(v)) return;
    if (typeof v === 'string') return void out.push(v);
    if (v instanceof Uint8Array) return void out.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1'));
    if (typeof v !== 'object') return;
    seen.add(v);
    for (const key of Reflect.ownKeys(v)) {
      try {
        walk((v as Record<PropertyKey, unknown>)[key], depth + 1);
      } catch {
        // a throwing getter shows nothing
      }
    }
    if (v instanceof Error) walk(v.cause, depth + 1);
  };
  walk(value, 0);
  return out.join('\n');
}

/** `json` with the first character of every copy of the key written as a JSON `\u` escape. */
function escapeKey(json: string): string {
  return json.split(KEY).join(`\\u${KEY.charCodeAt(0).toString(16).padStart(4, '0')}${KEY.slice(1)}`);
}

const quiet = { warn: () => {} };

describe('the key never leaks (issue 16, items 1–4)', () => {
  test('item 1: an error body is redacted before it is cut (a key across the 4 KiB cut and across the 64 KiB read limit)', async () => {
    const bodies = [`${'x'.repeat(4096 - 26)}${KEY} and more`, `${'y'.repeat(64 * 1024 - 20)}${KEY}${'z'.repeat(1000)}`];
    const server = await hostile((up) => up.refuse(401, bodies[up.index % 2]!, { 'content-type': 'text/plain' }));
    for (let i = 0; i < 2; i++) {
      const c = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet });
      const error = await rejectsWithin<AuthenticationError>(c.connect(), 3000, `connect ${i}`, (e) => e instanceof AuthenticationError);
      assert.ok(error.response.body.length <= 4097, 'the body is still cut to 4 KiB');
      assertNoKey(surfaced(error), `the AuthenticationError of body ${i}`);
    }
  });

  test('item 2: a JSON-escaped key (\\u0073k-…) is recognised in a refusal, in a ServerError of updateSession and in delivered events', async () => {
    const server = await hostile(
      (up) => {
        if (up.index === 0) up.refuse(401, escapeKey(JSON.stringify({ code: 'InvalidApiKey', message: `Invalid API-key provided: ${KEY}` })), { 'content-type': 'application/json' });
        else void up.accept();
      },
      (frame, ws) => {
        if (frame.type === 'session.update') {
          ws.send(escapeKey(JSON.stringify({ event_id: 'e_err', type: 'error', error: { type: 'invalid_request_error', code: 'InvalidParameter', message: `bad session for ${KEY}`, param: 'session.voice', event_id: frame.event_id } })));
          ws.send(escapeKey(JSON.stringify({ event_id: 'e_txt', type: 'response.text.delta', response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0, delta: `echo ${KEY}` })));
          ws.send(escapeKey(JSON.stringify({ event_id: 'e_unk', type: 'x.echo', [KEY]: KEY })));
        }
      },
    );
    const seen: string[] = [];
    const refused = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet });
    const auth = await rejectsWithin<AuthenticationError>(refused.connect(), 3000, 'connect', (e) => e instanceof AuthenticationError);
    assert.match(auth.message, /InvalidApiKey: Invalid API-key provided: \*\*\*/);
    seen.push(surfaced(auth));

    const c = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: { warn: (m) => seen.push(m), debug: (m) => seen.push(m) }, debug: true });
    c.on('*', (e) => seen.push(JSON.stringify(e)));
    await c.connect();
    const delivered = new Promise<void>((resolve) => c.on('unknown', () => resolve()));
    const error = await rejectsWithin<ServerError>(c.updateSession({ voice: 'Tina' }), 3000, 'updateSession', (e) => e instanceof ServerError);
    await settles(delivered, 3000, 'the unknown event');
    seen.push(surfaced(error));
    assert.ok(seen.join('\n').includes('echo ***'), 'the text delta arrived, redacted');
    await c.close();
    assertNoKey(seen.join('\n'), 'the client’s output');
  });

  test('item 2, CLI: chat --json against a server that echoes the key JSON-escaped prints *** and never the key', async () => {
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type === 'session.update') ws.send(JSON.stringify(sessionUpdated()));
      if (frame.type !== 'conversation.item.create') return;
      ws.send(escapeKey(JSON.stringify({ event_id: 'e_err', type: 'error', error: { type: 'invalid_request_error', code: 'x', message: `echo ${KEY}` } })));
      ws.close(4100, 'bye');
    });
    const run = await runCli(['chat', '--text', 'hi', '--json', '--url', server.url, '--timeout', '3'], { DASHSCOPE_API_KEY: KEY }, { timeoutMs: 30_000 });
    assert.ok(run.stdout.includes('echo ***'), `the error event was printed, redacted: ${run.stdout.slice(0, 300)}`);
    assertNoKey(`${run.stdout}\n${run.stderr}`, 'the CLI output');
  });

  test('item 3: a key split over two transcript deltas does not come out whole in turn.result.transcript or the history', async () => {
    const cut = 20;
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type !== 'response.create') return;
      const content = { response_id: 'resp_1', item_id: 'item_a', output_index: 0, content_index: 0 };
      const send = (event: Record<string, unknown>) => ws.send(JSON.stringify({ event_id: `e_${Math.random()}`, ...event }));
      send({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
      send({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_a', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      send({ type: 'response.audio_transcript.delta', ...content, delta: `Your key is ${KEY.slice(0, cut)}` });
      send({ type: 'response.audio_transcript.delta', ...content, delta: `${KEY.slice(cut)}, right?` });
      send({ type: 'response.text.delta', ...content, delta: KEY.slice(0, 7) });
      send({ type: 'response.text.delta', ...content, delta: KEY.slice(7) });
      send({ type: 'response.done', response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [] } });
    });
    const s = new RealtimeSession({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet, keepaliveMs: false, reconnect: false, session: {} });
    closeAfterAll(() => s.close());
    await s.connect();
    const turn = await s.ask('What is my key?').done;
    assert.match(turn.transcript, /^Your key is .*\*\*\*/);
    assert.ok(!turn.transcript.includes(KEY) && !turn.text.includes(KEY), 'not whole in the result');
    assertNoKey(`${turn.transcript}\n${turn.text}`, 'turn.result');
    assert.ok(!JSON.stringify(s.history.items).includes(KEY), 'not whole in the history');
    assertNoKey(JSON.stringify(s.history.items), 'the history');
  });

  test('item 4: no raw response bytes are kept after a malformed handshake answer (ConnectionError.cause.rawPacket)', async () => {
    const raw: Server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end(`HTTP/1.1 401 Unauthorized\r\nX-Echo: ${KEY}\r\nBad Header\u0001: ${KEY}\r\n\r\n`));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    closeAfterAll(() => new Promise<void>((r) => raw.close(() => r())));
    const url = `ws://127.0.0.1:${(raw.address() as AddressInfo).port}/api-ws/v1/realtime`;
    const c = new RealtimeClient({ url, apiKey: KEY, model: MODEL, logger: quiet, timeouts: { connectMs: 3000 } });
    const error = await rejectsWithin<ConnectionError>(c.connect(), 4000, 'connect', (e) => e instanceof ConnectionError);
    assert.equal((error.cause as { rawPacket?: unknown } | undefined)?.rawPacket, undefined, 'no rawPacket');
    assertNoKey(surfaced(error), 'the ConnectionError and its cause');
  });

  test('receive path: audio deltas crafted against the sliced-out audio string arrive as JSON.parse reads them, and a key inside one is redacted', async () => {
    const audio = Buffer.alloc(4800, 7).toString('base64');
    const head = `"event_id":"e_a","type":"response.audio.delta","response_id":"r1","item_id":"i1","output_index":0,"content_index":0`;
    const frames = [
      `{${head},"delta":"${audio}"}`, // the shortcut
      `{${head},"delta":"${audio}","delta":"QUJD"}`, // two keys: the last wins
      `{${head},"x":{"delta":"${audio}"},"delta":"QUJD"}`, // a nested one first
      `{${head},"delta":"${audio.replaceAll('/', '\\/')}"}`, // escaped slashes
      `{${head},"delta":"${audio.slice(0, 3000)}${KEY}${audio.slice(3000)}"}`, // the key inside the audio
      escapeKey(`{${head},"delta":"${audio.slice(0, 3000)}${KEY}${audio.slice(3000)}"}`), // …JSON-escaped
    ];
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type === 'session.update') for (const text of frames) ws.send(text);
    });
    const c = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet });
    const deltas: string[] = [];
    const all = new Promise<void>((resolve) =>
      c.on('response.audio.delta', (e) => {
        if (deltas.push(JSON.stringify(e)) === frames.length) resolve();
      }),
    );
    await c.connect();
    c.send({ type: 'session.update', session: {} });
    await settles(all, 3000, 'the six audio deltas');
    await c.close();
    const redacted = (text: string) => text.split(KEY).join('***');
    for (let i = 0; i < 4; i++) assert.equal(deltas[i], JSON.stringify(JSON.parse(frames[i]!)), `frame ${i}`);
    const withKey = JSON.stringify(JSON.parse(redacted(frames[4]!)));
    assert.equal(deltas[4], withKey, 'the key inside the audio became ***');
    assert.equal(deltas[5], withKey, 'and so did its JSON-escaped form');
    assertNoKey(deltas.join('\n'), 'the delivered audio deltas');
  });
});

describe('numbers a server sends are bounded before use (issue 16, items 5, 6, 8, 9)', () => {
  test('item 5: announced sample rates of 7 and 3 Hz are not used: appendAudio converts to the catalog rate at once', async () => {
    const server = await hostile(
      (up) =>
        void up.accept({ sessionCreated: false }).then((ws) => {
          const created = sessionCreated() as { session: Record<string, unknown> };
          created.session.audio = { input: { format: { type: 'pcm', sample_rate: 7 } }, output: { format: { type: 'pcm', sample_rate: 3 } } };
          ws.send(JSON.stringify(created));
        }),
    );
    const c = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet });
    await c.connect();
    assert.equal(c.inputSampleRate, 16_000, 'the input rate is the catalog default, not 7 Hz');
    assert.equal(c.outputSampleRate, 24_000, 'the output rate is the catalog default, not 3 Hz');
    const samples = new Float32Array(4800).map((_, i) => Math.sin(i / 10) / 2); // 100 ms at 48 kHz
    await c.appendAudio(samples, { sampleRate: 48_000 });
    c.commitAudio();
    await settles(new Promise<void>((r) => setTimeout(r, 50)), 1000, 'frames');
    const appended = server.frames.filter((f) => f.type === 'input_audio_buffer.append').reduce((n, f) => n + Buffer.from(String(f.audio), 'base64').length / 2, 0);
    assert.equal(appended, 1600, '100 ms at 16 kHz reached the server');
    await c.close();
  });

  test('item 6: a slow iterator keeps holding the socket paused while finish() waits: memory stays bounded', async (t) => {
    const delta = JSON.stringify({ event_id: 'e', type: 'response.audio.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: Buffer.alloc(48_000).toString('base64') });
    let flooding = false;
    const flood = (ws: WebSocket) => {
      if (!flooding || ws.readyState !== ws.OPEN) return;
      while (ws.bufferedAmount < 1024 * 1024) ws.send(delta);
      setImmediate(() => flood(ws));
    };
    // The server floods audio and never answers session.finish (finish() ends by its timeout).
    const server = await hostile(
      undefined,
      (frame, ws) => {
        if (frame.type === 'response.create') {
          flooding = true;
          flood(ws);
        }
      },
      { answerFinish: false },
    );
    const c = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet, maxQueuedEvents: 64, timeouts: { closeMs: 300 } });
    await c.connect();
    let received = 0;
    c.on('response.audio.delta', () => received++);
    const iterator = c.events();
    let read = 0;
    let slow = true;
    const reader = (async () => {
      for await (const _event of iterator) {
        read++;
        if (slow) await sleep(20); // a slow reader: 50 events a second
      }
    })().catch(() => {});
    c.createResponse();
    await sleep(300);
    // What the iterator holds is what was received and not yet read (each event ~64 KB here).
    let held = received - read;
    const sampler = setInterval(() => (held = Math.max(held, received - read)), 10);
    const outcome = await c.finish({ timeoutMs: 1500 });
    clearInterval(sampler);
    held = Math.max(held, received - read);
    flooding = false;
    slow = false;
    t.diagnostic(`at most ${held} events waited while finish() waited; ${read} read`);
    // The queue (64), the room finish() gives it once (64 more), and what the socket had already read: bounded (before: ~4,000).
    assert.ok(held <= 4 * 64, `${held} events (~${Math.round((held * 64) / 1024)} MB) waited in a 64-event queue while finish() waited`);
    assert.equal(outcome.reason, 'timeout', 'the server never answered session.finish');
    await settles(reader, 3000, 'the reader ends with the close');
    assert.ok(read > 0);
  });

  test('item 6: finish() called inside a for-await loop whose queue is full still gets session.finished (room for one more queue)', async () => {
    const delta = JSON.stringify({ event_id: 'e', type: 'response.audio.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: Buffer.alloc(9_600).toString('base64') });
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type === 'response.create') for (let i = 0; i < 120; i++) ws.send(delta);
    });
    const c = new RealtimeClient({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet, maxQueuedEvents: 64 });
    await c.connect();
    let outcome: Awaited<ReturnType<RealtimeClient['finish']>> | undefined;
    const loop = (async () => {
      let seen = 0;
      for await (const _event of c) {
        // Wait until the queue is full and reading paused, then finish from inside the loop.
        if (++seen === 1) {
          await sleep(300);
          outcome = await c.finish({ timeoutMs: 3000 });
        }
      }
    })();
    c.createResponse();
    await settles(loop, 6000, 'the loop');
    assert.deepEqual(outcome, { finished: true, reason: 'session.finished' });
  });

  test('item 8: maxHistoryItems holds even when the oldest item stays in_progress forever', async () => {
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type !== 'response.create') return;
      ws.send(JSON.stringify({ event_id: 'e0', type: 'response.output_item.added', response_id: 'r_stuck', output_index: 0, item: { id: 'item_stuck', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] } }));
      for (let i = 0; i < 3000; i++) {
        ws.send(JSON.stringify({ event_id: `e${i + 1}`, type: 'conversation.item.created', item: { id: `item_${i}`, object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] } }));
      }
      ws.send(JSON.stringify({ event_id: 'e_last', type: 'x.last' }));
    });
    const s = new RealtimeSession({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet, keepaliveMs: false, reconnect: false, maxHistoryItems: 50, session: {} });
    closeAfterAll(() => s.close());
    await s.connect();
    const last = (s.client as RealtimeClient).waitFor('unknown', { timeoutMs: 5000 });
    s.client.createResponse();
    await last;
    assert.ok(s.history.items.length <= 50, `${s.history.items.length} items kept with a limit of 50`);
    assert.equal(s.history.items.at(-1)?.id, 'item_2999', 'the newest are kept');
  });

  test('item 9: a 300,000-item argument array that breaks the schema ends as a tool error output, and the turn ends', async () => {
    const huge = JSON.stringify({ values: new Array(300_000).fill(1) });
    let responses = 0;
    const server = await hostile(undefined, (frame, ws) => {
      if (frame.type === 'session.update') ws.send(JSON.stringify(sessionUpdated()));
      if (frame.type !== 'response.create') return;
      const id = `resp_${++responses}`;
      const send = (event: Record<string, unknown>) => ws.send(JSON.stringify({ event_id: `e_${Math.random()}`, ...event }));
      send({ type: 'response.created', response: { id, object: 'realtime.response', status: 'in_progress', output: [] } });
      if (responses === 1) {
        send({ type: 'response.output_item.added', response_id: id, output_index: 0, item: { id: 'fc_1', object: 'realtime.item', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'sum', arguments: '' } });
        send({ type: 'response.function_call_arguments.done', response_id: id, item_id: 'fc_1', output_index: 0, call_id: 'call_1', name: 'sum', arguments: huge });
      }
      send({ type: 'response.done', response: { id, object: 'realtime.response', status: 'completed', output: [] } });
    });
    const sum = tool({ name: 'sum', parameters: { type: 'object', properties: { values: { type: 'array', items: { type: 'string' } } }, required: ['values'] }, execute: () => 'never' });
    const s = new RealtimeSession({ url: server.url, apiKey: KEY, model: MODEL, logger: quiet, keepaliveMs: false, reconnect: false, tools: [sum], session: {} });
    closeAfterAll(() => s.close());
    await s.connect();
    const turn = await settles(s.ask('Add these up').done, 10_000, 'the turn');
    assert.equal(turn.status, 'fulfilled');
    const output = server.frames.find((f) => f.type === 'conversation.item.create' && (f.item as { type?: string }).type === 'function_call_output') as { item: { output: string } } | undefined;
    assert.ok(output, 'a function_call_output was sent');
    const parsed = JSON.parse(output.item.output) as { error: string; details: string[] };
    assert.equal(parsed.error, 'invalid arguments');
    assert.ok(parsed.details.length <= 21, `${parsed.details.length} problems reported`);
    assert.match(parsed.details.at(-1)!, /more problems/);
  });
});

describe('typed errors for every bad argument (issue 16, item 15)', () => {
  test('item 15: a BigInt in updateSession and a detached buffer in appendAudio/appendImage are ValidationErrors', async () => {
    const server = await sim();
    const c = new RealtimeClient({ url: server.url, apiKey: 'sk-simulator-key', model: MODEL, logger: quiet });
    await c.connect();
    /** A view (or the buffer itself) whose buffer was then transferred away. */
    const detached = <T = ArrayBuffer>(view: (buffer: ArrayBuffer) => T = (b) => b as T): T => {
      const buffer = new ArrayBuffer(3200);
      const made = view(buffer);
      structuredClone(buffer, { transfer: [buffer] });
      return made;
    };
    await assert.rejects(c.updateSession({ temperature: 1n as never }), (e: unknown) => e instanceof ValidationError && e.param === 'session.temperature');
    await assert.rejects(c.updateSession({ turn_detection: { type: 'server_vad', silence_duration_ms: 800n } } as never), (e: unknown) => e instanceof ValidationError && e.param === 'session.turn_detection.silence_duration_ms');
    assert.throws(() => c.appendAudio(detached()), (e: unknown) => e instanceof ValidationError && /detached/.test(e.message));
    assert.throws(() => c.appendAudio(detached((b) => new Int16Array(b))), (e: unknown) => e instanceof ValidationError && /detached/.test(e.message));
    assert.throws(() => c.appendAudio(detached((b) => new Float32Array(b)), { sampleRate: 48_000 }), (e: unknown) => e instanceof ValidationError && /detached/.test(e.message));
    assert.throws(() => c.appendImage(detached()), (e: unknown) => e instanceof ValidationError && /detached/.test(e.message));
    assert.equal(c.state, 'open', 'nothing was sent, the session goes on');
    await c.close();
  });
});
