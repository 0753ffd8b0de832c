import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthenticationError, ConnectionError, TimeoutError, ValidationError, backoffDelay, isRetryable } from '../../src/index.js';

test('fatal and retryable failures', () => {
  const response = (status: number) => ({ status, body: '', requestIds: {} });
  assert.equal(isRetryable(new AuthenticationError('no', response(401))), false);
  assert.equal(isRetryable(new ValidationError('no', 'x')), false);
  assert.equal(isRetryable(new ConnectionError('bad request', 'handshake_failed', { response: response(400) })), false);
  assert.equal(isRetryable(new ConnectionError('throttled', 'handshake_failed', { response: response(429) })), true);
  assert.equal(isRetryable(new ConnectionError('down', 'handshake_failed', { response: response(503) })), true);
  assert.equal(isRetryable(new ConnectionError('dropped', 'connection_closed', { closeCode: 1006 })), true);
  assert.equal(isRetryable(new ConnectionError('server error', 'connection_closed', { closeCode: 1011 })), true);
  assert.equal(isRetryable(new ConnectionError('policy', 'connection_closed', { closeCode: 1008 })), false);
  assert.equal(isRetryable(new TimeoutError('connect', 10)), true);
});

test('backoff grows exponentially with full jitter, capped', () => {
  assert.equal(backoffDelay(1, { baseDelayMs: 100 }, () => 0), 50);
  assert.equal(backoffDelay(1, { baseDelayMs: 100 }, () => 1), 100);
  assert.equal(backoffDelay(4, { baseDelayMs: 100 }, () => 1), 800);
  assert.equal(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 2000 }, () => 1), 2000);
});
