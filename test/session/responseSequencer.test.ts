/**
 * The response sequencer on its own: one request at a time, responses matched by id, a cut
 * response over at its item's end or the settle bound (protocol.md §5.3), the tool continuation
 * first, refusals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseSequencer } from '../../src/session/responseSequencer.js';
import { sleep } from './helpers.js';

function harness(settleMs = 50) {
  const sent: string[] = [];
  let idle = 0;
  const seq = new ResponseSequencer(settleMs, () => idle++);
  const request = (name: string) => seq.request(() => (sent.push(name), `evt_${name}`));
  return { seq, sent, request, idle: () => idle };
}

test('one request at a time; a late response.done of another response ends nothing', () => {
  const { seq, sent, request } = harness();
  request('a');
  request('b');
  assert.deepEqual(sent, ['a']);
  assert.equal(seq.waiting, 1);
  seq.started('resp_a');
  assert.equal(seq.ended('resp_old'), false);
  assert.deepEqual(sent, ['a']);
  assert.equal(seq.ended('resp_a'), true);
  assert.deepEqual(sent, ['a', 'b']);
});

test('a cut response is over at its output_item.done, or after the settle bound', async () => {
  const { seq, sent, request } = harness(50);
  request('a');
  seq.started('resp_a');
  request('b');
  assert.equal(seq.cut(), 'resp_a');
  assert.equal(seq.responding, false);
  seq.itemDone('resp_a');
  assert.deepEqual(sent, ['a', 'b']);
  seq.started('resp_b');
  request('c');
  seq.cut();
  await sleep(120);
  assert.deepEqual(sent, ['a', 'b', 'c'], 'settled by the bound');
  assert.equal(seq.ended('resp_b'), false, 'its late response.done ends nothing');
});

test('a request cut before its response started: that response is reported cut', () => {
  const { seq, request } = harness();
  request('a');
  assert.equal(seq.cut(), undefined);
  assert.deepEqual(seq.started('resp_a'), { previous: undefined, cut: true, requested: true });
});

test('§0.2.8: a response that starts while another is open reports the open one', () => {
  const { seq } = harness();
  seq.started('resp_1');
  assert.deepEqual(seq.started('resp_2'), { previous: 'resp_1', cut: false, requested: false });
  assert.equal(seq.responseId, 'resp_2');
});

test('hold: the tool continuation goes before queued requests', () => {
  const { seq, sent, request } = harness();
  request('a');
  seq.started('resp_a');
  request('b');
  assert.equal(seq.hold('resp_a'), true);
  assert.deepEqual(sent, ['a']);
  seq.release(() => (sent.push('continuation'), 'evt_c'));
  assert.deepEqual(sent, ['a', 'continuation']);
  seq.started('resp_c');
  seq.ended('resp_c');
  assert.deepEqual(sent, ['a', 'continuation', 'b']);
});

test('refused: our pending request is over unless a response started since', () => {
  const { seq, sent, request, idle } = harness();
  request('a');
  request('b');
  assert.equal(seq.refused('evt_other'), false);
  assert.equal(seq.refused('evt_a'), true);
  assert.deepEqual(sent, ['a', 'b']);
  seq.started('resp_b');
  assert.equal(seq.refused('evt_b'), false, 'harmless after response.created');
  seq.ended('resp_b');
  assert.equal(idle(), 1);
});

test('a send that throws leaves the sequencer idle', () => {
  const { seq } = harness();
  assert.throws(() => seq.request(() => { throw new Error('not connected'); }), /not connected/);
  assert.equal(seq.active, false);
});
