/**
 * Where the tests find Chromium (Debian's, driven by playwright-core) and what they do without
 * it: outside CI the tests that need it skip with one line saying how to enable them, so that
 * `npm test` is green on a fresh machine; in CI (`CI=true`, set by `.ci/run`) they run and fail
 * with the same advice, because a matrix without its browser column must not go green there.
 */
import { existsSync } from 'node:fs';

/** The executable: `CHROMIUM_PATH`, else `/usr/bin/chromium`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What to do when {@link CHROMIUM} is missing. */
export const ENABLE_CHROMIUM = `no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH) to run the browser tests`;

/** True in CI, where a missing Chromium fails instead of skipping. */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/** The `skip` option of a test that needs Chromium: the one-line reason outside CI, else false. */
export function skipWithoutChromium(): string | false {
  return existsSync(CHROMIUM) || IN_CI ? false : ENABLE_CHROMIUM;
}

/** The executable; throws the advice when it is missing (in CI, where the test was not skipped). */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) throw new Error(`${ENABLE_CHROMIUM}; in CI (CI=true) it is required.`);
  return CHROMIUM;
}
