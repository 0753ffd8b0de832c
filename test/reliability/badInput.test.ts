/**
 * Bad input (issue 7): random, truncated and mistyped frames in both directions, by property
 * (fast-check), and the public API called with wrong types and values. Nothing crashes; every
 * bad frame is answered with a typed error (client: `client_error`; simulator: an `error`
 * event); the session is usable afterwards; wrong API input is a ValidationError that names
 * what to fix, and nothing is sent.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { parseServerEvent } from '../../src/client/parseServerEvent.js';
import {
  ProtocolError,
  RealtimeClient,
  RealtimeError,
  RealtimeSession,
  ValidationError,
  type RealtimeClientOptions,
} from '../../src/index.js';
import { CLIENT_EVENT_TYPES, isServerEventType } from '../../src/protocol/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import {
  checkEachTest,
  closeAfterAll,
  eventually,
  noLeakSince,
  rejectsWithin,
  resources,
  sessionUpdated,
  settles,
  startHostileServer,
  type HostileServer,
} from './harness.js';

checkEachTest();
const MODEL = 'qwen3.5-omni-plus-realtime';
const SECRET = 'sk-fuzz-SECRET-0123456789abcdef0123456789';
const SERVER_EVENTS = (JSON.parse(readFileSync(new URL('../fixtures/protocol/server-events.json', import.meta.url), 'utf8')) as { events: Array<Record<string, unknown>> }).events;

// ---- arbitraries -----------------------------------------------------------------------------

/** A value of a JSON type other than `kind` (for mistyped fields). */
const wrongValue = (kind: string): fc.Arbitrary<unknown> => {
  const options: Array<fc.Arbitrary<unknown>> = [fc.constant(null)];
  if (kind !== 'string') options.push(fc.string({ maxLength: 8 }));
  if (kind !== 'number') options.push(fc.double({ noNaN: true }));
  if (kind !== 'object') options.push(fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));
  if (kind !== 'array') options.push(fc.array(fc.integer(), { maxLength: 2 }));
  if (kind !== 'boolean') options.push(fc.boolean());
  return fc.oneof(...options);
};

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** A documented server event with one field (top level or nested one deep) given a wrong type. */
const mistypedServerEvent = fc
  .constantFrom(...SERVER_EVENTS.filter((e) => Object.keys(e).length > 2))
  .chain((event) => {
    const paths: string[][] = [];
    for (const [k, v] of Object.entries(event)) {
      if (k === 'type' || k === 'event_id') continue;
      paths.push([k]);
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const inner of Object.keys(v)) paths.push([k, inner]);
    }
    return fc.constantFrom(...paths).chain((path) => {
      let current: unknown = event;
      for (const p of path) current = (current as Record<string, unknown>)[p];
      return wrongValue(kindOf(current)).map((value) => {
        const copy = structuredClone(event);
        let target = copy as Record<string, unknown>;
        for (const p of path.slice(0, -1)) target = target[p] as Record<string, unknown>;
        target[path.at(-1)!] = value;
        return JSON.stringify(copy);
      });
    });
  });

/** A documented server event cut short. */
const truncatedServerEvent = fc.constantFrom(...SERVER_EVENTS.map((e) => JSON.stringify(e))).chain((text) => fc.integer({ min: 0, max: text.length - 1 }).map((n) => text.slice(0, n)));

/** Every kind of bad (or odd) server frame; the secret is mixed into some. */
const serverFrame: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 60 }).map((s) => `${s}${SECRET}${s}`),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.record({ type: wrongValue('string'), event_id: fc.string() }).map((o) => JSON.stringify(o)),
  fc.string({ minLength: 1, maxLength: 40 }).filter((t) => !isServerEventType(t)).map((type) => JSON.stringify({ event_id: 'e', type, secret: SECRET })),
  mistypedServerEvent,
  truncatedServerEvent,
  fc.constantFrom(...SERVER_EVENTS.map((e) => JSON.stringify(e))),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
);

// ---- the client's parser ---------------------------------------------------------------------

