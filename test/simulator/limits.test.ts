/**
 * Session limits and lifecycle: the duration cap (§2.5), the inactivity close that only a
 * response resets (§0.2.11), `session.finish` per model (§3.9, §0.1.1), the `--record` file (redacted), and
 * real-time pacing of responses with the speed factor.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { speechDurationMs } from '../../src/simulator/synthesizer.js';
import { resolveOptions } from '../../src/simulator/options.js';
import { appendAudio, b64, harness, silence, sleep, tone } from './helpers.js';

const h = harness();
const dir = mkdtempSync(join(tmpdir(), 'sim-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('limits and lifecycle', () => {
  test('the session duration cap closes the socket (1000 by default; an error first when configured)', async () => {
    const sim = await h.sim({ maxSessionMs: 200 });
    const c = await h.client(sim);
    assert.deepEqual(await c.waitClosed(), { code: 1000, reason: 'session duration limit reached' });
    const sim2 = await h.sim({ maxSessionMs: 100, errorBeforeSessionLimitClose: true, closeCodes: { sessionLimit: 4008 } });
    const c2 = await h.client(sim2);
    assert.equal((await c2.waitClosed()).code, 4008);
    assert.equal(c2.events.at(-1)!.type, 'error');
  });

  test('inactivity (§0.2.11): streamed silence does not keep a session alive; the error, then 1011', async () => {
    const sim = await h.sim({ idleTimeoutMs: 400 });
    const c = await h.client(sim);
    await c.waitFor('session.created');
    const silent = b64(silence(50));
    const timer = setInterval(() => c.send({ type: 'input_audio_buffer.append', audio: silent }), 50);
    let closed: { code: number; reason: string };
    try {
      closed = await c.waitClosed();
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(closed, { code: 1011, reason: 'no response generated' });
    assert.deepEqual(c.types(), ['session.created', 'error']);
    assert.deepEqual(c.events[1]!.error, { type: 'server_error', code: 'internal_error', message: 'Your session was closed because no response was generated for 1 seconds.', param: '', event_id: '' });
  });

  test('inactivity: every response restarts the clock; the default is 180 s', async () => {
    const sim = await h.sim({ idleTimeoutMs: 500 });
    const c = await h.client(sim);
    await c.waitFor('session.created');
    for (let i = 0; i < 4; i++) {
      const since = c.mark();
      c.send({ type: 'response.create' });
      await c.waitFor('response.done', { since });
      await sleep(250);
    }
    assert.equal(c.ws.readyState, c.ws.OPEN, 'four responses 250 ms apart kept a 500 ms session open');
    assert.equal((await c.waitClosed()).code, 1011);
    assert.equal(resolveOptions({}).idleTimeoutMs, 180_000);
    assert.equal(resolveOptions({}).closeCodes.idleTimeout, 1011);
  });

  test('session.finish: session.finished and a clean close on qwen3.5-plus; an error on qwen3.5-flash; overridable', async () => {
    const { c } = await h.open();
    c.send({ type: 'session.finish' });
    await c.waitFor('session.finished');
    assert.equal((await c.waitClosed()).code, 1000);

    const { c: flash } = await h.open({}, { model: 'qwen3.5-omni-flash-realtime' });
    flash.send({ type: 'session.finish', event_id: 'event_fin' });
    const e = await flash.waitFor('error');
    assert.equal(e.error.event_id, 'event_fin');
    await sleep(50);
    assert.equal(flash.ws.readyState, flash.ws.OPEN, 'the client closes, not the server');

    const { c: forced } = await h.open({ sessionFinish: 'session.finished' }, { model: 'qwen3.5-omni-flash-realtime' });
    forced.send({ type: 'session.finish' });
    await forced.waitFor('session.finished');
    const { c: forcedError } = await h.open({ sessionFinish: 'error' });
    forcedError.send({ type: 'session.finish' });
    await forcedError.waitFor('error');
  });

  test('session.finish during a response: session.finished after response.done', async () => {
    const { c } = await h.open({ speed: 4 }, { session: { turn_detection: null } });
    c.send({ type: 'response.create' });
    await c.waitFor('response.audio.delta');
    c.send({ type: 'session.finish' });
    await c.waitFor('session.finished');
    const types = c.types();
    assert.ok(types.indexOf('response.done') < types.indexOf('session.finished'));
    assert.equal(types.at(-1), 'session.finished');
  });

  test('--record: every frame both ways with time and direction, base64 shortened, no key', async () => {
    const file = join(dir, 'rec.jsonl');
    const KEY = 'sk-RECORD-SECRET';
    const sim = await h.sim({ recordPath: file });
    const c = await h.client(sim, { key: KEY });
    await c.waitFor('session.created');
    c.send({ type: 'session.update', session: { turn_detection: null } });
    appendAudio(c, tone(200));
    c.send('not json');
    c.send({ type: 'input_audio_buffer.commit' });
    c.send({ type: 'response.create' });
    await c.waitFor('response.done');
    await c.close();
    await sim.close();
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('SECRET'));
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { t: number; direction: string; connection: number; event?: Record<string, string>; frame?: string });
    assert.ok(lines.every((l) => typeof l.t === 'number' && (l.direction === 'client' || l.direction === 'server') && l.connection === 0));
    const append = lines.find((l) => l.event?.type === 'input_audio_buffer.append')!;
    assert.equal(append.event!.audio, '<base64 len=4268>');
    const audioDelta = lines.find((l) => l.event?.type === 'response.audio.delta')!;
    assert.match(audioDelta.event!.delta!, /^<base64 len=\d+>$/);
    const transcriptDelta = lines.find((l) => l.event?.type === 'response.audio_transcript.delta')!;
    assert.ok(!transcriptDelta.event!.delta!.startsWith('<base64'));
    assert.ok(lines.some((l) => l.frame === '<non-JSON text len=8>'));
    assert.equal(lines.filter((l) => l.direction === 'client').length, 6);
    assert.equal(lines.filter((l) => l.direction === 'server').length, c.events.length);
  });

  test('pacing: a ~1 s reply streams in about 1 s at speed 1, about half at speed 2', async () => {
    const text = 'Good morning.';
    const duration = speechDurationMs(text);
    assert.ok(duration > 900 && duration < 1500, String(duration));
    for (const speed of [1, 2]) {
      const { c } = await h.open({ speed, responder: () => ({ text }) }, { session: { turn_detection: null } });
      const since = c.mark();
      c.send({ type: 'response.create' });
      await c.waitFor('response.created', { since });
      const started = Date.now();
      await c.waitFor('response.done', { since });
      const elapsed = Date.now() - started;
      const expected = duration / speed;
      assert.ok(elapsed >= expected - 100 / speed - 30, `speed ${speed}: ${elapsed} ms for ${expected} ms of audio`);
      assert.ok(elapsed < expected + 600, `speed ${speed}: ${elapsed} ms for ${expected} ms of audio`);
    }
  });
});
