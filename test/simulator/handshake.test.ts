/**
 * The upgrade of protocol.md §1: Bearer in any letter case, DashScope JSON refusals at the HTTP
 * level (401, 400, unknown model, 404), ignored extra headers, and the key never logged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FrameRecord } from '../../src/simulator/recorder.js';
import { handshake, harness } from './helpers.js';

const h = harness();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('handshake (§1)', () => {
  test('missing or rejected key: HTTP 401 with the DashScope body', async () => {
    const sim = await h.sim({ apiKeys: ['sk-good'] });
    const url = `${sim.url}?model=qwen3.5-omni-plus-realtime`;
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer sk-bad' }, { Authorization: 'Bearer ' }, { Authorization: 'Basic sk-good' }, { Authorization: 'sk-good' }]) {
      const r = await handshake(url, headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.body.code, 'InvalidApiKey');
      assert.equal(r.body.message, 'Invalid API-key provided.');
      assert.match(r.body.request_id, UUID);
      assert.ok(!JSON.stringify(r.body).includes('sk-bad'));
    }
    assert.equal((await handshake(url, { Authorization: 'Bearer sk-good' })).status, 101);
  });

  test('the Bearer scheme in any letter case; any non-empty key by default; a key predicate', async () => {
    const sim = await h.sim();
    const url = `${sim.url}?model=qwen3.5-omni-plus-realtime`;
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) assert.equal((await handshake(url, { Authorization: `${scheme} anything` })).status, 101, scheme);
    const c = await h.client(sim, { headers: { Authorization: 'bearer sk-lower' }, key: null });
    await c.waitFor('session.created');
    const strict = await h.sim({ apiKeys: (k) => k.startsWith('sk-') });
    assert.equal((await handshake(`${strict.url}?model=qwen3.5-omni-plus-realtime`, { Authorization: 'Bearer sk-1' })).status, 101);
    assert.equal((await handshake(`${strict.url}?model=qwen3.5-omni-plus-realtime`, { Authorization: 'Bearer nope' })).status, 401);
  });

  test('missing model: 400 BadRequest.EmptyModel; unknown model: 400 InvalidParameter (configurable)', async () => {
    const sim = await h.sim();
    const empty = await handshake(sim.url, { Authorization: 'Bearer k' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 'BadRequest.EmptyModel');
    assert.equal((await handshake(`${sim.url}?model=`, { Authorization: 'Bearer k' })).body.code, 'BadRequest.EmptyModel');
    const unknown = await handshake(`${sim.url}?model=qwen-omni-realtime`, { Authorization: 'Bearer k' });
    assert.equal(unknown.status, 400);
    assert.deepEqual([unknown.body.code, unknown.body.message], ['InvalidParameter', 'Model not exist.']);
    const custom = await h.sim({ unknownModelRefusal: { status: 404, code: 'ModelNotFound', message: 'Model not found.' } });
    const r = await handshake(`${custom.url}?model=nope`, { Authorization: 'Bearer k' });
    assert.deepEqual([r.status, r.body.code], [404, 'ModelNotFound']);
  });

  test('acceptUnknownModels: qwen3.5-omni-plus capabilities under the given name', async () => {
    const sim = await h.sim({ acceptUnknownModels: true });
    const c = await h.client(sim, { model: 'qwen-omni-future-realtime' });
    const created = await c.waitFor('session.created');
    assert.equal(created.session.model, 'qwen-omni-future-realtime');
    assert.equal(created.session.voice, 'Tina');
    assert.deepEqual(created.session.audio.input.format, { type: 'pcm', sample_rate: 16000 });
  });

  test('other paths: 404; a plain HTTP request on the endpoint: 426', async () => {
    const sim = await h.sim();
    const base = sim.url.replace('/api-ws/v1/realtime', '');
    for (const path of ['/api/v1/realtime', '/api-ws/v1/inference/', '/']) {
      const r = await handshake(`${base}${path}?model=qwen3.5-omni-plus-realtime`, { Authorization: 'Bearer k' });
      assert.equal(r.status, 404, path);
      assert.equal(r.body.code, 'NotFound');
    }
    const res = await fetch(`${sim.url.replace('ws:', 'http:')}?model=qwen3.5-omni-plus-realtime`);
    assert.equal(res.status, 426);
    assert.equal(((await res.json()) as { code: string }).code, 'BadRequest');
  });

  test('extra headers (OpenAI-Beta, SDK tracking, workspace, data inspection) are ignored', async () => {
    const sim = await h.sim();
    const c = await h.client(sim, {
      headers: {
        'OpenAI-Beta': 'realtime=v1',
        'x-dashscope-sdk-client': 'python-sdk/1.26.2/audio',
        'x-dashscope-sdk-session-id': 'abc',
        'X-DashScope-WorkSpace': 'ws-123',
        'X-DashScope-DataInspection': 'enable',
        'user-agent': 'dashscope/1.26.2; python/3.11.2; platform/x; processor/y',
      },
    });
    await c.waitFor('session.created');
  });

  test('maxConnections: further upgrades get 429 Throttling.RateQuota', async () => {
    const sim = await h.sim({ maxConnections: 1 });
    const c = await h.client(sim);
    await c.waitFor('session.created');
    const r = await handshake(`${sim.url}?model=qwen3.5-omni-plus-realtime`, { Authorization: 'Bearer k' });
    assert.equal(r.status, 429);
    assert.equal(r.body.code, 'Throttling.RateQuota');
  });

  test('the key never reaches the logs or the frame records', async () => {
    const KEY = 'sk-SECRET-0123456789';
    const lines: string[] = [];
    const records: FrameRecord[] = [];
    const sim = await h.sim({ logger: (level, m) => lines.push(`${level} ${m}`), onFrame: (r) => records.push(r), apiKeys: [KEY] });
    const c = await h.client(sim, { key: KEY });
    await c.waitFor('session.created');
    c.send({ type: 'response.create' });
    await c.waitFor('response.done');
    await handshake(`${sim.url}?model=qwen3.5-omni-plus-realtime`, { Authorization: `Bearer ${KEY}x` });
    await c.close();
    await sim.close();
    assert.ok(lines.length > 0 && records.length > 0);
    const all = lines.join('\n') + JSON.stringify(records);
    assert.ok(!all.includes('SECRET'));
  });
});
