/**
 * The turn state machine at the edges of an interruption, against the simulator over a real
 * socket: only audio actually cut is "interrupted" (§5.3), nothing of a cancelled response reaches
 * the player, a cancel without `response.done` still ends the turn (§5.3, simulator
 * `responseDoneAfterCancel: false`), and an interrupted tool turn gets no reply.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tool, type PlaybackAdapter, type RealtimeSession, type Turn } from '../../src/index.js';
import { PlaybackGate } from '../../src/session/interruption.js';
import { LONG, once, session, simulator, sleep, speak, speech, within } from './helpers.js';

const VAD = { turn_detection: { type: 'server_vad' as const, silence_duration_ms: 500 } };

/** A player that records what it was given and, on stop, says it played `share` of it. */
function player(share = 1) {
  const p = { written: 0, writesAfterStop: 0, stopped: false, stops: 0 };
  const adapter: PlaybackAdapter = {
    write: (pcm) => {
      p.written += pcm.length;
      if (p.stopped) p.writesAfterStop++;
    },
    stop: () => {
      p.stopped = true;
      p.stops++;
      const played = Math.floor(p.written * share);
      p.written = 0;
      return played;
    },
  };
  return { p, adapter };
}

function collect(s: RealtimeSession) {
  const interrupted: Array<{ itemId: string | undefined; heardMs: number; heardText: string }> = [];
  const turns: Turn[] = [];
  s.on('interrupted', (i) => interrupted.push(i));
  s.on('turn', (t) => turns.push(t));
  return { interrupted, turns };
}

async function firstAudio(turn: Turn): Promise<void> {
  await within(turn.audio[Symbol.asyncIterator]().next(), 5000, 'first reply audio');
}

describe('only audio actually cut is interrupted', () => {
  for (const withPlayer of [false, true]) {
    test(`VAD: speech after a reply finished playing leaves it completed (${withPlayer ? 'player played it all' : 'no player'})`, async () => {
      const { sim } = await simulator();
      const { adapter } = player(1);
      const s = await session(sim.url, { session: VAD, ...(withPlayer ? { playback: adapter } : {}) });
      const seen = collect(s);
      const first = await within(s.ask('Hello there').done, 5000, 'first turn');
      assert.equal(first.status, 'completed');
      const next = once<Turn>((fn) => s.on('turn', fn), 8000);
      await speak(s, speech());
      const second = await within((await next).done, 8000, 'the reply to the speech');
      assert.equal(second.status, 'completed');
      assert.deepEqual(seen.interrupted, [], 'no interrupted event');
      const assistants = s.history.items.filter((i) => i.type === 'assistant');
      assert.deepEqual(assistants.map((i) => i.status), ['completed', 'completed']);
      assert.equal(assistants[0]?.type === 'assistant' && assistants[0].heard, undefined);
    });
  }

  test('a reply received whole but only half played is cut once; a second interrupt() changes nothing', async () => {
    const { sim } = await simulator();
    const { adapter } = player(0.5);
    const s = await session(sim.url, { session: { turn_detection: null }, playback: adapter });
    const seen = collect(s);
    const turn = await within(s.ask('Hello there').done, 5000, 'turn');
    assert.equal(turn.status, 'completed', 'the reply was complete on the network');
    s.interrupt();
    assert.equal(seen.interrupted.length, 1);
    const item = s.history.items.find((i) => i.type === 'assistant');
    assert.ok(item && item.type === 'assistant' && item.heard);
    assert.equal(item.status, 'interrupted');
    const heard = { ...item.heard };
    assert.ok(heard.audioMs > 0 && heard.audioMs < item.audioMs, `half heard: ${heard.audioMs} of ${item.audioMs}`);
    s.interrupt();
    assert.equal(seen.interrupted.length, 1, 'one interrupted per cut');
    assert.deepEqual(item.heard, heard, 'the heard part never changes');
  });
});

