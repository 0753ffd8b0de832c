/**
 * What the Chromium tests share: how Chromium is launched (where it is: `chromiumPath.ts`) (fake microphone, WebRTC
 * between pages of one browser without mDNS or a network), and the browser entry built from
 * `dist/` as a script exposing `window.dsrt`, as a user's bundler would build it.
 */
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { requireChromium } from './chromiumPath.js';

const root = resolve(import.meta.dirname, '../..');

/** A headless Chromium whose microphone plays `wavPath` once. */
export async function launchChromium(profileDir: string, wavPath: string, timeoutMs: number): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: requireChromium(),
    headless: true,
    timeout: 30_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wavPath}%noloop`,
      // WebRTC between two pages of this browser, without mDNS names or a network.
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
    ],
  });
  context.setDefaultTimeout(timeoutMs);
  // tsx compiles the tests with esbuild's keepNames, which wraps named functions in `__name(…)`;
  // the callbacks given to page.evaluate run in the page, where that helper must exist too.
  await context.addInitScript('globalThis.__name = (target) => target;');
  return context;
}

/** The browser entry as a script exposing `window.dsrt`, built from dist as a user's bundler would. */
export async function harnessScript(): Promise<string> {
  const result = await build({ entryPoints: [join(root, 'dist/esm/browser/index.js')], bundle: true, write: false, format: 'iife', globalName: 'dsrt', platform: 'browser', logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}
