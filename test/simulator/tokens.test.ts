/**
 * The simulator's temporary keys (protocol.md §0.2.19): the documented bodies over HTTP, the
 * lifetime range, expiry on a test clock, and the bound on live tokens.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { TokenIssuer } from '../../src/simulator/tokens.js';

let sim: Simulator;
let base: string;
before(async () => {
  sim = await startSimulator({ speed: 0, apiKeys: ['sk-good'] });
  base = `http://127.0.0.1:${sim.port}/api/v1/tokens`;
});
after(() => sim.close());

async function post(query: string, key: string | undefined, method = 'POST') {
  const res = await fetch(`${base}${query}`, { method, headers: key === undefined ? {} : { Authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('POST /api/v1/tokens: the documented success and error bodies', async () => {
  const ok = await post('?expire_in_seconds=1800', 'sk-good');
  assert.equal(ok.status, 200);
  assert.deepEqual(Object.keys(ok.body).sort(), ['expires_at', 'token']);
  assert.match(String(ok.body.token), /^st-[0-9a-f]{32}$/);
  assert.ok(Number.isInteger(ok.body.expires_at));
  const defaulted = await post('', 'sk-good');
  assert.equal(defaulted.status, 200, 'expire_in_seconds defaults to 60');
  for (const key of [undefined, 'sk-bad', String(ok.body.token)]) {
    const refused = await post('', key);
    assert.equal(refused.status, 401);
    assert.deepEqual(Object.keys(refused.body).sort(), ['code', 'message', 'request_id']);
    assert.equal(refused.body.code, 'InvalidApiKey');
    assert.equal(refused.body.message, 'Invalid API-key provided.');
  }
  for (const value of ['0', '1801', 'abc', '1.5', '-1']) {
    const bad = await post(`?expire_in_seconds=${value}`, 'sk-good');
    assert.equal(bad.status, 400, value);
    assert.equal(bad.body.code, 'InvalidParameter');
  }
  assert.equal((await post('', 'sk-good', 'GET')).status, 405);
});

test('TokenIssuer: valid until the expiry, then refused; live tokens bounded', () => {
  let now = 1_000_000;
  const issuer = new TokenIssuer(() => now);
  const issued = issuer.issue(60)!;
  assert.equal(issued.expires_at, Math.floor((1_000_000 + 60_000) / 1000));
  assert.ok(issuer.valid(issued.token));
  assert.ok(!issuer.valid('st-0000'), 'not issued here');
  now += 59_999;
  assert.ok(issuer.valid(issued.token));
  now += 1;
  assert.ok(!issuer.valid(issued.token), 'expired');
  for (let i = 0; i < 10_000; i++) assert.ok(issuer.issue(1));
  assert.equal(issuer.issue(1), undefined, 'at most 10,000 live tokens');
  now += 1000;
  assert.ok(issuer.issue(1), 'expired tokens are dropped and make room');
});
