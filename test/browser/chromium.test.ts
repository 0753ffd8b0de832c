/**
 * The browser path in headless Chromium (Debian's `chromium`, driven by playwright-core), with a
 * fake microphone playing a speech WAV: the example page talks to the simulator through the
 * relay, shows both transcripts and plays the reply (screenshot in test-artifacts/); the player
 * is gapless and its stop() count is right; the capture delivers 16 kHz chunks from the device
 * rate. Nothing the pages receive contains the key. WebRTC: `webrtcSession.test.ts`.
 *
 * One browser for every check, closed in `finally`; each check and the whole run are bounded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ExampleState } from '../../examples/browser/app.js';
import { harnessScript, launchChromium } from './browserHarness.js';
import { skipWithoutChromium } from './chromiumPath.js';
import { microphoneWav } from './fakeMicrophone.js';
import { startRelay, type RunningRelay } from '../../src/relay/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const root = resolve(import.meta.dirname, '../..');
const KEY = 'sk-browser-test-key-4b1d9e07';
const ARTIFACTS = join(root, 'test-artifacts');
const HARD_TIMEOUT_MS = 150_000;
const STEP_MS = 20_000;


async function poll<T>(page: Page, fn: () => T | Promise<T>, ok: (value: T) => boolean, what: string, ms = STEP_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = (await page.evaluate(fn)) as T;
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


test('the browser path in headless Chromium', { timeout: HARD_TIMEOUT_MS, skip: skipWithoutChromium() }, async (t: TestContext) => {
  const dir = mkdtempSync(join(tmpdir(), 'dsrt-chromium-'));
  const wavPath = microphoneWav(dir);
  const script = await harnessScript();
  const sim: Simulator = await startSimulator({ speed: 0 });
  const relay: RunningRelay = await startRelay({
    url: sim.url,
    apiKey: KEY,
    env: {},
    staticDir: join(root, 'dist/example'),
  });
  let context: BrowserContext | undefined;
  const received: string[] = []; // every WebSocket frame and HTTP body the pages got
  const pageErrors: string[] = [];
  const launchStarted = Date.now();
  try {
    context = await launchChromium(join(dir, 'profile'), wavPath, STEP_MS);
    t.diagnostic(`Chromium started in ${Date.now() - launchStarted} ms`);
    const watch = (page: Page) => {
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
      page.on('response', (r) => void r.text().then((body) => received.push(body), () => {}));
    };
    const harness = async (): Promise<Page> => {
      const page = await context!.newPage();
      watch(page);
      await page.route(`${relay.url}/harness.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>harness</title><body></body>' }));
      await page.goto(`${relay.url}/harness.html`);
      await page.addScriptTag({ content: script });
      return page;
    };

    await t.test('the example page: talk, both transcripts, the reply played; a screenshot', async () => {
      const started = Date.now();
      const page = await context!.newPage();
      watch(page);
      await page.goto(`${relay.url}/`);
      assert.equal(await page.textContent('#talk'), 'Talk');
      await page.click('#talk');
      const playing = await poll(page, () => (globalThis as unknown as { dsrtExample: ExampleState }).dsrtExample, (s) => s.responsesDone >= 1 && s.playedMs > 400, 'a reply playing');
      await page.evaluate(() => new Promise((r) => setTimeout(r, 150))); // let the meters catch up for the picture
      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'browser-example.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
      assert.match(playing.user[0] ?? '', /^\(speech, 2\.\d s\)$/, 'the user transcript: the simulator describes 2.1 s of speech');
      assert.match(playing.assistant[0] ?? '', /^I heard [\d.]+ seconds of audio\.$/);
      assert.ok([44_100, 48_000, 16_000].includes(playing.micSampleRate), `device rate ${playing.micSampleRate}`);
      // The whole reply has arrived (response.done) but is still playing: not the user's turn yet.
      if (playing.playedMs < playing.receivedMs - 200) assert.equal(playing.status, 'Assistant speaking…');
      const done = await poll(page, () => (globalThis as unknown as { dsrtExample: ExampleState }).dsrtExample, (s) => s.status.startsWith('Your turn'), 'the whole reply played and the turn handed back');
      assert.ok(done.playedMs >= done.receivedMs - 50, `"Your turn" only after the reply played (${Math.round(done.playedMs)} of ${Math.round(done.receivedMs)} ms)`);
      assert.ok(done.receivedMs > 1000, `reply audio ${done.receivedMs} ms`);
      assert.deepEqual(done.errors, []);
      assert.equal(await page.locator('.turn.user').count(), 1);
      assert.equal(await page.locator('.turn.assistant .text').textContent(), done.assistant[0]);
      await page.click('#talk'); // Stop
      await poll(page, () => (globalThis as unknown as { dsrtExample: ExampleState }).dsrtExample.listening, (v) => v === false, 'stopped');
      await page.close();
      t.diagnostic(`example conversation took ${Date.now() - started} ms`);
    });

    await t.test('StreamingPlayer is gapless: rendered offline, the output is the input, sample for sample', async () => {
      const page = await harness();
      const result = await page.evaluate(async () => {
        const { StreamingPlayer } = (globalThis as unknown as { dsrt: typeof import('../../src/browser/index.js') }).dsrt;
        const rate = 24_000;
        const context = new OfflineAudioContext(1, rate, rate);
        const player = await StreamingPlayer.create({ audioContext: context as unknown as AudioContext });
        const chunks: Int16Array[] = [];
        // Rendering pauses at frame 0 while the deltas are written and reach the audio thread.
        void context.suspend(0).then(async () => {
          for (let c = 0; c < 7; c++) {
            const chunk = new Int16Array(c === 3 ? 77 : 2400); // uneven deltas, as the service sends them
            for (let i = 0; i < chunk.length; i++) chunk[i] = Math.round(8000 * Math.sin((c * 2400 + i) / 9)) + 1; // never 0: a gap would show
            chunks.push(chunk);
            player.write(chunk, rate);
          }
          await new Promise((r) => setTimeout(r, 200));
          await context.resume();
        });
        const rendered = (await context.startRendering()).getChannelData(0);
        const expected = chunks.flatMap((c) => Array.from(c, (s) => (s < 0 ? s / 32768 : s / 32767))); // the audio kit's scaling
        let mismatches = 0;
        let first = -1;
        for (let i = 0; i < expected.length; i++) {
          if (Math.abs(rendered[i]! - expected[i]!) > 1e-6) {
            mismatches++;
            if (first < 0) first = i;
          }
        }
        return { expected: expected.length, mismatches, first, around: first < 0 ? [] : Array.from(rendered.subarray(first, first + 4)), after: Array.from(rendered.subarray(expected.length, expected.length + 10)) };
      });
      assert.equal(result.expected, 6 * 2400 + 77);
      assert.equal(result.mismatches, 0, `every sample in place, no gap between deltas (first difference at ${result.first}: ${result.around.join(', ')})`);
      assert.deepEqual(result.after, new Array(10).fill(0), 'silence after the queue ran dry');
      await page.close();
    });

    await t.test('StreamingPlayer.stop() returns the samples actually heard and drops the rest; volume', async () => {
      const page = await harness();
      const result = await page.evaluate(async () => {
        const { StreamingPlayer } = (globalThis as unknown as { dsrt: typeof import('../../src/browser/index.js') }).dsrt;
        const player = await StreamingPlayer.create();
        await player.resume();
        const second = new Int16Array(24_000).fill(3000);
        player.write(second, 24_000);
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, 500));
        const elapsedMs = performance.now() - t0;
        const heard = player.stop();
        const afterStop = { playing: player.playing, bufferedMs: player.bufferedMs, played: player.playedSamples };
        player.volume = 0.25;
        let volumeError = '';
        try {
          player.volume = -1;
        } catch (error) {
          volumeError = (error as Error).name;
        }
        player.write(new Int16Array(2400).fill(100), 24_000);
        await new Promise((r) => setTimeout(r, 300));
        const secondHeard = player.stop();
        await player.close();
        return { heard, elapsedMs, afterStop, volumeError, secondHeard, rate: player.sampleRate };
      });
      assert.equal(result.rate, 24_000);
      // Heard what the clock says played, within output latency and one report interval.
      const expected = (result.elapsedMs / 1000) * 24_000;
      assert.ok(result.heard > 0.5 * expected && result.heard <= expected + 1200, `heard ${result.heard} of ~${Math.round(expected)} samples`);
      assert.ok(result.heard < 24_000, 'not the whole second: the rest was dropped');
      assert.deepEqual(result.afterStop, { playing: false, bufferedMs: 0, played: 0 });
      assert.equal(result.volumeError, 'ValidationError');
      assert.equal(result.secondHeard, 2400, 'a short second write was heard whole; counts restart after a stop');
      await page.close();
    });

    await t.test('MicrophoneCapture: device-rate audio in a worklet → 100 ms chunks of 16 kHz PCM16, with a level', async () => {
      const page = await harness();
      const result = await page.evaluate(async () => {
        const { MicrophoneCapture } = (globalThis as unknown as { dsrt: typeof import('../../src/browser/index.js') }).dsrt;
        const sizes: number[] = [];
        let peak = 0;
        let maxLevel = 0;
        const mic = await MicrophoneCapture.start({
          onChunk: (pcm) => {
            sizes.push(pcm.length);
            for (const s of pcm) peak = Math.max(peak, Math.abs(s));
          },
        });
        const deviceRate = mic.deviceSampleRate;
        const until = performance.now() + 3500;
        while (performance.now() < until) {
          maxLevel = Math.max(maxLevel, mic.level);
          await new Promise((r) => setTimeout(r, 20));
        }
        await mic.stop();
        const tracksLive = mic.stream.getTracks().filter((t) => t.readyState === 'live').length;
        return { sizes, peak, maxLevel, deviceRate, tracksLive, sampleRate: mic.sampleRate };
      });
      assert.equal(result.sampleRate, 16_000);
      assert.ok(result.sizes.length >= 25, `${result.sizes.length} chunks in 3.5 s`);
      assert.ok(result.sizes.slice(0, -1).every((n) => n === 1600), 'every chunk but the last is 100 ms at 16 kHz');
      assert.ok(result.sizes.at(-1)! <= 1600);
      assert.ok(result.peak > 1000, `speech reached the chunks (peak ${result.peak})`);
      assert.ok(result.maxLevel > 0.01, `the level meter moved (${result.maxLevel})`);
      assert.equal(result.tracksLive, 0, 'stop() released the microphone');
      t.diagnostic(`device rate ${result.deviceRate} Hz`);
    });

    await t.test('nothing the pages received contains the key, and no page threw', () => {
      assert.ok(received.length > 50, `${received.length} frames and bodies checked`);
      for (const text of received) assert.ok(!text.includes(KEY), 'the API key reached a page');
      assert.deepEqual(pageErrors, []);
    });
  } finally {
    await context?.close().catch(() => {});
    await relay.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