describe('server frames → the client', () => {
  test('parseServerEvent: 5000 random, truncated and mistyped frames never throw; errors are typed, short and keyless', () => {
    let errors = 0;
    fc.assert(
      fc.property(serverFrame, (frame) => {
        const text = typeof frame === 'string' ? frame : frame.toString('latin1');
        const out = parseServerEvent(text, [SECRET]);
        if (out instanceof ProtocolError) {
          errors++;
          assert.ok(['invalid_json', 'invalid_event'].includes(out.code));
          assert.ok(out.preview.length <= 201, 'the preview is short');
          assert.ok(!out.preview.includes(SECRET) && !out.message.includes(SECRET), 'no key in the error');
        } else {
          assert.equal(typeof out.type, 'string');
          assert.ok(out.type === 'unknown' || isServerEventType(out.type));
        }
      }),
      { numRuns: 5000 },
    );
    assert.ok(errors > 1000, `most frames were refused (${errors})`);
  });

  test('the whole client over a socket: 400 bad frames, each answered once (event or client_error), then a normal request succeeds', async () => {
    const before = resources();
    const server = await startHostileServer(undefined, (frame, ws) => {
      if (frame.type === 'session.update') ws.send(JSON.stringify(sessionUpdated()));
    });
    closeAfterAll(() => server.close());
    const c = new RealtimeClient({ url: server.url, apiKey: SECRET, model: MODEL, logger: { warn: () => {} } });
    await c.connect();
    const ws = server.sockets[0]!;
    let outcomes = 0;
    const texts: string[] = [];
    c.on('*', (e) => {
      if ((e as { event_id?: string }).event_id?.startsWith('probe_')) return;
      outcomes++;
      texts.push(JSON.stringify(e));
    });
    c.on('client_error', (e) => {
      outcomes++;
      assert.ok(e instanceof RealtimeError);
      texts.push(e.message, (e as ProtocolError).preview ?? '');
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(serverFrame, async (frame) => {
        const before = outcomes;
        const probe = `probe_${n++}`;
        const seen = c.waitFor('input_audio_buffer.cleared', { timeoutMs: 2000, filter: (e) => (e as { event_id?: string }).event_id === probe });
        ws.send(frame, { binary: Buffer.isBuffer(frame) });
        ws.send(JSON.stringify({ event_id: probe, type: 'input_audio_buffer.cleared' }));
        await seen;
        assert.equal(outcomes - before, 1, `one outcome for ${String(frame).slice(0, 80)}`);
      }),
      { numRuns: 400 },
    );
    assert.ok(!texts.some((t) => t.includes(SECRET)), 'the key reached no event and no error');
    assert.equal(c.state, 'open');
    const updated = await settles(c.updateSession({ instructions: 'still fine' }), 2000, 'a normal request after the fuzz');
    assert.equal(updated.status, 'fulfilled');
    await c.close();
    await server.close();
    await noLeakSince(before, 'client fuzz');
  });

  test('a session fed bad frames reports them as errors and still answers a turn', async () => {
    let reply = false;
    const server = await startHostileServer(undefined, (frame, ws) => {
      if (frame.type === 'session.update') ws.send(JSON.stringify(sessionUpdated()));
      if (frame.type === 'response.create' && reply) {
        const r = { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] };
        const base = { response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0 };
        for (const e of [
          { type: 'response.created', response: r },
          { type: 'response.audio_transcript.delta', ...base, delta: 'Fine, ' },
          { type: 'response.audio_transcript.delta', ...base, delta: 'thanks.' },
          { type: 'response.done', response: { ...r, status: 'completed', usage: { total_tokens: 3, input_tokens: 1, output_tokens: 2 } } },
        ]) ws.send(JSON.stringify({ event_id: `event_${Math.random()}`, ...e }));
      }
    });
    closeAfterAll(() => server.close());
    const s = new RealtimeSession({ url: server.url, apiKey: SECRET, model: MODEL, logger: { warn: () => {} }, keepaliveMs: false, reconnect: false, session: { turn_detection: null } });
    closeAfterAll(() => s.close());
    await s.connect();
    const errors: RealtimeError[] = [];
    s.on('error', (e) => errors.push(e));
    const ws = server.sockets[0]!;
    // Frames the client refuses only: a well-formed event out of sequence (a stray
    // response.created, say) is protocol state, not bad input.
    const bad = fc
      .sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), mistypedServerEvent, truncatedServerEvent), { numRuns: 600, seed: 7 })
      .filter((frame) => parseServerEvent(frame, []) instanceof ProtocolError)
      .slice(0, 300);
    assert.equal(bad.length, 300);
    for (const frame of bad) ws.send(frame);
    await eventually(() => errors.length === 300, 3000, 'every bad frame reported');
    assert.ok(errors.every((e) => e instanceof ProtocolError));
    reply = true;
    const turn = await settles(s.ask('How are you?').done, 3000, 'a turn after the bad frames');
    assert.equal(turn.status === 'fulfilled' && turn.value.status, 'completed');
    assert.equal(turn.status === 'fulfilled' && turn.value.transcript, 'Fine, thanks.');
  });
});

