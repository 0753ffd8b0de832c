/** Hosts of protocol.md §1.2 and §0.2.16–19: realtime, signalling and token URLs per region. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../src/errors.js';
import { compatibleModeBaseUrl, httpApiUrl, isLoopbackHost, isServiceHost, realtimeBaseUrl } from '../../src/protocol/endpoints.js';

test('qwencloud: one global host, no workspace hosts; signalling and tokens on the same host', () => {
  assert.equal(realtimeBaseUrl('qwencloud'), 'wss://maas.qwencloudapi.com/api-ws/v1/realtime');
  assert.equal(httpApiUrl(realtimeBaseUrl('qwencloud'), 'webrtc/realtime'), 'https://maas.qwencloudapi.com/api/v1/webrtc/realtime');
  assert.equal(httpApiUrl(realtimeBaseUrl('beijing', 'llm-1'), 'webrtc/realtime'), 'https://llm-1.cn-beijing.maas.aliyuncs.com/api/v1/webrtc/realtime');
  assert.equal(httpApiUrl('ws://127.0.0.1:9/api-ws/v1/realtime', 'tokens'), 'http://127.0.0.1:9/api/v1/tokens');
});

test('which hosts are the service’s (regions matter) and which are local', () => {
  for (const host of ['dashscope.aliyuncs.com', 'dashscope-intl.aliyuncs.com', 'ws1.ap-southeast-1.maas.aliyuncs.com', 'maas.qwencloudapi.com', 'token-plan.maas.qwencloudapi.com']) assert.ok(isServiceHost(host), host);
  for (const host of ['127.0.0.1', 'localhost', 'relay.example.com', 'aliyuncs.com.evil.example', 'evilaliyuncs.com']) assert.ok(!isServiceHost(host), host);
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['10.0.0.1', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(host), host);
});

test('the OpenAI-compatible base URL is not guessed for QwenCloud', () => {
  assert.equal(compatibleModeBaseUrl('singapore'), 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1');
  assert.throws(() => compatibleModeBaseUrl('qwencloud' as never), (e: unknown) => e instanceof ValidationError && e.param === 'region');
});
