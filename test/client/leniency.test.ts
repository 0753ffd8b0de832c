/**
 * The client against a peer looser than the service (issue 19), over a real socket on 127.0.0.1:
 * it requires only the fields it reads, keeps the rest of what the peer sends, runs a function
 * call seen only as output items exactly once, reports each looseness once per connection
 * through `client_error`, and a session's `close()` does not wait out a `session.finish` that no
 * one answers. The peer re-creates the shapes of the Qwen team's own test server
 * (`loosePeer.ts`); the DashScope shapes come from the simulator.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ProtocolError, RealtimeClient, RealtimeError, RealtimeSession, tool, type RealtimeSessionOptions } from '../../src/index.js';
import { FINISH_QUIET_MS } from '../../src/session/finishConnection.js';
import { MAX_OUTPUT_CALLS } from '../../src/session/outputCalls.js';
import { startSimulator } from '../../src/simulator/index.js';
import { startLoosePeer, type LoosePeer } from './loosePeer.js';

const MODEL = 'qwen3.5-omni-plus-realtime';
const KEY = 'sk-leniency-test-key';
const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

/** Real timers, taken before any test mocks `setTimeout`. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
/** `promise`, or a rejection naming `what` after `ms` of real time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => realClearTimeout(timer));
}

async function peer(): Promise<LoosePeer> {
  const p = await startLoosePeer();
  closers.push(() => p.close());
  return p;
}

/** A client of `p` whose client_errors are collected; connect fails fast if session.created is not accepted. */
function client(p: LoosePeer): { c: RealtimeClient; errors: RealtimeError[] } {
  const c = new RealtimeClient({ url: p.url, apiKey: KEY, model: MODEL, timeouts: { connectMs: 3000, requestMs: 3000 } });
  const errors: RealtimeError[] = [];
  c.on('client_error', (e) => errors.push(e));
  closers.push(() => c.close());
  return { c, errors };
}

function session(url: string, options: RealtimeSessionOptions = {}): { s: RealtimeSession; errors: RealtimeError[] } {
  const s = new RealtimeSession({ url, apiKey: KEY, model: MODEL, keepaliveMs: false, reconnect: false, timeouts: { connectMs: 3000, requestMs: 3000 }, session: { turn_detection: null }, ...options });
  const errors: RealtimeError[] = [];
  s.on('error', (e) => errors.push(e));
  closers.push(() => s.close());
  return { s, errors };
}

const looseReports = (errors: RealtimeError[]) => errors.filter((e) => e instanceof ProtocolError && e.code === 'loose_event').map((e) => e.message);

describe('a peer looser than the service', () => {
  test('session.created without a session object connects; session.updated with only an id answers the update', async () => {
    const p = await peer();
    const { c, errors } = client(p);
    const created = await c.connect();
    assert.deepEqual(created, { id: '', object: 'realtime.session', model: MODEL }, 'the session the client knows');
    assert.equal(c.session, created);
    const updated = await c.updateSession({ instructions: 'Be brief.' });
    assert.equal(updated.id, 'sess-loose');
    const reports = looseReports(errors);
    assert.equal(reports.length, 1, reports.join('\n'));
    assert.match(reports[0]!, /^The server sent session\.created without session, /);
    assert.deepEqual(errors.filter((e) => e.code !== 'loose_event'), [], 'nothing else went wrong');
  });

  test('deltas without output_index/content_index are kept; each kind is reported once per connection', async () => {
    const p = await peer();
    const { c, errors } = client(p);
    await c.connect();
    const seen: Record<string, number> = {};
    c.on('*', (e) => (seen[e.type] = (seen[e.type] ?? 0) + 1));
    for (let round = 0; round < 2; round++) {
      c.createResponse();
      await within(c.waitFor('response.done'), 3000, 'response.done');
    }
    assert.equal(seen['response.audio.delta'], 6, 'every audio delta reached the application');
    assert.equal(seen['response.audio_transcript.delta'], 4);
    assert.equal(seen['response.audio.done'], 2, 'audio.done without item_id too');
    const kinds = looseReports(errors).map((m) => /sent (\S+) without/.exec(m)?.[1]);
    assert.deepEqual(kinds.sort(), ['response.audio.delta', 'response.audio.done', 'response.audio_transcript.delta', 'response.audio_transcript.done', 'response.output_item.added', 'session.created'].sort(), 'one report per kind over two responses');
    // A new connection reports again: the user may have switched servers.
    await c.close();
    await c.connect();
    c.createResponse();
    await within(c.waitFor('response.done'), 3000, 'response.done after reconnecting');
    assert.equal(looseReports(errors).length, kinds.length * 2);
  });

  test('a field of the wrong type still makes the event malformed (skipped, reported each time)', async () => {
    const p = await peer();
    const { c, errors } = client(p);
    await c.connect();
    const deltas: unknown[] = [];
    c.on('response.audio.delta', (e) => deltas.push(e));
    for (let i = 0; i < 2; i++) p.send({ type: 'response.audio.delta', response_id: 'r', item_id: 'i', output_index: '0', delta: 'AAAA' });
    p.send({ type: 'input_audio_buffer.cleared' });
    await within(c.waitFor('input_audio_buffer.cleared'), 3000, 'the marker event');
    assert.equal(deltas.length, 0);
    assert.deepEqual(errors.filter((e) => e.code === 'invalid_event').map((e) => /output_index should be a number, got string/.test(e.message)), [true, true]);
  });

  test('a session turn against the loose peer gets its audio and transcript', async () => {
    const p = await peer();
    const { s } = session(p.url);
    await s.connect();
    const result = await within(s.ask('Hello?').done, 3000, 'the turn');
    assert.equal(result.status, 'completed');
    assert.equal(result.audio.length, 3 * 480, 'three 20 ms deltas of 24 kHz audio');
    assert.equal(result.transcript, 'Hello there.');
  });
});

