/**
 * Forwarding: a whole spoken conversation through the relay with the SDK and no key in the page;
 * frames passed both ways byte for byte; upstream failures turned into closes a browser can read
 * (refused key, unknown model, unreachable, silent, dropped, closed with a code); and the key
 * never in anything the browser receives, nor in the relay's logs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { wavToPcm16Mono } from '../../src/audio/convert.js';
import { ConnectionError, RealtimeClient } from '../../src/index.js';
import { RELAY_CLOSE_CODES, startRelay, type RelayOptions, type RunningRelay } from '../../src/relay/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { assertNoKey, BrowserSocket, KEY, startStandInUpstream, until, within, type StandInUpstream } from './helpers.js';

const MODEL = 'qwen3.5-omni-plus-realtime';
const Q = `?model=${MODEL}`;
let sim: Simulator;
const logs: string[] = [];
const relays: RunningRelay[] = [];
/** Everything any browser-side socket or client received in this file. */
const received: string[] = [];

async function relayTo(url: string, options: Partial<RelayOptions> = {}): Promise<RunningRelay> {
  const relay = await startRelay({ url, apiKey: KEY, env: {}, allowedOrigins: '*', logger: (level, message) => logs.push(`${level} ${message}`), ...options });
  relays.push(relay);
  return relay;
}

