/**
 * Barge-in over WebRTC: TrackPlayback follows the assistant item on the media track from the
 * `"txt"` events (a test clock, no browser) and, when stopped, says what was heard and mutes the
 * reply until the next response.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrackPlayback } from '../../src/browser/trackPlayback.js';
import type { AnyServerEvent } from '../../src/protocol/serverEvents.js';

const part = { response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0 };
const ev = (e: Record<string, unknown>) => ({ event_id: 'event_x', ...e }) as unknown as AnyServerEvent;
const added = ev({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
const delta = ev({ type: 'response.audio_transcript.delta', ...part, delta: 'Hello ' });

function setup() {
  let now = 1000;
  const element = { muted: false } as HTMLMediaElement;
  const playback = new TrackPlayback(() => element, () => now);
  return { playback, element, advance: (ms: number) => (now += ms) };
}

test('a cut while the item still streams: heard is the time since its audio started; the reply is muted until the next response', () => {
  const { playback, element, advance } = setup();
  playback.observe(added);
  advance(300); // the transcript (and audio) starts after the item
  playback.observe(delta);
  advance(1200);
  assert.deepEqual(playback.stop(), { itemId: 'item_a1', heardMs: 1200, streamedMs: 1200, cut: true });
  assert.equal(element.muted, true, 'nothing more of the cut reply is heard');
  assert.deepEqual(playback.stop(), { itemId: undefined, heardMs: 0, streamedMs: 0, cut: false }, 'a second stop finds nothing');
  playback.observe(ev({ type: 'response.created', response: { id: 'resp_2', status: 'in_progress' } }));
  assert.equal(element.muted, false, 'the next response is heard');
});

test('a stop after the item ended cuts nothing, and heard never exceeds what played', () => {
  const { playback, element, advance } = setup();
  playback.observe(added);
  playback.observe(delta);
  advance(800);
  playback.observe(ev({ type: 'response.audio.done', ...part }));
  advance(5000);
  assert.deepEqual(playback.stop(), { itemId: 'item_a1', heardMs: 800, streamedMs: 800, cut: false });
  assert.equal(element.muted, false);
});

test('other items, function calls and a muted element are left alone', () => {
  const { playback, element, advance } = setup();
  playback.observe(ev({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_f', type: 'function_call', status: 'in_progress', call_id: 'c', name: 'f', arguments: '' } }));
  assert.equal(playback.stop().itemId, undefined, 'a function call is not audio');
  playback.observe(added);
  playback.observe(ev({ type: 'response.audio_transcript.delta', ...part, item_id: 'item_other', delta: 'x' }));
  advance(500);
  assert.deepEqual(playback.stop(), { itemId: 'item_a1', heardMs: 0, streamedMs: 0, cut: true }, 'no audio of this item started');
});

test('a mute the stop did not make stays after the next response', () => {
  const { playback, element } = setup();
  playback.observe(added);
  element.muted = true; // the user muted the reply
  assert.equal(playback.stop().cut, true);
  playback.observe(ev({ type: 'response.created', response: { id: 'resp_3', status: 'in_progress' } }));
  assert.equal(element.muted, true);
});