describe('function calls seen only as output items', () => {
  const weather = (runs: string[]) =>
    tool({
      name: 'get_current_weather',
      description: 'Current weather of a city.',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      execute: ({ location }: { location: string }) => {
        runs.push(location);
        return { location, weather: 'sunny' };
      },
    });

  test('run exactly once, answered once, then the reply is asked for; reported once', async () => {
    const p = await peer();
    p.replies.push({ kind: 'call', name: 'get_current_weather', callId: 'call-1', arguments: '{"location":"Hangzhou"}' });
    const runs: string[] = [];
    const { s, errors } = session(p.url, { tools: [weather(runs)] });
    await s.connect();
    const result = await within(s.ask('What is the weather in Hangzhou?').done, 3000, 'the turn with a tool call');
    assert.deepEqual(runs, ['Hangzhou']);
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.toolCalls.map((c) => [c.callId, c.name, c.status]), [['call-1', 'get_current_weather', 'ok']]);
    assert.equal(result.transcript, 'Hello there.', 'the reply after the tool result');
    const label = (f: Record<string, unknown>) => {
      const item = f.item as { type: string; call_id?: string } | undefined;
      return f.type === 'response.create' ? 'response.create' : item?.call_id ? `${item.type} ${item.call_id}` : String(item?.type);
    };
    const sent = p.frames[0]!.filter((f) => f.type === 'conversation.item.create' || f.type === 'response.create').map(label);
    assert.deepEqual(sent, ['message', 'response.create', 'function_call_output call-1', 'response.create'], 'one output for the one call, then one request for the reply');
    assert.equal(looseReports(errors).filter((m) => m.includes('only as an output item')).length, 1);
  });

  test('a response.done listing thousands of calls runs at most MAX_OUTPUT_CALLS of them', async () => {
    const p = await peer();
    p.replies.push({ kind: 'call', name: 'get_current_weather', callId: 'flood', arguments: '{"location":"Hangzhou"}', copies: 5000 });
    const runs: string[] = [];
    const { s } = session(p.url, { tools: [weather(runs)] });
    await s.connect();
    const result = await within(s.ask('Weather?').done, 5000, 'the turn with a flood of calls');
    assert.equal(result.status, 'completed');
    assert.equal(runs.length, MAX_OUTPUT_CALLS);
    assert.equal(p.frames[0]!.filter((f) => (f.item as { type?: string } | undefined)?.type === 'function_call_output').length, MAX_OUTPUT_CALLS);
  });

  test('the DashScope shape (arguments.done, output_item.done and response.done.output) still runs once', async () => {
    const sim = await startSimulator({ speed: 0 });
    closers.push(() => sim.close());
    const runs: string[] = [];
    const { s, errors } = session(sim.url, { tools: [weather(runs)] });
    await s.connect();
    const result = await within(s.ask('Use get_current_weather for Hangzhou.').done, 5000, 'the turn with a tool call');
    assert.deepEqual(runs, ['Hangzhou']);
    assert.equal(result.toolCalls.length, 1);
    assert.deepEqual(looseReports(errors), [], 'the simulator is as strict as the service');
  });
});

describe("a session's close() and session.finish", () => {
  test('a server that ignores session.finish: the socket closes after the quiet bound, not the 5 s cap', async (t) => {
    const p = await peer();
    const { s } = session(p.url);
    await s.connect();
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const closing = s.close();
    await within(p.frame('session.finish'), 3000, 'session.finish');
    t.mock.timers.tick(FINISH_QUIET_MS);
    await within(closing, 3000, 'close() after the quiet bound of mocked time');
    assert.deepEqual(p.closes, [1000]);
  });

  test('a server still sending while it finishes is given the time: each event restarts the quiet bound', async (t) => {
    const p = await peer();
    const { s } = session(p.url);
    await s.connect();
    const client = s.client;
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const closing = s.close();
    await within(p.frame('session.finish'), 3000, 'session.finish');
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(FINISH_QUIET_MS - 100);
      const arrived = new Promise<void>((resolve) => {
        const off = client.on('response.audio_transcript.delta', () => {
          off();
          resolve();
        });
      });
      p.send({ type: 'response.audio_transcript.delta', response_id: 'r', item_id: 'i', delta: 'still ' });
      await within(arrived, 3000, 'an event while finishing');
    }
    assert.deepEqual(p.closes, [], 'not closed while the server kept sending');
    p.send({ type: 'session.finished' });
    await within(closing, 3000, 'close() after session.finished');
    assert.deepEqual(p.closes, [1000]);
  });

  test('a model whose catalog says session.finish is answered by an error: no session.finish, no error event', async () => {
    const sim = await startSimulator({ speed: 0 });
    closers.push(() => sim.close());
    const types: string[] = [];
    const off = sim.onFrame((r) => {
      const rec = r as unknown as { direction: string; event?: { type?: string } };
      if (/^(in|client)/.test(rec.direction) && rec.event?.type) types.push(rec.event.type);
    });
    closers.push(async () => off());
    const { s, errors } = session(sim.url, { model: 'qwen3.5-omni-flash-realtime' });
    await s.connect();
    await within(s.close(), 3000, 'close()');
    assert.ok(types.includes('session.update'), 'the frames were seen');
    assert.ok(!types.includes('session.finish'), 'session.finish was not sent');
    assert.deepEqual(errors, []);
  });
});
