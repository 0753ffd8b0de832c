/**
 * Per-connection limits: an oversized message (an `error` event, not forwarded, the session goes
 * on; far beyond the limit the socket itself closes with 1009), the message rate (close 1008),
 * the session duration (close 4100, upstream closed too), connections at once (HTTP 503), and the queue of frames sent before the
 * upstream is open (kept in order; overflow closes with 1013).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { RELAY_CLOSE_CODES, startRelay, type RelayLimits, type RunningRelay } from '../../src/relay/index.js';
import { assertNoKey, BrowserSocket, KEY, startStandInUpstream, until, within, type StandInUpstream } from './helpers.js';

const Q = '?model=qwen3.5-omni-plus-realtime';
let upstream: StandInUpstream;
const relays: RunningRelay[] = [];

async function relayWith(limits: RelayLimits, url = upstream.url): Promise<RunningRelay> {
  const relay = await startRelay({ url, apiKey: KEY, env: {}, limits, allowedOrigins: ['http://localhost'] });
  relays.push(relay);
  return relay;
}

async function connected(relay: RunningRelay): Promise<BrowserSocket> {
  const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`);
  await socket.waitFor((e) => e.type === 'session.created', 'session.created');
  return socket;
}

before(async () => {
  upstream = await startStandInUpstream();
});
after(async () => {
  for (const relay of relays) await relay.close();
  await upstream.close();
});

describe('relay limits', () => {
  test('an oversized message gets an error event naming it, is not forwarded, and the session goes on', async () => {
    const relay = await relayWith({ maxMessageBytes: 1000 });
    const socket = await connected(relay);
    const big = JSON.stringify({ event_id: 'event_big1', type: 'input_audio_buffer.append', audio: 'A'.repeat(2000) });
    socket.send(big);
    const error = await socket.waitFor((e) => e.type === 'error', 'error event');
    assert.equal(error.error.type, 'invalid_request_error');
    assert.equal(error.error.code, 'message_too_large');
    assert.equal(error.error.event_id, 'event_big1');
    assert.match(error.error.message, /at most 1000 bytes/);
    assert.equal(typeof error.event_id, 'string');
    assert.equal(error.error.param, '');
    socket.send({ type: 'input_audio_buffer.commit', event_id: 'event_small' });
    await until(() => upstream.received.some((r) => r.data.includes('event_small')), 'the next frame forwarded');
    assert.ok(!upstream.received.some((r) => r.data.includes('event_big1')), 'the oversized frame never went upstream');
    assert.equal(socket.ws.readyState, socket.ws.OPEN);
    await socket.close();
  });

  test('a frame far above the limit is cut by the socket with 1009', async () => {
    const relay = await relayWith({ maxMessageBytes: 1000 });
    const socket = await connected(relay);
    socket.send('x'.repeat(70 * 1024)); // above max(4 × 1000, 1000 + 64 KiB)
    const closed = await within(socket.closed, 'close 1009');
    assert.equal(closed.code, 1009);
  });

  test('more messages per second than allowed closes with 1008 and a reason', async () => {
    const relay = await relayWith({ maxMessagesPerSecond: 10 });
    const socket = await connected(relay);
    const before = upstream.received.length;
    for (let i = 0; i < 40; i++) socket.send({ type: 'input_audio_buffer.clear', event_id: `event_rate${i}` });
    const closed = await within(socket.closed, 'close 1008');
    assert.equal(closed.code, RELAY_CLOSE_CODES.rateLimit);
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /message rate limit exceeded \(10 per second\)/);
    await until(() => upstream.sockets.every((s) => s.readyState !== s.OPEN), 'upstream closed');
    assert.ok(upstream.received.length - before <= 20, 'a burst of at most two seconds’ worth was forwarded');
  });

  test('the session duration limit closes the browser with 4100 and the upstream with 1000', async () => {
    const relay = await relayWith({ maxSessionMs: 300 });
    const started = Date.now();
    const socket = await connected(relay);
    const upstreamSide = upstream.sockets.at(-1)!;
    const upstreamClosed = new Promise<number>((resolve) => upstreamSide.once('close', (code) => resolve(code)));
    const closed = await within(socket.closed, 'duration close', 3000);
    assert.equal(closed.code, RELAY_CLOSE_CODES.sessionDuration);
    assert.equal(closed.code, 4100);
    assert.match(closed.reason, /session duration limit of 300 ms reached/);
    assert.ok(Date.now() - started >= 280, 'not before the limit');
    assert.equal(await within(upstreamClosed, 'upstream close'), 1000);
    assertNoKey(closed.reason, 'a close reason');
  });

  test('past maxConnections an upgrade is refused with 503; a place freed is taken again', async () => {
    const relay = await relayWith({ maxConnections: 2 });
    const first = await connected(relay);
    const second = await connected(relay);
    await assert.rejects(BrowserSocket.open(`${relay.wsUrl}${Q}`), /HTTP 503/);
    assert.equal(relay.connectionCount, 2);
    await first.close();
    await until(() => relay.connectionCount === 1, 'the closed connection left');
    const third = await connected(relay);
    assert.equal(relay.connectionCount, 2);
    await second.close();
    await third.close();
  });
});

describe('frames sent before the upstream is open', () => {
  let slow: { url: string; close(): Promise<void>; received: string[] };
  before(async () => {
    // An upstream that takes 300 ms to accept the upgrade.
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const received: string[] = [];
    http.on('upgrade', (req, socket, head) => {
      setTimeout(() => wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (d) => received.push(d.toString()));
        ws.send(JSON.stringify({ type: 'session.created', event_id: 'event_s', session: { id: 'sess_s' } }));
      }), 300);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    slow = {
      url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/api-ws/v1/realtime`,
      received,
      close: async () => {
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      },
    };
  });
  after(() => slow.close());

  test('are queued and sent in order once it opens', async () => {
    const relay = await relayWith({}, slow.url);
    const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`);
    for (let i = 0; i < 5; i++) socket.send({ type: 'input_audio_buffer.clear', event_id: `event_q${i}` });
    await socket.waitFor((e) => e.type === 'session.created', 'session.created');
    await until(() => slow.received.length >= 5, 'queued frames delivered');
    assert.deepEqual(slow.received.map((f) => (JSON.parse(f) as { event_id: string }).event_id), ['event_q0', 'event_q1', 'event_q2', 'event_q3', 'event_q4']);
    await socket.close();
  });

  test('beyond maxPendingBytes the browser is told to try again later (1013)', async () => {
    const relay = await relayWith({ maxPendingBytes: 200 }, slow.url);
    const socket = await BrowserSocket.open(`${relay.wsUrl}${Q}`);
    for (let i = 0; i < 5; i++) socket.send({ type: 'input_audio_buffer.append', event_id: `event_p${i}`, audio: 'AAAA'.repeat(20) });
    const closed = await within(socket.closed, 'close 1013');
    assert.equal(closed.code, RELAY_CLOSE_CODES.tryAgainLater);
    assert.match(closed.reason, /before the upstream connection opened/);
  });
});
