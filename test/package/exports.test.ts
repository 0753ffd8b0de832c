/**
 * The public API is a reviewed list: every entry point's exports, values and types, read from the
 * built package (`dist/`, run `npm run build` first) and compared with `exports.snapshot.json`.
 * A change to an entry point fails here until the snapshot is updated on purpose:
 * `UPDATE_EXPORTS_SNAPSHOT=1 node --import tsx --test test/package/exports.test.ts`, then review
 * the diff. Also checks that the ESM and CommonJS builds export the same values, that no
 * internal helper leaks into the root entry, and that `@internal` members are not in the `.d.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const snapshotPath = join(import.meta.dirname, 'exports.snapshot.json');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { import?: { types: string; default: string }; require?: { default: string } } | string> };

/** Entry points of package.json `exports` (the package.json itself aside). */
const entries = Object.entries(pkg.exports).filter((e): e is [string, { import: { types: string; default: string }; require: { default: string } }] => typeof e[1] === 'object');

/** Every name a `.d.ts` entry exports (values and types), read with the compiler as a user's editor would. */
function declaredExports(dts: string): string[] {
  const program = ts.createProgram([dts], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(dts);
  assert.ok(source, `${dts} exists (run npm run build)`);
  const symbol = checker.getSymbolAtLocation(source);
  assert.ok(symbol, `${dts} is a module`);
  return checker.getExportsOfModule(symbol).map((s) => s.name).sort();
}

async function runtimeExports(entry: { import: { default: string }; require: { default: string } }): Promise<{ esm: string[]; cjs: string[] }> {
  const esm = Object.keys(await import(pathToFileURL(join(root, entry.import.default)).href)).filter((k) => k !== 'default').sort();
  const cjs = Object.keys(createRequire(import.meta.url)(join(root, entry.require.default)) as object).filter((k) => k !== '__esModule').sort();
  return { esm, cjs };
}

describe('public API', async () => {
  const actual: Record<string, string[]> = {};
  for (const [name, entry] of entries) actual[name] = declaredExports(join(root, entry.import.types));
  if (process.env.UPDATE_EXPORTS_SNAPSHOT === '1') writeFileSync(snapshotPath, JSON.stringify(actual, null, 2) + '\n');
  const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Record<string, string[]>;

  for (const [name, entry] of entries) {
    test(`${name}: the exports are the reviewed list`, () => {
      const expected = snapshot[name] ?? [];
      const added = actual[name]!.filter((n) => !expected.includes(n));
      const removed = expected.filter((n) => !actual[name]!.includes(n));
      assert.deepEqual({ added, removed }, { added: [], removed: [] }, `${name} changed; if on purpose, update the snapshot (see the file comment)`);
    });

    test(`${name}: ESM and CommonJS export the same values, all declared`, async () => {
      const { esm, cjs } = await runtimeExports(entry);
      assert.deepEqual(cjs, esm);
      const undeclared = esm.filter((n) => !actual[name]!.includes(n));
      assert.deepEqual(undeclared, [], 'every runtime export has a type declaration');
    });
  }

  test('no entry point has an entry the snapshot does not know', () => {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(snapshot).sort());
  });

  test('internals stay off the root entry', () => {
    const internals = ['newServerId', 'newEventId', 'newClientItemId', 'newCallId', 'SERVER_EVENT_FIELDS', 'describeShapeProblem', 'ResponseSequencer', 'runTool', 'backoffDelay', 'isRetryable', 'withModel', 'audioTokens', 'EventChannel', 'Connection'];
    assert.deepEqual(actual['.']!.filter((n) => internals.includes(n)), []);
  });

  test('@internal members are stripped from the declarations', () => {
    const turn = readFileSync(join(root, 'dist/esm/session/turn.d.ts'), 'utf8');
    for (const member of ['responseCreated', 'transcriptDelta', 'audioDelta', 'toolCall']) assert.doesNotMatch(turn, new RegExp(`\\b${member}\\(`), `Turn.${member} is @internal`);
    assert.match(turn, /markInputEnd/, 'public members stay');
  });
});
