/**
 * A temporary folder for fake audio programs (recorders, players, stub executables), removed after
 * the test file: the Node audio I/O and the `talk` command are tested with these, never with a
 * real device.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** The folder and a way to write executable shell scripts into it. */
export interface FakePrograms {
  /** The temporary folder (also for the files the fake programs write). */
  dir: string;
  /** Writes an executable `#!/bin/sh` script with `body` and returns its path. */
  script(name: string, body: string): string;
}

/** Makes the folder (named after `prefix`) and removes it when the test file ends. */
export function fakePrograms(prefix: string): FakePrograms {
  const dir = mkdtempSync(join(tmpdir(), `dsrt-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    script(name, body) {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },
  };
}
