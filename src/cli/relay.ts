/**
 * `dashscope-realtime relay`: runs the browser relay until SIGINT/SIGTERM and prints its URLs.
 * The key comes from DASHSCOPE_API_KEY (never printed); `--simulator` relays to the embedded
 * simulator instead, and `--example` also serves the example page (built into dist/example by
 * `npm run build`).
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { InputError, parseArgs, num, str, UsageError, unexpectedArgument } from './args.js';
import { describeFailure, EXIT, EXIT_HELP, sentence } from './exitCodes.js';
import { startRelay, type RelayOptions } from '../relay/index.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import type { Region } from '../protocol/endpoints.js';
import { ValidationError } from '../errors.js';

/** Help text of `relay`. */
export const RELAY_HELP = `Usage: dashscope-realtime relay [--port 0] [--host 127.0.0.1] [--simulator] [--example | --static DIR] [--allow-origin ORIGIN]… [--token T]

Runs a relay that browsers connect to without an API key: it adds DASHSCOPE_API_KEY on the
upstream handshake, checks origins and an optional token, limits each connection, and forwards
WebRTC SDP offers (not with --simulator: WebRTC is not simulated). Prints its URL. Stop it with
Ctrl-C.

Options:
  --port N             TCP port (0 picks a free one; default 0)
  --host ADDR          interface to bind (default 127.0.0.1)
  --simulator          relay to the embedded simulator instead of DashScope (no key needed)
  --speed X            simulator pace: 1 real time (default), 0 as fast as possible
  --example            also serve the example page (examples/browser, built by npm run build)
  --static DIR         also serve your own page: the files of DIR (index.html at /), on the
                       relay's origin, which it admits without --allow-origin
  --allow-origin O     an origin allowed besides the relay's own, e.g. https://app.example.com
                       (repeatable; '*' allows any)
  --token T            require ?token=T on the WebSocket URL, or Authorization: Bearer T
  --url URL            upstream WebSocket URL (default DASHSCOPE_REALTIME_URL or the region's host)
  --region R           beijing, singapore or qwencloud (default DASHSCOPE_REGION or beijing)
  --workspace ID       workspace id (default DASHSCOPE_WORKSPACE_ID)
  --verbose            log connections and closes on stderr (never frames or keys)
  -h, --help           this help

Examples:
  dashscope-realtime relay --simulator --example      # then open the printed URL
  dashscope-realtime relay --simulator --static ./public --token dev

${EXIT_HELP}`;

/** Where the built example page is: beside this build (dist/example), or under the working directory. */
export function findExampleDir(): string | undefined {
  const candidates: string[] = [];
  const script = process.argv[1];
  if (script) {
    try {
      candidates.push(resolve(dirname(realpathSync(script)), '../../example'));
    } catch {
      // not a file: fall through to the working directory
    }
  }
  candidates.push(resolve(process.cwd(), 'dist/example'));
  return candidates.find((dir) => existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js')));
}

/** An `authenticate` hook accepting `?token=T` or `Authorization: Bearer T`, compared in constant time. */
export function tokenAuthenticator(token: string): (request: IncomingMessage) => boolean {
  const expected = Buffer.from(token, 'utf8');
  const same = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const g = Buffer.from(given, 'utf8');
    return g.length === expected.length && timingSafeEqual(g, expected);
  };
  return (request) => {
    const query = new URL(request.url ?? '/', 'http://relay.invalid').searchParams.get('token');
    const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    return same(query) || same(bearer);
  };
}

interface Parsed {
  options: RelayOptions;
  simulator: boolean;
  speed: number;
  example: boolean;
  /** `--static DIR`, resolved. */
  staticDir: string | undefined;
  hasToken: boolean;
}

