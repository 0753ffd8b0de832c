/**
 * WebRTC signalling through the relay (protocol.md §6.1), against a local stand-in for
 * DashScope's SDP endpoint: the offer goes up with the key and the model, the answer comes back
 * as `application/sdp`; upstream errors keep their status with a JSON error (key scrubbed);
 * redirects are not followed; bad requests, a rejected token and a forbidden origin never reach
 * the stand-in; CORS preflights are answered for allowed origins.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startRelay, type RunningRelay } from '../../src/relay/index.js';
import { assertNoKey, KEY } from './helpers.js';

const OFFER = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendrecv', 'a=rtpmap:111 opus/48000/2', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:1', ''].join('\r\n');
const ANSWER = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=recvonly', ''].join('\r\n');

interface Seen {
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let standIn: Server;
let elsewhere: Server;
let relay: RunningRelay;
const seen: Seen[] = [];
let elsewhereHits = 0;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

before(async () => {
  elsewhere = createServer((_req, res) => {
    elsewhereHits++;
    res.writeHead(200).end(ANSWER);
  });
  const elsewhereUrl = await listen(elsewhere);
  standIn = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
      const model = new URL(req.url ?? '/', 'http://x').searchParams.get('model');
      if (model === 'denied-model') {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'AccessDenied', message: `Key ${KEY} may not use WebRTC.`, request_id: 'r1' }));
      } else if (model === 'redirect-model') {
        res.writeHead(302, { Location: `${elsewhereUrl}/api/v1/webrtc/realtime` }).end();
      } else if (model === 'slow-model') {
        // never answers: the relay's signalling timeout must
      } else {
        res.writeHead(200, { 'Content-Type': 'application/sdp' }).end(ANSWER);
      }
    });
  });
  const standInUrl = await listen(standIn);
  relay = await startRelay({
    url: 'ws://127.0.0.1:9/api-ws/v1/realtime',
    apiKey: KEY,
    env: {},
    allowedOrigins: ['https://app.example.com'],
    authenticate: (req) => req.headers.authorization === 'Bearer page-token',
    webrtc: { url: `${standInUrl}/api/v1/webrtc/realtime` },
    timeouts: { signalingMs: 500 },
  });
});
after(async () => {
  await relay.close();
  standIn.closeAllConnections();
  elsewhere.closeAllConnections();
  await new Promise<void>((resolve) => standIn.close(() => resolve()));
  await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
});

function post(model: string | null, options: { body?: string; type?: string; token?: string | null; origin?: string } = {}): Promise<Response> {
  const url = new URL(relay.signalingUrl!);
  if (model !== null) url.searchParams.set('model', model);
  const headers: Record<string, string> = { 'Content-Type': options.type ?? 'application/sdp', Origin: options.origin ?? 'https://app.example.com' };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? 'page-token'}`;
  return fetch(url, { method: 'POST', headers, body: options.body ?? OFFER, signal: AbortSignal.timeout(5000) });
}

describe('WebRTC signalling', () => {
  test('the offer goes up with the key and the model; the answer SDP comes back', async () => {
    const res = await post('qwen3.5-omni-plus-realtime');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/sdp');
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(await res.text(), ANSWER);
    const up = seen.at(-1)!;
    assert.equal(up.method, 'POST');
    assert.equal(up.url, '/api/v1/webrtc/realtime?model=qwen3.5-omni-plus-realtime');
    assert.equal(up.headers.authorization, `Bearer ${KEY}`);
    assert.equal(up.headers['content-type'], 'application/sdp');
    assert.equal(up.headers.origin, undefined);
    assert.equal(up.body, OFFER);
  });

  test('an upstream error keeps its status, with a JSON error and without the key', async () => {
    const res = await post('denied-model');
    assert.equal(res.status, 403);
    const text = await res.text();
    assertNoKey(text, 'a signalling error');
    const body = JSON.parse(text) as { code: string; message: string };
    assert.equal(body.code, 'AccessDenied');
    assert.equal(body.message, 'Key *** may not use WebRTC.');
  });

  test('a redirect is not followed: the key never reaches another host', async () => {
    const res = await post('redirect-model');
    assert.equal(res.status, 502);
    assert.match(((await res.json()) as { message: string }).message, /HTTP 302/);
    assert.equal(elsewhereHits, 0);
  });

  test('a silent upstream is a 504 after the signalling timeout', async () => {
    const started = Date.now();
    const res = await post('slow-model');
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { code: string }).code, 'UpstreamTimeout');
    assert.ok(Date.now() - started < 3000);
  });

  test('refused before reaching the service: token 401, origin 403, type 415, size 413, not an offer 400, no model 400, GET 405', async () => {
    const before = seen.length;
    const cases: Array<[Promise<Response>, number, string]> = [
      [post('m', { token: 'wrong' }), 401, 'Unauthorized'],
      [post('m', { token: null }), 401, 'Unauthorized'],
      [post('m', { origin: 'https://evil.example' }), 403, 'Forbidden.Origin'],
      [post('m', { type: 'text/plain' }), 415, 'UnsupportedMediaType'],
      [post('m', { body: `${OFFER}${'a=x\r\n'.repeat(20_000)}` }), 413, 'PayloadTooLarge'],
      [post('m', { body: 'hello' }), 400, 'InvalidParameter'],
      [post(null), 400, 'BadRequest.EmptyModel'],
      [fetch(relay.signalingUrl!, { signal: AbortSignal.timeout(5000) }), 405, 'MethodNotAllowed'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, code);
      assert.equal(((await res.json()) as { code: string }).code, code);
    }
    assert.equal(seen.length, before, 'none reached the stand-in');
  });

  test('a CORS preflight from an allowed origin is answered; from another origin it is refused', async () => {
    const ok = await fetch(relay.signalingUrl!, { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
    const bad = await fetch(relay.signalingUrl!, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(bad.status, 403);
    assert.equal(bad.headers.get('access-control-allow-origin'), null);
    await bad.body?.cancel();
  });
});
