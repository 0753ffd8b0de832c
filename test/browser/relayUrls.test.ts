/**
 * The page-side helpers: the relay's URLs from the page's location (wss for https pages) and the
 * base64 delta decoder.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relaySignalingUrl, relayWebSocketUrl } from '../../src/browser/relayUrls.js';
import { pcm16FromBase64 } from '../../src/browser/index.js';

test('the relay URLs follow the page: ws for http, wss for https, same host, optional query', () => {
  assert.equal(relayWebSocketUrl({ location: { protocol: 'http:', host: '127.0.0.1:8080' } }), 'ws://127.0.0.1:8080/api-ws/v1/realtime');
  assert.equal(relayWebSocketUrl({ location: { protocol: 'https:', host: 'app.example.com' }, query: { token: 'a b' } }), 'wss://app.example.com/api-ws/v1/realtime?token=a+b');
  assert.equal(relayWebSocketUrl({ location: { protocol: 'https:', host: 'x.example' }, path: '/realtime' }), 'wss://x.example/realtime');
  assert.equal(relaySignalingUrl({ location: { protocol: 'https:', host: 'app.example.com' } }), 'https://app.example.com/api/v1/webrtc/realtime');
  assert.throws(() => relayWebSocketUrl(), { name: 'ValidationError' }, 'no location in Node');
});

test('pcm16FromBase64 decodes a response.audio.delta', () => {
  const pcm = new Int16Array([0, 1, -1, 32767, -32768]);
  const b64 = Buffer.from(pcm.buffer).toString('base64');
  assert.deepEqual(pcm16FromBase64(b64), pcm);
});
