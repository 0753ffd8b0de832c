/**
 * Who may use the relay: a rejected token (401), a throwing or slow `authenticate` (401), a
 * forbidden origin (403), the same-origin default, a missing or refused model (400, 403) — all
 * answered at the HTTP upgrade, before anything reaches the service, and never with the key.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ValidationError } from '../../src/errors.js';
import { createRelay, startRelay, type RunningRelay } from '../../src/relay/index.js';
import { assertNoKey, BrowserSocket, KEY, probeUpgrade, startStandInUpstream, type StandInUpstream } from './helpers.js';

const MODEL = 'qwen3.5-omni-plus-realtime';
let upstream: StandInUpstream;
let relay: RunningRelay;
const logs: string[] = [];

function tokenOf(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
}

before(async () => {
  upstream = await startStandInUpstream();
  relay = await startRelay({
    url: upstream.url,
    apiKey: KEY,
    env: {},
    allowedOrigins: ['https://app.example.com'],
    allowedModels: [MODEL],
    authenticate: async (req) => {
      const token = tokenOf(req);
      if (token === 'throw') throw new Error('token store down');
      if (token === 'slow') return new Promise<boolean>(() => {}); // never settles: the timeout must refuse
      await new Promise((r) => setTimeout(r, 5));
      return token === 'good-token';
    },
    timeouts: { authenticateMs: 300 },
    logger: (level, message) => logs.push(`${level} ${message}`),
  });
});
after(async () => {
  await relay.close();
  await upstream.close();
});

const app = { Origin: 'https://app.example.com' };

describe('relay admission', () => {
  test('a rejected token gets HTTP 401 at the upgrade and never reaches the service', async () => {
    const before = upstream.handshakes.length;
    for (const token of ['wrong', '', 'throw', 'slow']) {
      const answer = await probeUpgrade(`${relay.wsUrl}?model=${MODEL}&token=${token}`, app);
      assert.equal(answer.status, 401, `token '${token}'`);
      const body = JSON.parse(answer.body) as { code: string; message: string; request_id: string };
      assert.equal(body.code, 'Unauthorized');
      assert.ok(body.request_id);
      assertNoKey(answer.body, 'a 401 body');
    }
    assert.equal(upstream.handshakes.length, before, 'no upstream connection for refused browsers');
    assert.ok(logs.some((l) => l.includes('authenticate threw')), 'a throwing hook is logged');
    assert.ok(!logs.some((l) => l.includes('good-token') || l.includes('token store down')), 'no token or hook error text in the logs');
  });

  test('the right token is let through, the token is not forwarded upstream, and the key is added there', async () => {
    const socket = await BrowserSocket.open(`${relay.wsUrl}?model=${MODEL}&token=good-token`, 'https://app.example.com');
    await socket.waitFor((e) => e.type === 'session.created', 'session.created');
    const handshake = upstream.handshakes.at(-1)!;
    assert.equal(handshake.headers.authorization, `Bearer ${KEY}`);
    assert.equal(handshake.url, `/api-ws/v1/realtime?model=${MODEL}`, 'only ?model= goes upstream, never the token');
    assert.equal(handshake.headers.origin, undefined, 'the browser origin is not passed on');
    await socket.close();
  });

  test('a forbidden origin gets HTTP 403, before the token is even checked', async () => {
    for (const origin of ['https://evil.example.net', 'http://app.example.com', 'null']) {
      const answer = await probeUpgrade(`${relay.wsUrl}?model=${MODEL}&token=good-token`, { Origin: origin });
      assert.equal(answer.status, 403, origin);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, 'Forbidden.Origin');
    }
  });

  test('a missing model is 400 and a model outside allowedModels is 403', async () => {
    const missing = await probeUpgrade(`${relay.wsUrl}?token=good-token`, app);
    assert.equal(missing.status, 400);
    assert.equal((JSON.parse(missing.body) as { code: string }).code, 'BadRequest.EmptyModel');
    const other = await probeUpgrade(`${relay.wsUrl}?model=qwen-omni-turbo-realtime&token=good-token`, app);
    assert.equal(other.status, 403);
    assert.equal((JSON.parse(other.body) as { code: string }).code, 'Forbidden.Model');
  });

  test('other paths are 404; a plain GET on the WebSocket path is 426', async () => {
    assert.equal((await probeUpgrade(`${relay.url}/elsewhere?model=${MODEL}`, app)).status, 404);
    const res = await fetch(`${relay.wsUrl.replace('ws:', 'http:')}?model=${MODEL}`);
    assert.equal(res.status, 426);
    await res.body?.cancel();
  });
});

describe('origin defaults', () => {
  let own: RunningRelay;
  before(async () => {
    own = await startRelay({ url: upstream.url, apiKey: KEY, env: {} });
  });
  after(() => own.close());

  test('without allowedOrigins: same-origin pages and non-browser clients pass, other sites get 403', async () => {
    const host = new URL(own.url).host;
    const same = await BrowserSocket.open(`${own.wsUrl}?model=${MODEL}`, `http://${host}`);
    await same.waitFor((e) => e.type === 'session.created', 'same-origin session.created');
    await same.close();
    assert.equal((await probeUpgrade(`${own.wsUrl}?model=${MODEL}`)).status, 101, 'no Origin: not a browser');
    assert.equal((await probeUpgrade(`${own.wsUrl}?model=${MODEL}`, { Origin: 'https://other.example' })).status, 403);
  });
});

describe('options are checked before listening', () => {
  test('bad options throw a ValidationError naming the option; the key is never in the message', () => {
    const cases: Array<[Parameters<typeof createRelay>[0], string]> = [
      [{ env: {} }, 'apiKey'],
      [{ env: {}, apiKey: ' ' }, 'apiKey'],
      [{ env: {}, apiKey: KEY, url: 'http://x' }, 'url'],
      [{ env: {}, apiKey: KEY, path: 'no-slash' }, 'path'],
      [{ env: {}, apiKey: KEY, allowedOrigins: ['app.example.com'] }, 'allowedOrigins'],
      [{ env: {}, apiKey: KEY, limits: { maxMessageBytes: 0 } }, 'limits.maxMessageBytes'],
      [{ env: {}, apiKey: KEY, region: 'mars' as never }, 'region'],
      [{ env: {}, apiKey: KEY, webrtc: { path: '/api-ws/v1/realtime' } }, 'webrtc.path'],
    ];
    for (const [options, param] of cases) {
      assert.throws(() => createRelay(options), (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.param, param);
        assertNoKey(error.message, 'a validation message');
        return true;
      });
    }
  });
});
