/**
 * Dead-peer detection lives in the client (issue 15): a bare RealtimeClient, without a session,
 * drops a peer that stops answering pings and reports the close as unexpected, with the reason.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConnectionError, RealtimeClient, ValidationError, type CloseInfo } from '../../src/index.js';
import { startMockServer } from './mockServer.js';

const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

function nextClose(client: RealtimeClient, timeoutMs: number): Promise<CloseInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
    client.once('close', (info) => {
      clearTimeout(timer);
      resolve(info);
    });
  });
}

test('a bare client drops a peer that stops answering pings; close carries a ConnectionError that says so', async () => {
  const server = await startMockServer();
  closers.push(() => server.close());
  const client = new RealtimeClient({ apiKey: 'sk-test', url: server.url, keepaliveMs: 100, logger: { warn: () => {} } });
  closers.push(() => client.close());
  await client.connect();
  const raw = server.socket() as unknown as { _socket: { pause(): void } };
  raw._socket.pause(); // the server stops reading: no pong comes back
  const info = await nextClose(client, 5000);
  assert.ok(info.error instanceof ConnectionError);
  assert.equal(info.code, 1006);
  assert.match(info.error.message, /keepalive: no pong within 100 ms/);
  assert.equal(client.state, 'closed');
});

test('a peer that answers pings stays connected across several keepalive rounds', async () => {
  const server = await startMockServer();
  closers.push(() => server.close());
  const client = new RealtimeClient({ apiKey: 'sk-test', url: server.url, keepaliveMs: 50 });
  closers.push(() => client.close());
  await client.connect();
  let pings = 0;
  server.socket().on('ping', () => pings++);
  // Bounded wait for five rounds (the server answers each ping with a pong by itself).
  for (let i = 0; i < 100 && pings < 5; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(pings >= 5, `the client pinged (${pings})`);
  assert.equal(client.state, 'open');
});

test('keepaliveMs is checked: a bad value is a ValidationError naming it', () => {
  for (const bad of [0, -1, Number.NaN, '20000', 2 ** 31]) {
    assert.throws(() => new RealtimeClient({ apiKey: 'sk-test', keepaliveMs: bad as number }), (e: unknown) => e instanceof ValidationError && e.param === 'keepaliveMs');
  }
  assert.doesNotThrow(() => new RealtimeClient({ apiKey: 'sk-test', keepaliveMs: false }));
});
