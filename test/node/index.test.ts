/**
 * `dashscope-realtime/node`: the entry exports the reviewed list, and the package's `exports`
 * entry resolves for ESM and CommonJS (the build in dist/, through the package's own name).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import * as node from '../../src/node/index.js';

const root = resolve(import.meta.dirname, '../..');

test('the entry exports the documented API', () => {
  assert.deepEqual(Object.keys(node).sort(), ['AudioDeviceError', 'Microphone', 'Speaker', 'playerCommand', 'recorderCommand']);
});

test('dashscope-realtime/node resolves for ESM and CommonJS', () => {
  const probe = 'typeof m.Microphone + " " + typeof m.Speaker + " " + (new m.AudioDeviceError("x", "audio_program_failed", { role: "player", command: "c" }) instanceof Error)';
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as m from 'dashscope-realtime/node'; console.log(${probe})`], { cwd: root, encoding: 'utf8' });
  const cjs = execFileSync(process.execPath, ['-e', `const m = require('dashscope-realtime/node'); console.log(${probe})`], { cwd: root, encoding: 'utf8' });
  assert.equal(esm.trim(), 'function function true');
  assert.equal(cjs, esm);
});