describe('heard audio is counted per reply', () => {
  test('two replies without a stop between them: the count since the last stop is split between them', async () => {
    // The adapter counts samples played since its last stop(): here all of the first reply and
    // half of the second. Only the second was cut, and half of it was heard.
    const { sim } = await simulator();
    let written = 0;
    let firstLength = 0;
    const adapter: PlaybackAdapter = {
      write: (pcm) => void (written += pcm.length),
      stop: () => firstLength + Math.floor((written - firstLength) / 2),
    };
    const s = await session(sim.url, { session: { turn_detection: null }, playback: adapter });
    const seen = collect(s);
    const first = await within(s.ask('Hello there').done, 5000, 'first turn');
    firstLength = first.audio.length;
    assert.equal(written, firstLength, 'the first reply was written whole');
    const second = await within(s.ask(LONG).done, 8000, 'second turn');
    assert.equal(second.status, 'completed', 'received whole, not yet played');
    s.interrupt();
    assert.equal(seen.interrupted.length, 1, 'the second reply was cut');
    const [one, two] = s.history.items.filter((i) => i.type === 'assistant');
    assert.ok(one?.type === 'assistant' && two?.type === 'assistant');
    assert.equal(one.status, 'completed', 'the first reply was heard whole');
    assert.equal(one.heard, undefined);
    assert.equal(two.status, 'interrupted');
    assert.equal(seen.interrupted[0]!.itemId, two.id);
    const half = two.audioMs / 2;
    assert.ok(Math.abs(two.heard!.audioMs - half) < 5, `half of the second reply heard: ${two.heard!.audioMs} of ${two.audioMs} ms`);
    assert.ok(Math.abs(seen.interrupted[0]!.heardMs - half) < 5);
  });
});

test('PlaybackGate: the played count lands on the item at the playhead; items behind it were not heard', () => {
  const gate = new PlaybackGate({ write: () => {}, stop: () => 150 });
  for (const id of ['a', 'b', 'c']) gate.write(new Int16Array(100), 1000, id);
  assert.deepEqual(gate.stop(1000), { itemId: 'b', heardMs: 50, cut: true, unheard: ['c'] });
  const whole = new PlaybackGate({ write: () => {}, stop: () => 1e9 });
  for (const id of ['a', 'b']) whole.write(new Int16Array(100), 1000, id);
  assert.deepEqual(whole.stop(1000), { itemId: 'b', heardMs: 100, cut: false, unheard: [] }, 'a count past the end is everything written');
  assert.deepEqual(whole.stop(1000), { itemId: undefined, heardMs: 0, cut: false, unheard: [] }, 'nothing since the last stop');
});

describe('a cancelled response', () => {
  test('nothing of it reaches the player after stop(), though its audio is still on the network', async () => {
    // Every server event 300 ms late: the cancelled reply's audio is still in flight at the stop.
    const { sim } = await simulator({ speed: 1, responder: (t) => ({ text: t.responseIndex === 0 ? LONG : 'Short answer.' }), faults: { delayMs: 300 } });
    const { p, adapter } = player(0.5);
    const s = await session(sim.url, { session: { turn_detection: null }, playback: adapter });
    const seen = collect(s);
    const turn = s.ask('Tell me a long story');
    await firstAudio(turn);
    await sleep(200);
    s.interrupt();
    const result = await within(turn.done, 5000, 'the interrupted turn');
    assert.equal(result.status, 'interrupted');
    await sleep(700); // the audio that was in flight arrives meanwhile
    assert.equal(p.writesAfterStop, 0, 'no write after stop()');
    assert.equal(seen.interrupted.length, 1);
    const next = await within(s.ask('And now?').done, 8000, 'the next turn');
    assert.equal(next.status, 'completed');
  });

  for (const mode of ['manual', 'vad'] as const) {
    test(`without response.done after the cancel (§5.3), the turn ends and the next reply is a new turn (${mode})`, async () => {
      const { sim, frames } = await simulator({ speed: 1, responseDoneAfterCancel: false, responder: (t) => ({ text: t.responseIndex === 0 ? LONG : 'Short answer.' }) });
      const s = await session(sim.url, { session: mode === 'vad' ? VAD : { turn_detection: null }, cancelSettleMs: 3000 });
      const seen = collect(s);
      const turn = s.ask('Tell me a long story');
      await firstAudio(turn);
      if (mode === 'manual') s.interrupt();
      else await speak(s, speech());
      const result = await within(turn.done, 5000, 'the cut turn ends');
      assert.equal(result.status, 'interrupted');
      assert.equal(s.history.items.filter((i) => i.type === 'assistant' && i.status === 'in_progress').length, 0, 'the cut item is not left in progress');
      let second: Turn;
      if (mode === 'manual') second = s.ask('Something short');
      else second = await within(new Promise<Turn>((r) => (seen.turns.length > 1 ? r(seen.turns[1]!) : s.once('turn', r))), 8000, 'the reply to the speech');
      const answer = await within(second.done, 8000, 'the next reply');
      assert.equal(answer.status, 'completed');
      assert.notEqual(second, turn, 'a new reply is a new turn');
      assert.equal(answer.transcript, 'Short answer.');
      assert.ok(!result.transcript.includes('Short answer.'), 'the new reply is not merged into the cut turn');
      if (mode === 'manual') assert.equal(frames.filter((f) => f.type === 'response.create').length, 2, 'the next response.create was sent');
    });
  }

  test('cancelled before any output: over after cancelSettleMs, then the next request goes', async () => {
    const { sim, frames } = await simulator({ speed: 1, responseDoneAfterCancel: false, firstOutputDelayMs: 3000 });
    const s = await session(sim.url, { session: { turn_detection: null }, cancelSettleMs: 200 });
    const turn = s.ask('Hello');
    await once((fn) => s.client.on('response.created', fn));
    s.interrupt();
    assert.equal((await within(turn.done, 2000, 'the cut turn')).status, 'interrupted');
    assert.deepEqual(s.history.items.filter((i) => i.status === 'in_progress'), [], 'nothing left in progress');
    const next = s.ask('Again');
    await within(once((fn) => s.client.on('response.created', fn), 3000), 3000, 'the next response starts after the settle bound');
    assert.equal(frames.filter((f) => f.type === 'response.create').length, 2);
    s.interrupt();
    await next.done;
  });
});