function parse(argv: string[]): Parsed | 'help' {
  const args = parseArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    simulator: { type: 'boolean' },
    speed: { type: 'string' },
    example: { type: 'boolean' },
    static: { type: 'string' },
    'allow-origin': { type: 'string', repeat: true },
    token: { type: 'string' },
    url: { type: 'string' },
    region: { type: 'string' },
    workspace: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (args.flags.help) return 'help';
  if (args.positionals.length > 0) throw unexpectedArgument(args.positionals[0]!);
  const port = num(args, 'port', 0, 0, 65535);
  if (!Number.isInteger(port)) throw new UsageError(`option '--port' needs an integer, got '${String(args.flags.port)}'`);
  const host = str(args, 'host', '127.0.0.1')!;
  if (host === '') throw new UsageError("option '--host' needs an address");
  const token = str(args, 'token');
  if (token === '') throw new UsageError("option '--token' needs a value");
  const origins = (args.flags['allow-origin'] as string[] | undefined) ?? [];
  const simulator = args.flags.simulator === true;
  if (simulator && args.flags.url !== undefined) throw new UsageError("options '--simulator' and '--url' exclude each other");
  const staticArg = str(args, 'static');
  if (staticArg !== undefined && args.flags.example) throw new UsageError("options '--example' and '--static' exclude each other");
  let staticDir: string | undefined;
  if (staticArg !== undefined) {
    staticDir = resolve(staticArg);
    if (!statSync(staticDir, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`--static ${staticArg}: no such folder`);
    if (!existsSync(join(staticDir, 'index.html'))) throw new InputError(`--static ${staticArg} has no index.html to serve at /`);
  }
  const options: RelayOptions = { host, port };
  if (origins.includes('*')) options.allowedOrigins = '*';
  else if (origins.length > 0) options.allowedOrigins = origins;
  if (token !== undefined) options.authenticate = tokenAuthenticator(token);
  const url = str(args, 'url');
  if (url !== undefined) options.url = url;
  const region = str(args, 'region');
  if (region !== undefined) options.region = region as Region;
  const workspace = str(args, 'workspace');
  if (workspace !== undefined) options.workspaceId = workspace;
  if (args.flags.verbose) options.logger = (level, message) => void process.stderr.write(`[relay ${level}] ${message}\n`);
  // The simulator has no WebRTC endpoint (§6): the signalling route would only forward to a 404.
  if (simulator) options.webrtc = false;
  return { options, simulator, speed: num(args, 'speed', 1, 0, 1000), example: args.flags.example === true, staticDir, hasToken: token !== undefined };
}

/** Runs `relay`; resolves with the exit code once stopped. */
export async function relayCommand(argv: string[]): Promise<number> {
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dashscope-realtime relay: ${describeFailure(error).message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (parsed === 'help') {
    process.stdout.write(RELAY_HELP + '\n');
    return EXIT.ok;
  }
  const { options } = parsed;
  if (parsed.example) {
    const dir = findExampleDir();
    if (!dir) {
      process.stderr.write('dashscope-realtime relay: the example page is not built (dist/example). Run npm run build first.\n');
      return EXIT.usage;
    }
    options.staticDir = dir;
  }
  if (parsed.staticDir) options.staticDir = parsed.staticDir;
  let sim: Simulator | undefined;
  if (parsed.simulator) {
    sim = await startSimulator({ speed: parsed.speed });
    options.url = sim.url;
    options.apiKey = 'simulator';
    options.env = {};
  } else if (!process.env.DASHSCOPE_API_KEY) {
    process.stderr.write('dashscope-realtime relay: set DASHSCOPE_API_KEY (the relay adds it upstream; browsers never see it), or use --simulator.\n');
    return EXIT.usage;
  }
  let relay;
  try {
    relay = await startRelay(options);
  } catch (error) {
    await sim?.close();
    if (error instanceof ValidationError) {
      process.stderr.write(`dashscope-realtime relay: ${sentence(error.message)}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`dashscope-realtime relay: ${sentence(`cannot listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`)}\n`);
    return EXIT.usage;
  }
  // Handlers first: whoever reads the URL below may signal at once.
  const stopped = new Promise<void>((resolvePromise) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolvePromise();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(`Relay listening on ${relay.url}\n`);
  process.stdout.write(`  WebSocket: ${relay.wsUrl}?model=qwen3.5-omni-plus-realtime${parsed.hasToken ? '&token=…' : ''}\n`);
  if (relay.signalingUrl) process.stdout.write(`  WebRTC signalling: POST ${relay.signalingUrl}?model=…\n`);
  else if (sim) process.stdout.write('  WebRTC: not simulated (the simulator speaks WebSocket only); relay to DashScope for WebRTC\n');
  const tokenHint = parsed.hasToken ? ' (add ?token=… to the address)' : '';
  if (parsed.example) process.stdout.write(`  Example page: ${relay.url}/${tokenHint}\n`);
  if (parsed.staticDir) process.stdout.write(`  Your page: ${relay.url}/ (from ${parsed.staticDir})${tokenHint}\n`);
  process.stdout.write(`  Upstream: ${sim ? `the embedded simulator (${sim.url})` : 'DashScope, with the key from DASHSCOPE_API_KEY'}\n`);
  if (!parsed.hasToken && !sim) {
    process.stderr.write('Warning: no --token: anyone who can reach this port can use your API key.\n');
  }
  await stopped;
  await relay.close();
  await sim?.close();
  return EXIT.ok;
}
