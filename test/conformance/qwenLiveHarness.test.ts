/**
 * Conformance (issue 19): the Qwen team's own realtime client — npm `qwen-live-harness`, its
 * lowest layer `openQwenRealtimeSession`, live-proven against the service on qwen3.8 and qwen3.5
 * — run against our simulator. A client written by the service's own team that gets through a
 * call without an error, a timeout or a protocol diagnostic is the strongest offline evidence
 * that the simulator behaves like the service (protocol.md §0.2.25–28).
 *
 * The package needs Node ≥ 22.13, so the client runs in a Node 22 child process
 * (`fixtures/harnessClient.mjs`, installed from npm like the runtime matrix's, see
 * `test/runtimes/runtimes.ts`) against simulators started here on 127.0.0.1, and reports one
 * JSON result per scenario and model. Without Node 22 the test skips with one line, except in CI
 * (`CI=true`), where it fails.
 *
 * Run: `node --import tsx --test test/conformance/qwenLiveHarness.test.ts`
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { wavToPcm16Mono } from '../../src/audio/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { bin, ensureRuntimes } from '../runtimes/runtimes.js';

const MODELS = ['qwen3.8-omni-flash-realtime', 'qwen3.5-omni-plus-realtime'] as const;
/** The scenarios of issue 19, as `fixtures/harnessClient.mjs` names them. */
const SCENARIOS = ['connect', 'voice', 'bargeIn', 'tool', 'text', 'backendSpeech', 'imageAfterCommit', 'muted', 'close'] as const;
/** A model name the catalog does not have: refused at the upgrade (§1, §0.1.3). */
const REFUSED_MODEL = 'qwen-no-such-omni-realtime';
/** Bound of one child run (every scenario of one model; each scenario is bounded at 45 s inside). */
const CHILD_MS = 240_000;

interface ScenarioResult {
  model: string;
  scenario: string;
  ok: boolean;
  problems: string[];
  /** Wall time of the scenario, for the log only. */
  ms?: number;
}

/** The Node 22 executable, or why there is none (outside CI only: in CI a missing runtime fails). */
function node22(): { path: string } | { skip: string } {
  try {
    ensureRuntimes();
    return { path: bin.node22 };
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    return { skip: `qwen-live-harness needs Node ≥ 22.13, which could not be installed from npm (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

const runtime = node22();
const speechFixture = new URL('../fixtures/speech/weather.wav', import.meta.url);
const speechEndMs = (JSON.parse(readFileSync(new URL('../fixtures/speech/fixtures.json', import.meta.url), 'utf8')) as { fixtures: Array<{ file: string; segments: Array<{ offsetMs: number }> }> }).fixtures.find((f) => f.file === 'weather.wav')!.segments[0]!.offsetMs;

/** Runs the client on `models` in a Node 22 child; resolves with its results, keyed `model/scenario`. */
function runClient(node: string, input: Record<string, unknown>): Promise<Map<string, ScenarioResult>> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--disable-warning=ExperimentalWarning', fileURLToPath(new URL('fixtures/harnessClient.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'pipe'], timeout: CHILD_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const results = new Map<string, ScenarioResult>();
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('RESULT ')) continue;
        const result = JSON.parse(line.slice('RESULT '.length)) as ScenarioResult;
        results.set(`${result.model}/${result.scenario}`, result);
      }
      if (code !== 0) reject(new Error(`the harness client exited with ${signal ?? code} after ${results.size} results: ${stderr}`));
      else resolve(results);
    });
    child.stdin.end(JSON.stringify(input));
  });
}

describe('qwen-live-harness (the Qwen team\'s realtime client) against the simulator', { skip: 'skip' in runtime ? runtime.skip : false }, () => {
  const sims: Simulator[] = [];
  let results: Map<string, ScenarioResult>;

  before(async () => {
    if ('skip' in runtime) return;
    // Paced replies (twice real time), so that a reply is still playing when the user speaks
    // over it (barge-in); `speed: 0` would send each reply at once.
    const main = await startSimulator({ speed: 2 });
    // The simulator has no speech recognition: the tool scenario's audio "says" this.
    const tool = await startSimulator({ speed: 2, transcribe: () => 'What is the weather in Hangzhou today? Use get current weather.' });
    sims.push(main, tool);
    const { pcm } = wavToPcm16Mono(new Uint8Array(readFileSync(speechFixture)), 16_000);
    const base = {
      endpoints: { main: main.url, tool: tool.url },
      apiKey: 'sk-conformance-not-a-real-key',
      refusedModel: REFUSED_MODEL,
      scenarios: SCENARIOS,
      speechPcm: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64'),
      speechEndMs,
      jpeg: readFileSync(new URL('../../samples/frame.jpg', import.meta.url)).toString('base64'),
    };
    // One child per model, side by side: the scenarios inside each run one after another.
    const runs = await Promise.all(MODELS.map((model, i) => runClient(runtime.path, { ...base, models: [model], refused: i === 0 })));
    results = new Map(runs.flatMap((r) => [...r]));
  });

  after(async () => {
    for (const sim of sims) await sim.close();
  });

  test('a refused model is a configuration error at the upgrade, not a timeout', () => {
    const result = results.get(`${REFUSED_MODEL}/refusedModel`);
    assert.ok(result, 'the client ran the refused-model scenario');
    assert.deepEqual(result.problems, []);
  });

  for (const model of MODELS) {
    for (const scenario of SCENARIOS) {
      test(`${model}: ${scenario}`, (t) => {
        const result = results.get(`${model}/${scenario}`);
        assert.ok(result, `the client ran ${scenario} on ${model}`);
        t.diagnostic(`${result.ms} ms`);
        assert.deepEqual(result.problems, [], `what qwen-live-harness reported on ${model}, ${scenario}`);
      });
    }
  }
});
