/**
 * WebRTCTransport's checks that need no browser: bad options are ValidationErrors naming the
 * option, before anything runs; a runtime without RTCPeerConnection is told so at connect; audio
 * as events is refused (over WebRTC it travels on the microphone track, protocol.md §6.2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebRTCTransport } from '../../src/browser/webrtc.js';
import { ValidationError } from '../../src/errors.js';

const isValidation = (param: string) => (e: unknown) => e instanceof ValidationError && e.param === param;

test('bad options are refused at construction, naming the option', () => {
  assert.throws(() => new WebRTCTransport({ signalingUrl: '' }), isValidation('signalingUrl'));
  for (const name of ['timeoutMs', 'requestMs', 'iceGatheringTimeoutMs'] as const) {
    for (const bad of [0, -5, Number.NaN, 2 ** 31, '100']) assert.throws(() => new WebRTCTransport({ signalingUrl: '/rtc', [name]: bad as number }), isValidation(name), `${name}: ${String(bad)}`);
  }
  assert.throws(() => new WebRTCTransport({ signalingUrl: '/rtc', logger: {} as never }), isValidation('logger'));
  assert.throws(() => new WebRTCTransport({ signalingUrl: '/rtc', session: { voice: 'NoSuchVoice' } }), (e: unknown) => e instanceof ValidationError && e.param === 'session.voice');
  assert.doesNotThrow(() => new WebRTCTransport({ signalingUrl: '/rtc', timeoutMs: 1000, logger: console }));
});

test('without RTCPeerConnection, connect() says so; audio and Manual mode are refused with a reason', async () => {
  const transport = new WebRTCTransport({ signalingUrl: '/rtc' });
  await assert.rejects(transport.connect(), (e: unknown) => e instanceof ValidationError && /RTCPeerConnection/.test(e.message));
  assert.equal(transport.state, 'idle');
  assert.equal(transport.audioInput, 'media');
  await assert.rejects(transport.appendAudio(), (e: unknown) => e instanceof ValidationError && /microphone track/.test(e.message));
  assert.throws(() => transport.commitAudio(), (e: unknown) => e instanceof ValidationError && e.code === 'unsupported_feature');
  await assert.rejects(transport.updateSession({ turn_detection: null }), isValidation('session.turn_detection'));
});
