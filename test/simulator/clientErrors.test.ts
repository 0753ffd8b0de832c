/**
 * The SDK's own client against the simulator's live behaviours (protocol.md §0.2): what a user
 * of `RealtimeClient` sees — the `error` events as `ServerError`s matched to the request by
 * `eventId`, and the inactivity close as a `ConnectionError` with code 1011.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConnectionError, RealtimeClient, ServerError, type CloseInfo } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { bounded, concatPcm, silence, tone } from './helpers.js';

let sim: Simulator;
let quiet: Simulator;
before(async () => {
  sim = await startSimulator({ speed: 0 });
  quiet = await startSimulator({ speed: 0, idleTimeoutMs: 300 });
});
after(async () => {
  await sim.close();
  await quiet.close();
});

function client(url = sim.url) {
  return new RealtimeClient({ apiKey: 'sk-test', url, model: 'qwen3.5-omni-plus-realtime', logger: { warn: () => {} } });
}

describe('RealtimeClient and the live behaviours', () => {
  test('a stale tool result: a ServerError naming the request; the session goes on (§0.2.10)', async () => {
    const c = client();
    await c.connect();
    await c.updateSession({ turn_detection: null });
    const sent = c.sendFunctionCallOutput('call_from_an_old_session', { ok: true });
    const event = await c.waitFor('error', { timeoutMs: 5000 });
    const error = new ServerError(event.error, event.event_id);
    assert.equal(error.message, 'Unknown function call id: call_from_an_old_session');
    assert.equal(error.eventId, sent);
    assert.equal(error.type, 'invalid_request_error');
    c.sendText('Hello');
    c.createResponse();
    assert.equal((await c.waitFor('response.done', { timeoutMs: 5000 })).response.status, 'completed');
    await c.close();
  });

  test('response.create while the user speaks: a ServerError naming that response.create (§0.2.12)', async () => {
    const c = client();
    await c.connect();
    await c.updateSession({ turn_detection: { type: 'server_vad' } });
    await c.appendAudio(concatPcm(silence(300), tone(600)));
    await c.waitFor('input_audio_buffer.speech_started', { timeoutMs: 5000 });
    const sent = c.createResponse();
    const event = await c.waitFor('error', { timeoutMs: 5000 });
    assert.deepEqual([event.error.message, event.error.event_id], ['Cannot create response while user is speaking.', sent]);
    await c.close();
  });

  test('no response for the idle time: the error event, then a ConnectionError with code 1011 (§0.2.11)', async () => {
    const c = client(quiet.url);
    const closed = new Promise<CloseInfo>((resolve) => c.on('close', resolve));
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.error.message));
    await c.connect();
    await c.appendAudio(silence(200)); // streaming silence does not count as activity
    const info = await bounded(closed, 5000, 'not closed within 5 s');
    assert.equal(info.code, 1011);
    assert.ok(info.error instanceof ConnectionError);
    assert.equal(info.error.closeCode, 1011);
    assert.deepEqual(errors, ['Your session was closed because no response was generated for 1 seconds.']);
  });
});
