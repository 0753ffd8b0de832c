/**
 * Temporary keys (protocol.md §0.2.19) against the simulator over a real socket: issue, connect
 * with the token, refuse made-up and expired tokens, a refused permanent key with its request id,
 * bad options before anything is sent, and a broken answer bounded and typed.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AbortError, AuthenticationError, ProtocolError, RealtimeClient, ValidationError, createTemporaryKey } from '../../src/index.js';
import { httpApiUrl, realtimeBaseUrl } from '../../src/protocol/endpoints.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const KEY = 'sk-good-0123456789abcdef';
const silent = { warn: () => {} };
let sim: Simulator;
before(async () => {
  sim = await startSimulator({ speed: 0, apiKeys: [KEY] });
});
after(() => sim.close());

/** Waits (bounded) until the wall clock passes `when`. */
async function until(when: Date): Promise<void> {
  for (let i = 0; i < 40 && Date.now() <= when.getTime(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** A local HTTP server answering every request with `answer`; records the requests. */
async function mockHttp(answer: (req: IncomingMessage) => { status: number; body: string }) {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    const { status, body } = answer(req);
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/api-ws/v1/realtime`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('createTemporaryKey', () => {
  test('issues an st- token that a RealtimeClient connects with like a key', async () => {
    const before = Date.now();
    const key = await createTemporaryKey({ apiKey: KEY, url: sim.url, expiresInSeconds: 600, env: {} });
    const afterwards = Date.now();
    assert.match(key.token, /^st-[0-9a-f]{32}$/);
    assert.ok(key.expiresAt instanceof Date);
    // Issued between the two readings of the clock, 600 s long, in whole seconds rounded down.
    const at = key.expiresAt.getTime();
    assert.ok(at >= Math.floor((before + 600_000) / 1000) * 1000 && at <= afterwards + 600_000, `expiresAt ${key.expiresAt.toISOString()}`);
    const client = new RealtimeClient({ apiKey: key.token, url: sim.url, env: {}, logger: silent });
    const session = await client.connect();
    assert.match(session.id, /^sess_/);
    await client.close();
  });

  test('the simulator refuses (401) an st- token it did not issue, and one that expired', async () => {
    const madeUp = new RealtimeClient({ apiKey: 'st-0123456789abcdef0123456789abcdef', url: sim.url, env: {}, logger: silent });
    const error = await madeUp.connect().then(() => assert.fail('connected'), (e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
    assert.match(error.response.body, /InvalidApiKey/);

    const short = await createTemporaryKey({ apiKey: KEY, url: sim.url, expiresInSeconds: 1, env: {} });
    const fresh = new RealtimeClient({ apiKey: short.token, url: sim.url, env: {}, logger: silent });
    await fresh.connect();
    await fresh.close();
    await until(new Date(short.expiresAt.getTime() + 1000));
    const late = new RealtimeClient({ apiKey: short.token, url: sim.url, env: {}, logger: silent });
    const expired = await late.connect().then(() => assert.fail('connected with an expired token'), (e: unknown) => e);
    assert.ok(expired instanceof AuthenticationError);
    assert.equal(expired.status, 401);
  });

  test('a refused key is an AuthenticationError with the request id, without the key', async () => {
    const wrong = 'sk-wrong-fedcba9876543210';
    const error = await createTemporaryKey({ apiKey: wrong, url: sim.url, env: {} }).then(() => assert.fail('issued'), (e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
    assert.match(error.response.requestIds.request_id ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(error.message.includes(error.response.requestIds.request_id!), error.message);
    assert.match(error.message, /temporary key|refused/i);
    assert.doesNotMatch(error.message, /region/, 'the simulator is not a DashScope host');
    for (const text of [error.message, error.response.body, JSON.stringify(error.response)]) assert.ok(!text.includes(wrong), 'key leaked');
    // A token cannot make another token.
    const token = (await createTemporaryKey({ apiKey: KEY, url: sim.url, env: {} })).token;
    await assert.rejects(createTemporaryKey({ apiKey: token, url: sim.url, env: {} }), AuthenticationError);
  });

  test('expiresInSeconds outside 1–1800, or no key: a ValidationError and nothing sent', async () => {
    const mock = await mockHttp(() => ({ status: 200, body: '{}' }));
    try {
      for (const expiresInSeconds of [0, 1801, 1.5, Number.NaN, '60' as unknown as number]) {
        await assert.rejects(createTemporaryKey({ apiKey: KEY, url: mock.url, expiresInSeconds, env: {} }), (e: unknown) => e instanceof ValidationError && e.param === 'expiresInSeconds' && /1 to 1800/.test(e.message));
      }
      await assert.rejects(createTemporaryKey({ url: mock.url, env: {} }), (e: unknown) => e instanceof ValidationError && e.param === 'apiKey');
      await assert.rejects(createTemporaryKey({ apiKey: KEY, region: 'mars' as never, env: {} }), (e: unknown) => e instanceof ValidationError && e.param === 'region');
      await assert.rejects(createTemporaryKey({ apiKey: KEY, url: 'ws://example.com/api-ws/v1/realtime', env: {} }), (e: unknown) => e instanceof ValidationError && e.param === 'url' && !e.message.includes(KEY));
      await assert.rejects(createTemporaryKey({ apiKey: KEY, url: mock.url, env: {}, signal: AbortSignal.abort() }), AbortError);
      assert.equal(mock.seen.length, 0);
    } finally {
      await mock.close();
    }
  });

  test('posts to the realtime host’s /api/v1/tokens with the lifetime and the workspace header', async () => {
    const mock = await mockHttp(() => ({ status: 200, body: '{"token":"st-abc","expires_at":1744080369}' }));
    try {
      const key = await createTemporaryKey({ apiKey: KEY, url: mock.url, workspaceId: 'llm-ws1', expiresInSeconds: 1800, env: {} });
      assert.deepEqual(key, { token: 'st-abc', expiresAt: new Date(1744080369 * 1000) });
      const [req] = mock.seen;
      assert.equal(req?.method, 'POST');
      assert.equal(req?.url, '/api/v1/tokens?expire_in_seconds=1800');
      assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
      assert.equal(req?.headers['x-dashscope-workspace'], 'llm-ws1');
    } finally {
      await mock.close();
    }
    // The hosts the region options choose (no network here: the URL only).
    assert.equal(httpApiUrl(realtimeBaseUrl('singapore'), 'tokens'), 'https://dashscope-intl.aliyuncs.com/api/v1/tokens');
    assert.equal(httpApiUrl(realtimeBaseUrl('singapore', 'llm-ws1'), 'tokens'), 'https://llm-ws1.ap-southeast-1.maas.aliyuncs.com/api/v1/tokens');
    assert.equal(httpApiUrl(realtimeBaseUrl('qwencloud'), 'tokens'), 'https://maas.qwencloudapi.com/api/v1/tokens');
  });

  test('an answer without a usable token, or a huge one, is a ProtocolError (read bounded)', async () => {
    for (const body of ['not json', '{"token":"st-x y","expires_at":1}', '{"token":"st-x","expires_at":1e300}', '{"token":"st-x"}', `{"token":"${'s'.repeat(100_000)}","expires_at":1}`]) {
      const mock = await mockHttp(() => ({ status: 200, body }));
      try {
        const error = await createTemporaryKey({ apiKey: KEY, url: mock.url, env: {} }).then(() => assert.fail(`accepted ${body.slice(0, 40)}`), (e: unknown) => e);
        assert.ok(error instanceof ProtocolError, String(error));
        assert.ok(error.message.length < 300 && !error.message.includes(KEY));
      } finally {
        await mock.close();
      }
    }
  });

  test('a non-JSON answer with the key across the 200-character cut leaves no part of the key in the preview (issue 16)', async () => {
    const mock = await mockHttp(() => ({ status: 200, body: `${'x'.repeat(190)}${KEY} and more` }));
    try {
      const error = await createTemporaryKey({ apiKey: KEY, url: mock.url, env: {} }).then(() => assert.fail('accepted'), (e: unknown) => e);
      assert.ok(error instanceof ProtocolError, String(error));
      const text = `${error.message} ${error.preview} ${JSON.stringify(error)}`;
      for (let at = 0; at + 8 <= KEY.length; at++) assert.ok(!text.includes(KEY.slice(at, at + 8)), `a part of the key is in ${JSON.stringify(error.preview)}`);
    } finally {
      await mock.close();
    }
  });

  test('refused in a browser: the permanent key must stay on the server', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    const g = globalThis as Record<string, unknown>;
    let pending: Promise<unknown>;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    g.window = {};
    g.document = {};
    try {
      pending = createTemporaryKey({ apiKey: KEY, url: sim.url, env: {} });
    } finally {
      Object.defineProperty(globalThis, 'process', saved);
      delete g.window;
      delete g.document;
    }
    await assert.rejects(pending, (e: unknown) => e instanceof ValidationError && e.param === 'runtime' && /server/.test(e.message));
  });
});
