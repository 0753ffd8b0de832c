/**
 * Issue 17.1 from the CLI: `DASHSCOPE_REALTIME_URL=<simulator>` with no key just works, and a
 * local server that wants a key is reported without talking about DashScope regions.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli } from './runCli.js';

let open: Simulator;
let strict: Simulator;
before(async () => {
  open = await startSimulator({ speed: 0 });
  strict = await startSimulator({ speed: 0, apiKeys: ['sk-only-this-one-0000000000'] });
});
after(async () => {
  await open.close();
  await strict.close();
});

test('chat with DASHSCOPE_REALTIME_URL=<simulator> and no key talks to that simulator', async () => {
  const r = await runCli(['chat', '--text', 'Hello'], { DASHSCOPE_REALTIME_URL: open.url });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.trim().length > 0, 'a reply');
  assert.equal(open.connectionCount, 1, 'the given simulator answered, not an embedded one');
});

test('a local server that wants a key: exit 3, no word of regions', async () => {
  const r = await runCli(['chat', '--text', 'Hello'], { DASHSCOPE_REALTIME_URL: strict.url });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /No API key was set/);
  assert.doesNotMatch(r.stderr, /region/i);
});
