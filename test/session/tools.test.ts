import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tool, ValidationError } from '../../src/index.js';
import { runTool } from '../../src/session/tools.js';

const add = tool({
  name: 'add',
  parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false },
  execute: ({ a, b }: { a: number; b: number }) => a + b,
});

test('declared in the Chat Completions shape', () => {
  assert.deepEqual(add.declaration, { type: 'function', function: { name: 'add', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false } } });
  assert.throws(() => tool({ name: 'bad name', parameters: { type: 'object' }, execute: () => 1 }), ValidationError);
  assert.throws(() => tool({ name: 'x', parameters: { type: 'string' }, execute: () => 1 }), ValidationError);
});

test('arguments with the leading space of §4.18 are parsed and validated', async () => {
  assert.deepEqual(await runTool(add, 'add', ' {"a": 2, "b": 3}', 'c1'), { output: '5', status: 'ok' });
  const bad = await runTool(add, 'add', '{"a": "2", "c": 1}', 'c1');
  assert.equal(bad.status, 'invalid_arguments');
  assert.deepEqual(JSON.parse(bad.output).details, ['$.b: is required', '$.a: expected number, got string', '$.c: is not allowed']);
  assert.equal((await runTool(add, 'add', '{oops', 'c1')).status, 'invalid_arguments');
  assert.equal((await runTool(undefined, 'nope', '{}', 'c1')).status, 'unknown_tool');
});

test('a tool that throws or times out becomes an error output, and its signal aborts', async () => {
  const thrower = tool({ name: 'boom', parameters: { type: 'object' }, execute: () => { throw new Error('kaput'); } });
  const failed = await runTool(thrower, 'boom', '{}', 'c');
  assert.equal(failed.status, 'failed');
  assert.match(failed.output, /kaput/);
  let aborted = false;
  const slow = tool({
    name: 'slow',
    parameters: { type: 'object' },
    timeoutMs: 50,
    execute: (_args, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => { aborted = true; resolve('late'); })),
  });
  const timedOut = await runTool(slow, 'slow', '{}', 'c');
  assert.equal(timedOut.status, 'timeout');
  assert.match(timedOut.output, /timed out after 50 ms/);
  assert.equal(aborted, true);
});

test('a zod-like schema validates and declares', async () => {
  const zodLike = {
    safeParse: (v: unknown) => (typeof (v as { q?: unknown }).q === 'string' ? { success: true as const, data: v as { q: string } } : { success: false as const, error: { message: 'q must be a string', issues: [{ path: ['q'], message: 'Expected string' }] } }),
    toJSONSchema: () => ({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { q: { type: 'string' } } }),
  };
  const search = tool({ name: 'search', parameters: zodLike, execute: ({ q }) => `found ${q}` });
  assert.deepEqual(search.declaration.function.parameters, { type: 'object', properties: { q: { type: 'string' } } });
  assert.equal((await runTool(search as never, 'search', '{"q":"x"}', 'c')).output, 'found x');
  const bad = await runTool(search as never, 'search', '{"q":1}', 'c');
  assert.deepEqual(JSON.parse(bad.output).details, ['q: Expected string']);
});

test('an abort (interruption, close) ends a run at once, even for a tool that ignores its signal', async () => {
  const stubborn = tool({ name: 'stubborn', parameters: { type: 'object' }, timeoutMs: 10_000, execute: () => new Promise((r) => setTimeout(() => r('late'), 300)) });
  const controller = new AbortController();
  const run = runTool(stubborn, 'stubborn', '{}', 'c', controller.signal);
  controller.abort();
  const result = await run;
  assert.equal(result.status, 'aborted');
  assert.match(result.output, /aborted/);
  assert.equal((await runTool(stubborn, 'stubborn', '{}', 'c', AbortSignal.abort())).status, 'aborted', 'aborted before it ran');
});
