/**
 * `dashscope-realtime simulate`: runs the embedded simulator until SIGINT/SIGTERM and prints its
 * URL on stdout, so that any client can talk to it: this SDK and CLI with no key at all (a
 * loopback URL gets the placeholder `Bearer local-no-key`, issue 17.1), the official DashScope
 * SDKs with any non-empty key.
 */
import { parseArgs, num, str, UsageError, unexpectedArgument } from './args.js';
import { describeFailure, EXIT, EXIT_HELP, sentence } from './exitCodes.js';
import { startSimulator } from '../simulator/index.js';

/** Help text of `simulate`. */
export const SIMULATE_HELP = `Usage: dashscope-realtime simulate [--port 0] [--host 127.0.0.1] [--speed 1] [--record FILE.jsonl] [--verbose]

Runs a local server that behaves like DashScope's Qwen-Omni-Realtime WebSocket API and prints its
URL (clients append ?model=<model>). This SDK and CLI need no key for a loopback URL such as
127.0.0.1: they send the placeholder 'Bearer local-no-key'. Other clients (the official
DashScope SDKs) send any non-empty key. Stop it with Ctrl-C.

Options:
  --port N          TCP port (0 picks a free one; default 0)
  --host ADDR       interface to bind (default 127.0.0.1)
  --speed X         response pace: 1 real time (default), 2 twice as fast, 0 as fast as possible
  --record FILE     append every frame (both directions, base64 shortened) to FILE as JSON lines
  --verbose         log connections and errors on stderr
  -h, --help        this help

Example:
  dashscope-realtime simulate --port 8765
  DASHSCOPE_REALTIME_URL=ws://127.0.0.1:8765/api-ws/v1/realtime dashscope-realtime chat --text hi   # no key

${EXIT_HELP}`;

/** Runs `simulate`; resolves with the exit code once stopped. */
export async function simulateCommand(argv: string[]): Promise<number> {
  let options;
  try {
    const args = parseArgs(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      speed: { type: 'string' },
      record: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (args.flags.help) {
      process.stdout.write(SIMULATE_HELP + '\n');
      return EXIT.ok;
    }
    if (args.positionals.length > 0) throw unexpectedArgument(args.positionals[0]!);
    const port = num(args, 'port', 0, 0, 65535);
    if (!Number.isInteger(port)) throw new UsageError(`option '--port' needs an integer, got '${String(args.flags.port)}'`);
    const host = str(args, 'host', '127.0.0.1')!;
    if (host === '') throw new UsageError("option '--host' needs an address");
    const record = str(args, 'record');
    if (record === '') throw new UsageError("option '--record' needs a file name");
    options = {
      port,
      host,
      speed: num(args, 'speed', 1, 0, 1000),
      ...(record !== undefined ? { recordPath: record } : {}),
      ...(args.flags.verbose ? { logger: (level: string, message: string) => void process.stderr.write(`[${level}] ${message}\n`) } : {}),
    };
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dashscope-realtime simulate: ${describeFailure(error).message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (error) {
    process.stderr.write(`dashscope-realtime simulate: ${sentence(`cannot listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`)}\n`);
    return EXIT.usage;
  }
  process.stdout.write(`Simulator listening on ${sim.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  return EXIT.ok;
}