describe('interrupt() while a tool runs', () => {
  test("aborts the tool's signal, drops its output, and no reply follows", async () => {
    const { sim, frames } = await simulator();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let aborted = false;
    const slow = tool<{ location: string }>({
      name: 'get_current_weather',
      parameters: { type: 'object', properties: { location: { type: 'string' } } },
      // Ignores its signal on purpose: the output must be dropped even so.
      execute: (_args, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        started();
        return sleep(400).then(() => 'sunny');
      },
    });
    const s = await session(sim.url, { session: { turn_detection: null }, tools: [slow] });
    const results: string[] = [];
    s.on('tool_result', (r) => results.push(r.status));
    const turn = s.ask('Please call get_current_weather for Hangzhou');
    await within(running, 5000, 'the tool starts');
    s.interrupt();
    const result = await within(turn.done, 2000, 'the turn ends');
    assert.equal(result.status, 'interrupted');
    assert.equal(aborted, true, 'the signal aborted');
    await sleep(600);
    assert.deepEqual(results, ['aborted']);
    assert.equal(result.toolCalls[0]?.status, 'aborted');
    assert.equal(frames.filter((f) => f.type === 'conversation.item.create' && (f.event.item as { type: string }).type === 'function_call_output').length, 0, 'no output sent');
    assert.equal(frames.filter((f) => f.type === 'response.create').length, 1, 'no reply requested');
    const next = await within(s.ask('Hello').done, 5000, 'the next turn');
    assert.equal(next.status, 'completed');
  });

  test('manual mode: a call dropped by interrupt() is ignored by submitToolOutput (false, nothing sent)', async () => {
    const { sim, frames } = await simulator();
    const weather = tool({ name: 'get_current_weather', parameters: { type: 'object' }, execute: () => 'unused' });
    const s = await session(sim.url, { session: { turn_detection: null }, tools: [weather], toolExecution: 'manual' });
    const call = once<{ callId: string }>((fn) => s.on('tool_call', fn));
    const turn = s.ask('Please call get_current_weather for Hangzhou');
    const { callId } = await within(call, 5000, 'tool_call');
    s.interrupt();
    assert.equal((await within(turn.done, 2000, 'turn')).status, 'interrupted');
    assert.equal(s.submitToolOutput(callId, 'sunny'), false);
    assert.throws(() => s.submitToolOutput('call_never_issued', 'x'), /no pending call/);
    await sleep(100);
    assert.equal(frames.filter((f) => f.type === 'conversation.item.create' && (f.event.item as { type: string }).type === 'function_call_output').length, 0);
    assert.equal(frames.filter((f) => f.type === 'response.create').length, 1);
  });

  test('a connection lost while a tool runs: its signal aborts, its output is not sent anywhere, the turn fails', async () => {
    const { sim, frames } = await simulator();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let aborted = false;
    const slow = tool({
      name: 'get_current_weather',
      parameters: { type: 'object' },
      execute: (_args, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        started();
        return sleep(300).then(() => 'sunny');
      },
    });
    const s = await session(sim.url, { session: { turn_detection: null }, tools: [slow], reconnect: { baseDelayMs: 10 } });
    const turn = s.ask('Please call get_current_weather for Hangzhou');
    await within(running, 5000, 'the tool starts');
    s.client.terminate();
    assert.equal((await within(turn.done, 2000, 'turn')).status, 'failed');
    assert.equal(aborted, true);
    await within(once((fn) => s.on('reconnected', fn)), 5000, 'reconnected');
    await sleep(400);
    assert.equal(frames.filter((f) => f.type === 'conversation.item.create' && (f.event.item as { type: string }).type === 'function_call_output').length, 0, 'no stale output on the new connection (§0.2.10)');
  });
});