// ---- the simulator ---------------------------------------------------------------------------

/** A raw client of the simulator: every event it received, and a bounded wait. */
class Raw {
  readonly events: Array<Record<string, any>> = [];
  #wake: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      try {
        this.events.push(JSON.parse(data.toString()) as Record<string, any>);
      } catch {
        this.events.push({ type: '<not json>' });
      }
      for (const w of this.#wake.splice(0)) w();
    });
    ws.on('error', () => {});
  }
  static async open(url: string): Promise<Raw> {
    const ws = new WebSocket(`${url}?model=${MODEL}`, { headers: { Authorization: `Bearer ${SECRET}` } });
    const raw = new Raw(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await raw.until((e) => e.type === 'session.created');
    return raw;
  }
  /** The first event from index `from` on that passes `match` (2 s at most). */
  async until(match: (e: Record<string, any>) => boolean, from = 0): Promise<Record<string, any>> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline || this.ws.readyState !== WebSocket.OPEN) assert.fail(`no matching event (state ${this.ws.readyState}); last: ${JSON.stringify(this.events.slice(-3))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.#wake.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

/** Valid client events, to truncate and to mistype. */
const CLIENT_EVENTS: Array<Record<string, unknown>> = [
  { event_id: 'event_a', type: 'session.update', session: { instructions: 'x', turn_detection: null } },
  { event_id: 'event_b', type: 'input_audio_buffer.append', audio: Buffer.alloc(320).toString('base64') },
  { event_id: 'event_c', type: 'input_image_buffer.append', image: Buffer.alloc(16).toString('base64') },
  { event_id: 'event_d', type: 'response.create', response: { instructions: 'x', modalities: ['text'] } },
  { event_id: 'event_e', type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } },
];
/** The field each client event needs, and its JSON type (the simulator's parser checks these). */
const REQUIRED: Record<string, [string, string]> = {
  'session.update': ['session', 'object'],
  'input_audio_buffer.append': ['audio', 'string'],
  'input_image_buffer.append': ['image', 'string'],
  'response.create': ['response', 'object'],
  'conversation.item.create': ['item', 'object'],
};

/** Client frames that are always invalid: not JSON, not objects, no or unknown type, truncated, mistyped. */
const badClientFrame: fc.Arbitrary<{ frame: string | Buffer; eventId: string }> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { type?: unknown }).type !== 'string';
    } catch {
      return true;
    }
  }).map((frame) => ({ frame, eventId: '' })),
  fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => ({ frame: JSON.stringify(v), eventId: '' })),
  fc.record({ event_id: fc.string({ minLength: 1, maxLength: 20 }), type: fc.string({ maxLength: 80 }).filter((t) => !(CLIENT_EVENT_TYPES as readonly string[]).includes(t)) }).map((o) => ({ frame: JSON.stringify(o), eventId: o.event_id })),
  fc.constantFrom(...CLIENT_EVENTS.map((e) => JSON.stringify(e))).chain((t) => fc.integer({ min: 0, max: t.length - 1 }).map((n) => ({ frame: t.slice(0, n), eventId: '' }))),
  fc.constantFrom(...CLIENT_EVENTS).chain((e) => {
    const [field, kind] = REQUIRED[e.type as string]!;
    // response: null is allowed (no per-response options), so it is not a wrong value there.
    return wrongValue(kind).filter((v) => !(e.type === 'response.create' && v === null)).map((v) => ({ frame: JSON.stringify({ ...e, [field]: v }), eventId: e.event_id as string }));
  }),
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => ({ frame: Buffer.from(b), eventId: '' })),
);

describe('client frames → the simulator', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await startSimulator({ speed: 0, unknownVoice: 'error' });
  });
  after(() => simulator.close());

  test('400 always-invalid frames: each answered by exactly one invalid_request_error (with its event_id), the connection stays open', async () => {
    const raw = await Raw.open(simulator.url);
    await fc.assert(
      fc.asyncProperty(badClientFrame, async ({ frame, eventId }) => {
        const from = raw.events.length;
        raw.ws.send(frame, { binary: Buffer.isBuffer(frame) });
        const probe = `probe_${from}`;
        raw.ws.send(JSON.stringify({ event_id: probe, type: 'no.such.event' }));
        await raw.until((e) => e.type === 'error' && e.error.event_id === probe, from);
        const answers = raw.events.slice(from).filter((e) => e.error?.event_id !== probe);
        assert.equal(answers.length, 1, `one answer to ${String(frame).slice(0, 80)}: ${JSON.stringify(answers)}`);
        assert.equal(answers[0]!.type, 'error');
        assert.equal(answers[0]!.error.type, 'invalid_request_error');
        assert.equal(answers[0]!.error.event_id, eventId);
      }),
      { numRuns: 400 },
    );
    raw.ws.close();
  });

  test('300 random events of every client type: no crash, no server_error; then a normal turn completes', async () => {
    const raw = await Raw.open(simulator.url);
    const anyEvent = fc.record({
      event_id: fc.string({ maxLength: 12 }),
      type: fc.constantFrom(...CLIENT_EVENT_TYPES.filter((t) => t !== 'session.finish')),
      session: fc.option(fc.oneof(fc.object({ maxDepth: 2 }), fc.record({ voice: fc.string(), turn_detection: fc.oneof(fc.constant(null), fc.object({ maxDepth: 1 })), modalities: fc.array(fc.constantFrom('text', 'audio', 'video')) }, { requiredKeys: [] })), { nil: undefined }),
      audio: fc.option(fc.oneof(fc.base64String({ maxLength: 400 }), fc.string()), { nil: undefined }),
      image: fc.option(fc.oneof(fc.base64String({ maxLength: 100 }), fc.anything()), { nil: undefined }),
      response: fc.option(fc.anything({ maxDepth: 2 }), { nil: undefined }),
      item: fc.option(fc.oneof(fc.object({ maxDepth: 2 }), fc.record({ type: fc.constantFrom('message', 'function_call_output', 'function_call', 'x'), role: fc.constantFrom('user', 'assistant', 'system', 'x'), content: fc.anything({ maxDepth: 2 }), call_id: fc.string(), output: fc.anything({ maxDepth: 1 }) }, { requiredKeys: [] })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        const from = raw.events.length;
        raw.ws.send(JSON.stringify(event));
        const probe = `probe_${from}`;
        raw.ws.send(JSON.stringify({ event_id: probe, type: 'no.such.event' }));
        await raw.until((e) => e.type === 'error' && e.error.event_id === probe, from);
        assert.ok(!raw.events.slice(from).some((e) => e.error?.type === 'server_error'), `no server_error for ${JSON.stringify(event).slice(0, 200)}`);
      }),
      { numRuns: 300 },
    );
    // The session is usable afterwards: a clean configuration and a manual turn.
    raw.ws.send(JSON.stringify({ event_id: 'ok_1', type: 'input_audio_buffer.clear' }));
    raw.ws.send(JSON.stringify({ event_id: 'ok_cancel', type: 'response.cancel' }));
    const from = raw.events.length;
    raw.ws.send(JSON.stringify({ event_id: 'ok_2', type: 'session.update', session: { modalities: ['text', 'audio'], voice: 'Tina', turn_detection: null, instructions: 'Be brief.' } }));
    await raw.until((e) => e.type === 'session.updated', from);
    await eventually(() => !raw.events.slice(-1).some((e) => e.type === 'response.audio.delta'), 2000, 'any earlier response finished');
    await new Promise((r) => setTimeout(r, 100));
    const start = raw.events.length;
    raw.ws.send(JSON.stringify({ event_id: 'ok_3', type: 'input_audio_buffer.append', audio: Buffer.alloc(32_000).toString('base64') }));
    raw.ws.send(JSON.stringify({ event_id: 'ok_4', type: 'input_audio_buffer.commit' }));
    raw.ws.send(JSON.stringify({ event_id: 'ok_5', type: 'response.create' }));
    const done = await raw.until((e) => e.type === 'response.done', start);
    assert.equal(done.response.status, 'completed');
    raw.ws.close();
  });
});

// ---- the public API --------------------------------------------------------------------------

const JPEG = readFileSync(new URL('../../samples/frame.jpg', import.meta.url));

/** A real JPEG (readable header) padded to 100 MB. */
function hundredMegabyteJpeg(): Uint8Array {
  const out = new Uint8Array(100 * 1024 * 1024);
  out.set(JPEG);
  return out;
}

describe('the public API called wrongly', () => {
  let server: HostileServer;
  let client: RealtimeClient;
  before(async () => {
    server = await startHostileServer(undefined, (frame, ws) => {
      if (frame.type === 'session.update') ws.send(JSON.stringify(sessionUpdated()));
    });
    client = new RealtimeClient({ url: server.url, apiKey: SECRET, model: MODEL, logger: { warn: () => {} } });
    await client.connect();
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  /** Asserts `act` throws (or rejects with) a ValidationError naming `param` whose message matches `says`, and sends nothing. */
  async function refused(name: string, act: () => unknown, param: RegExp, says: RegExp): Promise<void> {
    const sent = server.frames.length;
    let error: unknown;
    try {
      await act();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ValidationError, `${name}: a ValidationError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    assert.match(error.param, param, `${name}: names ${param}`);
    assert.match(error.message, says, `${name}: says what to fix`);
    assert.ok(!error.message.includes(SECRET));
    await new Promise((r) => setImmediate(r));
    assert.equal(server.frames.length, sent, `${name}: nothing sent`);
  }

  test('senders: empty or odd audio, NaN and odd rates, 0-byte and 100 MB images, unknown voices, wrong option types', async () => {
    const c = client;
    const cases: Array<[string, () => unknown, RegExp, RegExp]> = [
      ['empty Int16Array', () => c.appendAudio(new Int16Array(0)), /appendAudio/, /empty/],
      ['empty bytes', () => c.appendAudio(new Uint8Array(0)), /appendAudio/, /empty/],
      ['empty base64', () => c.appendAudio(''), /appendAudio/, /empty/],
      ['odd byte count', () => c.appendAudio(new Uint8Array(3)), /appendAudio/, /odd.*2 bytes per sample/],
      ['odd bytes in base64', () => c.appendAudio('QUJD'), /appendAudio/, /odd number of bytes/],
      ['not base64', () => c.appendAudio('not base64!'), /appendAudio/, /base64/],
      ['null audio', () => c.appendAudio(null as never), /appendAudio/, /Int16Array/],
      ['a number as audio', () => c.appendAudio(42 as never), /appendAudio/, /Int16Array/],
      ['Float32 without a format', () => c.appendAudio(new Float32Array(10)), /appendAudio/, /sampleRate/],
      ['NaN sample rate', () => c.appendAudio(new Float32Array(10), { sampleRate: NaN }), /sampleRate/, /between 1000 and 384000, got NaN/],
      ['0 Hz', () => c.appendAudio(new Int16Array(10), { sampleRate: 0 }), /sampleRate/, /got 0/],
      ['fractional rate', () => c.appendAudio(new Int16Array(10), { sampleRate: 44100.5 }), /sampleRate/, /whole number/],
      ['a string rate', () => c.appendAudio(new Int16Array(10), { sampleRate: '48000' as never }), /sampleRate/, /whole number/],
      ['0 channels', () => c.appendAudio(new Int16Array(10), { sampleRate: 48000, channels: 0 }), /channels/, /1 to 32/],
      ['samples not dividing into channels', () => c.appendAudio(new Int16Array(11), { sampleRate: 48000, channels: 2 }), /appendAudio/, /interleaved/],
      ['NaN samples', () => c.appendAudio(new Float32Array([0, NaN]), { sampleRate: 48000 }), /appendAudio/, /NaN/],
      ['a null format', () => c.appendAudio(new Int16Array(10), null as never), /format/, /sampleRate/],
      ['image of 0 bytes', () => c.appendImage(new Uint8Array(0)), /image|appendImage/, /empty|JPEG/i],
      ['image of 100 MB', () => c.appendImage(hundredMegabyteJpeg()), /image|appendImage/, /the limit is 256(\.0)? KB/],
      ['a 100 MB base64 image', () => c.appendImage('/9j/'.repeat(25 * 1024 * 1024)), /image/, /the limit is 256(\.0)? KB/],
      ['a PNG', () => c.appendImage(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')), /image|appendImage/, /JPEG/],
      ['a data: URI', () => c.appendImage(`data:image/jpeg;base64,${JPEG.toString('base64')}`), /appendImage/, /data: URI/],
      ['a png mimeType', () => c.appendImage(JPEG, { mimeType: 'image/png' }), /mimeType/, /JPEG/],
      ['null image options', () => c.appendImage(JPEG, null as never), /options/, /object/],
      ['an image before audio', () => c.appendImage(JPEG), /appendImage/, /append audio before/],
      ['unknown voice', () => c.updateSession({ voice: 'NoSuchVoice' }), /voice/, /NoSuchVoice|voice/],
      ['audio-only modalities', () => c.updateSession({ modalities: ['audio'] as never }), /modalities/, /text/],
      ['a null session', () => c.updateSession(null as never), /session/, /object/],
      ['a string session', () => c.updateSession('x' as never), /session/, /object/],
      ['instructions as a number', () => c.updateSession({ instructions: 5 as never }), /instructions/, /string/],
      ['createResponse with a string', () => c.createResponse('x' as never), /createResponse/, /object/],
      ['createResponse instructions as a number', () => c.createResponse({ instructions: 5 as never }), /instructions/, /string/],
      ['createResponse modalities as a string', () => c.createResponse({ modalities: 'audio' as never }), /modalities/, /./],
      ['empty text', () => c.sendText('  '), /text/, /non-empty/],
      ['text as a number', () => c.sendText(5 as never), /text/, /non-empty string/],
      ['no call id', () => c.sendFunctionCallOutput('', 'x'), /call_id/, /call_id/],
      ['undefined output', () => c.sendFunctionCallOutput('call_1', undefined as never), /output/, /string or a JSON/],
      ['a circular output', () => c.sendFunctionCallOutput('call_1', (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })()), /output/, /JSON/],
      ['send(null)', () => c.send(null as never), /send/, /type/],
      ['send without type', () => c.send({} as never), /send/, /type/],
      ['send with a BigInt', () => c.send({ type: 'x', n: 1n } as never), /send/, /JSON/],
      ['waitFor with NaN', () => c.waitFor('response.done', { timeoutMs: NaN }), /timeoutMs/, /got NaN/],
      ['waitFor with -1', () => c.waitFor('response.done', { timeoutMs: -1 }), /timeoutMs/, /got -1/],
      ['waitFor beyond a timer', () => c.waitFor('response.done', { timeoutMs: 1e12 }), /timeoutMs/, /2147483647/],
      ['waitFor with a string filter', () => c.waitFor('response.done', { filter: 'x' as never }), /filter/, /function/],
      ['waitFor with a fake signal', () => c.waitFor('response.done', { signal: {} as never }), /signal/, /AbortSignal/],
      ['on with a string listener', () => c.on('response.done', 'x' as never), /listener/, /must be a function/],
      ['ping with NaN', () => c.ping(NaN), /ping/, /got NaN/],
      ['events with 0', () => c.events({ maxQueued: 0 }), /maxQueued/, /≥ 1/],
      ['finish with NaN', () => c.finish({ timeoutMs: NaN }), /finish/, /got NaN/],
    ];
    for (const [name, act, param, says] of cases) await refused(name, act, param, says);
    assert.equal(client.state, 'open', 'the client is still usable');
    await settles(client.updateSession({ instructions: 'fine' }), 2000, 'a good request after the bad ones');
  });

  test('constructor options: every wrong type or value is a ValidationError naming the option', async () => {
    const base: RealtimeClientOptions = { url: server.url, apiKey: SECRET, model: MODEL };
    const cases: Array<[string, Partial<RealtimeClientOptions> | null, RegExp, RegExp]> = [
      ['options null', null, /options/, /object/],
      ['empty model', { model: '' }, /model/, /non-empty/],
      ['model as a number', { model: 5 as never }, /model/, /non-empty/],
      ['unknown model', { model: 'qwen-nope' }, /model/, /Known models/],
      ['unknown region', { region: 'mars' as never, url: undefined }, /region/, /beijing, singapore/],
      ['region as a number', { region: 5 as never, url: undefined }, /region/, /beijing/],
      ['http url', { url: 'http://127.0.0.1/x' }, /url/, /wss:\/\//],
      ['not a url', { url: 'not a url' }, /url/, /wss:\/\//],
      ['empty key', { apiKey: '' }, /apiKey/, /non-empty/],
      ['key as a number', { apiKey: 5 as never }, /apiKey/, /string or a function/],
      ['headers as a string', { headers: 'x' as never }, /headers/, /object/],
      ['a header name with a space', { headers: { 'bad name': 'v' } }, /headers/, /header name/],
      ['a header value with CRLF', { headers: { 'X-Test': 'a\r\nInjected: 1' } }, /headers/, /line breaks/],
      ['a header value as a number', { headers: { 'X-Test': 5 as never } }, /headers/, /string/],
      ['timeouts as a number', { timeouts: 5 as never }, /timeouts/, /object/],
      ['connectMs NaN', { timeouts: { connectMs: NaN } }, /connectMs/, /number of ms/],
      ['connectMs negative', { timeouts: { connectMs: -1 } }, /connectMs/, /number of ms/],
      ['connectMs as a string', { timeouts: { connectMs: '5' as never } }, /connectMs/, /number of ms/],
      ['connectMs past the longest timer', { timeouts: { connectMs: 2 ** 31 } }, /connectMs/, /2147483647/],
      ['maxQueuedEvents 0', { maxQueuedEvents: 0 }, /maxQueuedEvents/, /positive/],
      ['maxQueuedEvents fractional', { maxQueuedEvents: 1.5 }, /maxQueuedEvents/, /whole number/],
      ['maxPayloadBytes NaN', { maxPayloadBytes: NaN }, /maxPayloadBytes/, /positive/],
      ['logger as a number', { logger: 5 as never }, /logger/, /warn/],
      ['logger without warn', { logger: {} as never }, /logger/, /warn/],
      ['debug as a string', { debug: 'yes' as never }, /debug/, /true or false/],
      ['validate as a string', { validate: 'no' as never }, /validate/, /true or false/],
      ['socketFactory as a number', { socketFactory: 5 as never }, /socketFactory/, /function/],
      ['env as a number', { env: 5 as never }, /env/, /object/],
    ];
    for (const [name, options, param, says] of cases) {
      const tcp = server.tcpConnections;
      assert.throws(
        () => new RealtimeClient(options === null ? (null as never) : { ...base, ...options }),
        (e: unknown) => e instanceof ValidationError && param.test(e.param) && says.test(e.message) && !e.message.includes(SECRET),
        name,
      );
      assert.equal(server.tcpConnections, tcp, `${name}: no connection attempted`);
    }
  });

  test('callbacks that throw or misbehave: typed errors, delivery goes on, nothing unhandled', async () => {
    const tcp = server.tcpConnections;
    const failing = new RealtimeClient({ url: server.url, model: MODEL, apiKey: () => { throw new Error('vault down'); } });
    await rejectsWithin(failing.connect(), 1000, 'apiKey that throws', (e: RealtimeError) => e.code === 'api_key_unavailable' && /vault down/.test(e.message));
    const empty = new RealtimeClient({ url: server.url, model: MODEL, apiKey: () => '' });
    await rejectsWithin(empty.connect(), 1000, 'apiKey that returns nothing', (e) => e instanceof ValidationError);
    const never = new RealtimeClient({ url: server.url, model: MODEL, apiKey: () => new Promise<string>(() => {}), timeouts: { connectMs: 300 } });
    await rejectsWithin(never.connect(), 1500, 'apiKey that never answers', (e: RealtimeError) => e.code === 'timeout');
    assert.equal(server.tcpConnections, tcp, 'no connection without a key');

    // Listeners, the logger and a waitFor filter that throw.
    const warnings: string[] = [];
    const c = new RealtimeClient({ url: server.url, apiKey: SECRET, model: MODEL, logger: { warn: (m) => { warnings.push(m); throw new Error('logger down'); } } });
    await c.connect();
    const seen: string[] = [];
    c.on('input_audio_buffer.cleared', () => { throw new Error('listener bug'); });
    c.on('input_audio_buffer.cleared', (e) => seen.push(String((e as { event_id?: string }).event_id)));
    const filtered = c.waitFor('input_audio_buffer.cleared', { filter: () => { throw new Error('filter bug'); } });
    server.sockets.at(-1)!.send(JSON.stringify({ event_id: 'c1', type: 'input_audio_buffer.cleared' }));
    await rejectsWithin(filtered, 1000, 'waitFor with a throwing filter', (e: RealtimeError) => e.code === 'listener_error' && /filter bug/.test(e.message));
    await eventually(() => seen.length === 1, 1000, 'the second listener still ran');
    assert.ok(warnings.some((w) => /listener bug/.test(w)), 'the throw was reported');
    // The socket still reads and closes normally (a throw inside ws' reader would have stalled it).
    await settles(c.updateSession({ instructions: 'x' }), 2000, 'a request after the throws');
    await settles(c.close(), 2000, 'close after the throws');
  });

  test('session API: wrong inputs are ValidationErrors before anything is sent; a throwing playback cannot break a close', async () => {
    const s = new RealtimeSession({ url: server.url, apiKey: SECRET, model: MODEL, logger: { warn: () => {} }, keepaliveMs: false, reconnect: false, session: { turn_detection: null }, playback: { write: () => { throw new Error('no device'); }, stop: () => { throw new Error('no device'); } } });
    closeAfterAll(() => s.close());
    await s.connect();
    const sent = server.frames.length;
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['ask(5)', () => s.ask(5 as never), /ask/],
      ['ask({})', () => s.ask({}), /ask/],
      ['ask empty text', () => s.ask({ text: ' ' }), /ask\(input\.text\)/],
      ['ask audio as a string', () => s.ask({ audio: 'x' as never }), /ask\(input\.audio\)/],
      ['ask empty audio', () => s.ask({ audio: new Int16Array(0) }), /ask\(input\.audio\)/],
      ['ask NaN rate', () => s.ask({ audio: { data: new Float32Array(10), format: { sampleRate: NaN } } }), /sampleRate/],
      ['ask stereo samples that do not divide into 2 channels', () => s.ask({ audio: { data: new Int16Array(16001), format: { sampleRate: 16000, channels: 2 } } }), /ask\(input\.audio\)\(data\)/],
      ['ask NaN samples', () => s.ask({ audio: { data: new Float32Array([0, NaN]), format: { sampleRate: 16000 } } }), /ask\(input\.audio\)\(data\)/],
      ['ask images without audio', () => s.ask({ text: 'hi', images: [JPEG] }), /images/],
      ['appendAudio a string', () => s.appendAudio('x' as never), /appendAudio/],
      ['appendAudio empty', () => s.appendAudio(new Int16Array(0)), /appendAudio/],
      ['submitToolOutput unknown call', () => s.submitToolOutput('nope', 'x'), /callId/],
    ];
    for (const [name, act, param] of cases) {
      let error: unknown;
      try {
        await act();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof ValidationError && param.test(error.param), `${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    assert.equal(server.frames.length, sent, 'nothing sent');
    // Reply audio to a playback whose write throws: reported as an error, the session goes on.
    const errors: RealtimeError[] = [];
    s.on('error', (e) => errors.push(e));
    // (Only audio of the turn's open response is played: the response starts first.)
    server.sockets.at(-1)!.send(JSON.stringify({ event_id: 'a0', type: 'response.created', response: { id: 'r', object: 'realtime.response', status: 'in_progress', output: [] } }));
    server.sockets.at(-1)!.send(JSON.stringify({ event_id: 'a1', type: 'response.audio.delta', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: Buffer.alloc(480).toString('base64') }));
    await eventually(() => errors.some((e) => /no device/.test(e.message)), 1000, 'the playback error reported');
    // The close stops the playback (which throws): the close still completes and emits close.
    const closed = new Promise((r) => s.on('close', r));
    await settles(s.close(), 3000, 'session close with a throwing playback');
    await settles(closed, 100, 'close event');
  });
});