async function closedSocket(relay: RunningRelay): Promise<{ code: number; reason: string }> {
  const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`, 'https://page.example');
  const closed = await within(socket.closed, 'close');
  received.push(...socket.frames, closed.reason);
  return closed;
}

before(async () => {
  sim = await startSimulator({ speed: 0 });
});
after(async () => {
  for (const relay of relays) await relay.close();
  await sim.close();
  // Over every test of this file: nothing a browser got, and no log line, has the key.
  for (const text of received) assertNoKey(text, 'what a browser received');
  for (const line of logs) {
    assertNoKey(line, 'the relay log');
    assert.ok(!/[A-Za-z0-9+/]{64,}/.test(line), `a log line carries a payload: ${line.slice(0, 120)}`);
  }
});

describe('a conversation through the relay', () => {
  test('the SDK talks to the simulator with no key in the page: audio in, transcript and audio out', async () => {
    const relay = await relayTo(sim.url);
    const client = new RealtimeClient({ url: relay.wsUrl, model: MODEL, env: {}, logger: { warn: () => {} } });
    client.on('*', (e) => received.push(JSON.stringify(e)));
    client.on('close', (info) => received.push(info.reason));
    await client.connect();
    await client.updateSession({ turn_detection: null, modalities: ['text', 'audio'] });
    const { pcm } = wavToPcm16Mono(new Uint8Array(readFileSync(new URL('../../samples/question.wav', import.meta.url))), 16000);
    for (let i = 0; i < pcm.length; i += 1600) await client.appendAudio(pcm.subarray(i, i + 1600));
    client.commitAudio();
    client.createResponse();
    let transcript = '';
    let audioBytes = 0;
    client.on('response.audio_transcript.delta', (e) => (transcript += e.delta));
    client.on('response.audio.delta', (e) => (audioBytes += Buffer.from(e.delta, 'base64').length));
    const done = await client.waitFor('response.done', { timeoutMs: 10_000 });
    assert.equal(done.response.status, 'completed');
    assert.match(transcript, /I heard [\d.]+ seconds of audio/);
    assert.ok(audioBytes > 24_000, 'reply audio arrived');
    const finished = await client.finish({ timeoutMs: 3000 });
    assert.ok(finished.finished);
    await until(() => relay.connectionCount === 0, 'connection released');
  });
});

describe('frames pass untouched', () => {
  let upstream: StandInUpstream;
  before(async () => {
    upstream = await startStandInUpstream((ws) => {
      ws.send('{"type":"session.created",  "event_id":"event_x" ,"session":{"id":"sess_1"}}');
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'echo please') {
          ws.send('{ "type" : "custom.event", "odd": [1,2 ,3] }');
          ws.send(Buffer.from([0, 255, 7]), { binary: true });
        }
      });
    });
  });
  after(() => upstream.close());

  test('text and binary frames arrive byte for byte in both directions', async () => {
    const relay = await relayTo(upstream.url);
    const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`, 'https://page.example');
    await socket.waitFor((e) => e.type === 'session.created', 'session.created');
    assert.equal(socket.frames[0], '{"type":"session.created",  "event_id":"event_x" ,"session":{"id":"sess_1"}}');
    const odd = '{ "type":"input_audio_buffer.append" ,"audio":"AAAA", "extra": {"ü": "✓"} }';
    socket.send(odd);
    socket.ws.send(Buffer.from([9, 8, 7]));
    socket.send('echo please');
    await until(() => upstream.received.length >= 3 && socket.frames.length >= 3, 'frames both ways');
    assert.deepEqual(upstream.received.slice(0, 2), [{ data: odd, binary: false }, { data: '090807', binary: true }]);
    assert.equal(socket.frames[1], '{ "type" : "custom.event", "odd": [1,2 ,3] }');
    assert.equal(socket.frames[2], '<binary 3>');
    received.push(...socket.frames);
    await socket.close();
  });

  test('closing the browser closes the upstream with 1000', async () => {
    const relay = await relayTo(upstream.url);
    const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`, 'https://page.example');
    await socket.waitFor((e) => e.type === 'session.created', 'session.created');
    const up = upstream.sockets.at(-1)!;
    const code = new Promise<number>((resolve) => up.once('close', (c) => resolve(c)));
    await socket.close();
    assert.equal(await within(code, 'upstream close'), 1000);
    await until(() => relay.connectionCount === 0, 'connection released');
  });
});

describe('upstream failures become closes a browser can show, without the key', () => {
  test('the service refuses the key: 4001 with the HTTP status and DashScope code', async () => {
    const strict = await startSimulator({ speed: 0, apiKeys: ['a-different-key'] });
    try {
      const relay = await relayTo(strict.url);
      const closed = await closedSocket(relay);
      assert.equal(closed.code, RELAY_CLOSE_CODES.upstreamAuth);
      assert.match(closed.reason, /^upstream refused the relay's credentials \(HTTP 401 InvalidApiKey/);
      // The SDK in a page reports it as a closed connection with that code and reason.
      const client = new RealtimeClient({ url: relay.wsUrl, model: MODEL, env: {}, logger: { warn: () => {} } });
      await assert.rejects(client.connect(), (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.equal(error.closeCode, 4001);
        assert.match(error.closeReason ?? '', /HTTP 401/);
        received.push(error.message, error.closeReason ?? '');
        return true;
      });
    } finally {
      await strict.close();
    }
  });

  test('an unknown model: 4000 with the service’s message', async () => {
    const relay = await relayTo(sim.url);
    const socket = await BrowserSocket.open(`${relay.wsUrl}?model=qwen-no-such-model`, 'https://page.example');
    const closed = await within(socket.closed, 'close');
    assert.equal(closed.code, RELAY_CLOSE_CODES.upstreamRefused);
    assert.match(closed.reason, /HTTP 400 InvalidParameter/);
    received.push(closed.reason);
  });

  test('unreachable: 1014', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const relay = await relayTo(`ws://127.0.0.1:${port}/api-ws/v1/realtime`);
    const closed = await closedSocket(relay);
    assert.equal(closed.code, 1014);
    assert.match(closed.reason, /upstream unreachable \(ECONNREFUSED\)/);
  });

  test('an upstream that never answers the upgrade: 1014 after the connect timeout', async () => {
    const silent: Server = createServer();
    const held: Duplex[] = [];
    silent.on('upgrade', (_req, socket: Duplex) => held.push(socket)); // holds the socket, answers nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const relay = await relayTo(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}/api-ws/v1/realtime`, { timeouts: { upstreamConnectMs: 300 } });
      const closed = await closedSocket(relay);
      assert.equal(closed.code, 1014);
      assert.match(closed.reason, /did not answer/);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('an upstream close code and reason are passed on, with the key scrubbed; a drop becomes 1014', async () => {
    const upstream = await startStandInUpstream((ws) => {
      ws.send(JSON.stringify({ type: 'session.created', event_id: 'e', session: { id: 's' }, leaked: `key ${KEY}` }));
      ws.on('message', (data) => {
        if (data.toString() === 'close') ws.close(4321, `bad key ${KEY}`);
        if (data.toString() === 'drop') ws.terminate();
      });
    });
    try {
      const relay = await relayTo(upstream.url);
      const a = await BrowserSocket.open(`${relay.wsUrl}${Q}`, 'https://page.example');
      const created = await a.waitFor((e) => e.type === 'session.created', 'session.created');
      assert.equal(created.leaked, 'key ***', 'a frame with the key is redacted');
      a.send('close');
      const closedA = await within(a.closed, 'close A');
      assert.deepEqual(closedA, { code: 4321, reason: 'bad key ***' });
      const b = await BrowserSocket.open(`${relay.wsUrl}${Q}`, 'https://page.example');
      await b.waitFor((e) => e.type === 'session.created', 'session.created');
      b.send('drop');
      const closedB = await within(b.closed, 'close B');
      assert.equal(closedB.code, 1014);
      received.push(...a.frames, ...b.frames, closedA.reason, closedB.reason);
    } finally {
      await upstream.close();
    }
  });

  test('shutting the relay down closes browsers with 1001', async () => {
    const relay = await relayTo(sim.url);
    const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`, 'https://page.example');
    await socket.waitFor((e) => e.type === 'session.created', 'session.created');
    await relay.close();
    const closed = await within(socket.closed, 'close');
    assert.deepEqual(closed, { code: 1001, reason: 'relay shutting down' });
  });
});

describe('several instances', () => {
  test('share nothing: two relays serve two browsers each on their own', async () => {
    const [r1, r2] = [await relayTo(sim.url), await relayTo(sim.url)];
    const sockets = await Promise.all([r1, r2, r1, r2].map((r) => BrowserSocket.open(`${r.wsUrl}${Q}`, 'https://page.example')));
    const ids = await Promise.all(sockets.map(async (s) => (await s.waitFor((e) => e.type === 'session.created', 'created')).session.id as string));
    assert.equal(new Set(ids).size, 4, 'four separate sessions');
    assert.equal(r1.connectionCount + r2.connectionCount, 4);
    await Promise.all(sockets.map((s) => s.close()));
  });
});
