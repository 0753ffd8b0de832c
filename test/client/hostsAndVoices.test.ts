/**
 * Hosts and voices as a user meets them, against the simulator over a real socket: a loopback
 * URL without a key just works and a refusal there does not talk about regions (issue 17.1);
 * `region: 'qwencloud'` and the relay's signalling host (§0.2.16, §0.2.18); qwen3.8 without a
 * workspace host warns once (§0.2.17); the voices of §0.2.1–2 refused before sending, with the
 * allowed values (issue 17.3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthenticationError, RealtimeClient, ValidationError } from '../../src/index.js';
import { resolveRelayOptions } from '../../src/relay/options.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const KEY = 'sk-test-hosts-0123456789';
let sim: Simulator;
before(async () => {
  sim = await startSimulator({ speed: 0 });
});
after(() => sim.close());

function logger() {
  const lines: string[] = [];
  return { lines, warn: (m: string) => lines.push(m) };
}

describe('a local URL without a key (issue 17.1)', () => {
  test('new RealtimeClient({ url: sim.url }) with no key connects', async () => {
    const client = new RealtimeClient({ url: sim.url, env: {} });
    const session = await client.connect();
    assert.match(session.id, /^sess_/);
    await client.close();
    // DASHSCOPE_REALTIME_URL alone works the same way.
    const fromEnv = new RealtimeClient({ env: { DASHSCOPE_REALTIME_URL: sim.url } });
    await fromEnv.connect();
    await fromEnv.close();
  });

  test('a local server that wants a key: the error says no key was set, not regions, and carries the body’s request_id', async () => {
    const strict = await startSimulator({ speed: 0, apiKeys: ['sk-only-this'] });
    try {
      const error = await new RealtimeClient({ url: strict.url, env: {} }).connect().then(() => assert.fail('connected'), (e: unknown) => e);
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.status, 401);
      assert.doesNotMatch(error.message, /region|aliyuncs|DashScope refused/i);
      assert.match(error.message, /No API key was set/);
      assert.match(error.response.requestIds.request_id ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(JSON.parse(error.response.body).request_id, error.response.requestIds.request_id);
    } finally {
      await strict.close();
    }
  });

  test('the default (non-loopback) host still needs a key', () => {
    assert.throws(() => new RealtimeClient({ env: {} }), (e: unknown) => e instanceof ValidationError && e.param === 'apiKey');
  });
});

describe('regions and hosts', () => {
  test("region 'qwencloud' (or DASHSCOPE_REGION=qwencloud): the global host, no workspace", () => {
    const url = 'wss://maas.qwencloudapi.com/api-ws/v1/realtime?model=qwen3.5-omni-plus-realtime';
    assert.equal(new RealtimeClient({ apiKey: KEY, env: {}, region: 'qwencloud' }).url, url);
    assert.equal(new RealtimeClient({ env: { DASHSCOPE_API_KEY: KEY, DASHSCOPE_REGION: 'QwenCloud' } }).url, url);
    assert.throws(
      () => new RealtimeClient({ apiKey: KEY, env: {}, region: 'qwencloud', workspaceId: 'llm-ws1' }),
      (e: unknown) => e instanceof ValidationError && e.param === 'workspaceId' && /no workspaces/.test(e.message),
    );
    assert.throws(() => new RealtimeClient({ apiKey: KEY, env: {}, region: 'mars' as never }), (e: unknown) => e instanceof ValidationError && /beijing, singapore, qwencloud/.test(e.message));
  });

  test('the relay’s WebRTC signalling follows the realtime host', () => {
    const webrtc = (options: Parameters<typeof resolveRelayOptions>[0]) => resolveRelayOptions({ apiKey: KEY, env: {}, ...options }).webrtc?.url;
    assert.equal(webrtc({ region: 'qwencloud' }), 'https://maas.qwencloudapi.com/api/v1/webrtc/realtime');
    assert.equal(webrtc({ region: 'singapore', workspaceId: 'llm-ws1' }), 'https://llm-ws1.ap-southeast-1.maas.aliyuncs.com/api/v1/webrtc/realtime');
    assert.equal(webrtc({ env: { DASHSCOPE_REGION: 'qwencloud' } }), 'https://maas.qwencloudapi.com/api/v1/webrtc/realtime');
  });

  test('qwen3.8 without a workspace host: one warning through the logger, not a refusal (§0.2.17)', async () => {
    const model = 'qwen3.8-omni-flash-realtime';
    const log = logger();
    const client = new RealtimeClient({ apiKey: KEY, env: {}, model, logger: log });
    assert.equal(client.url, `wss://dashscope.aliyuncs.com/api-ws/v1/realtime?model=${model}`);
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0]!, /workspace/);
    assert.ok(!log.lines[0]!.includes(KEY));
    for (const options of [{ workspaceId: 'llm-ws1' }, { region: 'qwencloud' as const }, { url: sim.url }]) {
      const quiet = logger();
      new RealtimeClient({ apiKey: KEY, env: {}, model, logger: quiet, ...options });
      assert.deepEqual(quiet.lines, [], JSON.stringify(options));
    }
    // The simulator (a loopback URL) serves qwen3.8 without a warning, and the one warning is not repeated per connect.
    const local = logger();
    const c = new RealtimeClient({ env: {}, url: sim.url, model, logger: local });
    await c.connect();
    await c.close();
    assert.deepEqual(local.lines, []);
  });
});

describe('voices (§0.2.1, §0.2.2) refused before sending', () => {
  async function open(model: string, options: { allowBrokenVoices?: boolean } = {}) {
    const client = new RealtimeClient({ url: sim.url, env: {}, model, ...options });
    const sent: string[] = [];
    const off = sim.onFrame((r) => {
      if (r.direction === 'client') sent.push(JSON.stringify(r.event ?? r.frame));
    });
    await client.connect();
    return { client, sent, off };
  }

  test('qwen3.8 + Cherry: a ValidationError naming valid voices and the models command; nothing sent', async () => {
    const { client, sent, off } = await open('qwen3.8-omni-flash-realtime');
    try {
      const error = await client.updateSession({ voice: 'Cherry' }).then(() => assert.fail('sent'), (e: unknown) => e);
      assert.ok(error instanceof ValidationError);
      assert.equal(error.param, 'session.voice');
      assert.match(error.message, /^Voice 'Cherry' is not supported\. Allowed: 'Tina', 'Cindy', .*\(57 in all\); see `dashscope-realtime models qwen3\.8-omni-flash-realtime`\./);
      assert.ok(Array.isArray(error.allowed) && error.allowed.includes('Eliška') && error.allowed.includes('Eliska'));
      const updated = await client.updateSession({ voice: 'Eliška' });
      assert.equal(updated.voice, 'Eliška');
      assert.equal((await client.updateSession({ voice: 'Eliska' })).voice, 'Eliska');
      assert.equal(sent.filter((t) => t.includes('"Cherry"')).length, 0, 'the refused voice never reached the wire');
      assert.equal(sent.filter((t) => t.includes('"Eliška"')).length, 1, 'the recorder sees what is sent');
    } finally {
      off();
      await client.close();
    }
  });

  test('qwen3.5-omni-flash + Cherry: refused by default with why and working voices; allowBrokenVoices sends it and the simulator accepts it', async () => {
    const first = await open('qwen3.5-omni-flash-realtime');
    try {
      const error = await first.client.updateSession({ voice: 'Cherry' }).then(() => assert.fail('sent'), (e: unknown) => e);
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /accepts it and then ends every turn silently/);
      assert.match(error.message, /'Tina', 'Ethan', 'Serena'/);
      assert.match(error.message, /allowBrokenVoices: true/);
      assert.equal(first.sent.filter((t) => t.includes('"Cherry"')).length, 0);
    } finally {
      first.off();
      await first.client.close();
    }
    const second = await open('qwen3.5-omni-flash-realtime', { allowBrokenVoices: true });
    try {
      const updated = await second.client.updateSession({ voice: 'Cherry' });
      assert.equal(updated.voice, 'Cherry');
    } finally {
      second.off();
      await second.client.close();
    }
    assert.throws(() => new RealtimeClient({ url: sim.url, env: {}, allowBrokenVoices: 'yes' as never }), (e: unknown) => e instanceof ValidationError && e.param === 'allowBrokenVoices');
  });
});
