/**
 * The CLI's exit codes (src/cli/exitCodes.ts) for failures after connecting, as a subprocess
 * against the simulator's fault options and a host that never answers: a reply timeout exits 4,
 * a server error 5, a silent host 4 after one progress line (`--connect-timeout`). No path exits
 * with the undocumented 1.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { InputError, UsageError } from '../../src/cli/args.js';
import { describeFailure, EXIT } from '../../src/cli/exitCodes.js';
import { AbortError, ProtocolError, ValidationError } from '../../src/errors.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { runCli } from './runCli.js';

const KEY = { DASHSCOPE_API_KEY: 'sk-exit-codes-0000000000000000000' };

function oneSentence(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.match(lines.at(-1)!, /[.!?)]$/, `ends with punctuation: ${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('no failure maps to the undocumented exit 1; messages are sentences; the help hint only for usage errors', () => {
  assert.ok(!(Object.values(EXIT) as number[]).includes(1));
  const cases: Array<[unknown, number, RegExp]> = [
    [new UsageError("unknown option '--x'"), 2, /^unknown option '--x'\. Run with --help for usage\.$/],
    [new InputError('input file not found: a.wav'), 2, /^input file not found: a\.wav\.$/],
    [new ValidationError('Unknown region.', 'region'), 2, /^Unknown region\.$/],
    [new ProtocolError('bad frame', 'invalid_json'), 5, /^The server broke the protocol: bad frame\.$/],
    [new AbortError('connect'), 130, /\.$/],
    [new InputError('cannot read input a.wav (EACCES)'), 2, /^cannot read input a\.wav \(EACCES\)\.$/],
    [new InputError("the list: 'a', 'b'. (see 'models')"), 2, /^the list: 'a', 'b'\. \(see 'models'\)\.$/],
    [new InputError('Say it again (please.)'), 2, /^Say it again \(please\.\)$/],
    [new TypeError('x is not a function'), 70, /^x is not a function\. This is an internal error: please report it with the command you ran\.$/],
    ['a string', 70, /^a string\./],
  ];
  for (const [error, code, message] of cases) {
    const d = describeFailure(error);
    assert.equal(d.code, code, String(error));
    assert.match(d.message, message);
  }
});

describe('failures after connecting (issue 17.4)', () => {
  let slow: Simulator;
  let failing: Simulator;
  before(async () => {
    // The reply would start after 60 s: --timeout 1 gives up first.
    slow = await startSimulator({ speed: 1, firstOutputDelayMs: 60_000 });
    // An error event during the reply: after session.created, session.updated,
    // conversation.item.created and response.created (§4.1).
    failing = await startSimulator({ speed: 0, faults: { errorAfterEvents: 4, error: { type: 'server_error', code: 'InternalError', message: 'Injected for the test' } } });
  });
  let early: Simulator;
  before(async () => {
    // The error (and close, §4.1) right after session.updated: it may beat the turn's first send.
    early = await startSimulator({ speed: 0, faults: { errorAfterEvents: 2 } });
  });
  after(async () => {
    await slow.close();
    await failing.close();
    await early.close();
  });

  test('an error as the turn is being sent: exit 4 or 5, and the process ends instead of waiting for the reply timer', async () => {
    // Before the fix it printed its line and then waited for the 120 s reply timer.
    const r = await runCli(['chat', '--text', 'hi', '--url', early.url], KEY, { timeoutMs: 20_000 });
    assert.ok(r.code === 4 || r.code === 5, `exit ${r.code}: ${r.stderr}`);
    oneSentence(r.stderr);
  });

  test('a reply that does not come within --timeout exits 4', async () => {
    const r = await runCli(['chat', '--text', 'hi', '--url', slow.url, '--timeout', '1'], KEY);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /reply/i);
    assert.match(r.stderr, /--timeout/);
    oneSentence(r.stderr);
  });

  test('a server error exits 5 and names the error; the process ends at once', async () => {
    const r = await runCli(['chat', '--text', 'hi', '--url', failing.url], KEY);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /The server answered with an error \(InternalError\): Injected for the test/);
    oneSentence(r.stderr);
  });
});

describe('a host that accepts TCP and stays silent (issue 17.5)', () => {
  let server: Server;
  let url: string;
  const sockets: Socket[] = [];
  before(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    url = `ws://127.0.0.1:${port}/api-ws/v1/realtime`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test('--connect-timeout: one progress line while connecting, then exit 4 naming the timeout', async () => {
    const r = await runCli(['chat', '--text', 'hi', '--url', url, '--connect-timeout', '2'], KEY, { timeoutMs: 30_000 });
    assert.equal(r.code, 4, r.stderr);
    const progress = r.stderr.split('\n').filter((l) => /Still connecting/.test(l));
    assert.deepEqual(progress, [`Still connecting to ${new URL(url).host}… (giving up after 2 s; change it with --connect-timeout S).`]);
    assert.match(r.stderr, /2000 ms|2 s/);
    oneSentence(r.stderr);
  });

  test('--connect-timeout takes seconds within bounds', async () => {
    const r = await runCli(['chat', '--text', 'hi', '--connect-timeout', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /option '--connect-timeout' needs a number from 0\.1 to 600, got 'soon'\. Run with --help for usage\./);
  });
});
