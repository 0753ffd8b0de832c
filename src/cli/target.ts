/**
 * Where the CLI connects: DashScope when a key is set, otherwise (or with `--simulator`) the
 * embedded simulator, started in-process and announced on stderr. The endpoint flags are checked
 * as production checks them either way (preflight.ts), and a slow connect says so once.
 */
import type { RealtimeClientOptions } from '../client/options.js';
import type { Region } from '../protocol/endpoints.js';
import { startSimulator } from '../simulator/index.js';
import { num, type FlagSpec, type ParsedArgs } from './args.js';
import { checkEndpointFlags } from './preflight.js';

/** Flags that choose the target. */
export interface TargetFlags {
  model: string;
  region?: string | undefined;
  workspace?: string | undefined;
  url?: string | undefined;
  simulator: boolean;
  /** Simulator speed: 1 real time, 0 as fast as possible. */
  simulatorSpeed: number;
  /** `--connect-timeout` in ms: the client's `timeouts.connectMs`. Default {@link DEFAULT_CONNECT_TIMEOUT_S}. */
  connectTimeoutMs?: number | undefined;
}

/** An opened target: client options plus what to close afterwards. */
export interface Target {
  options: RealtimeClientOptions;
  simulated: boolean;
  /** Where it connects, for messages: the host, or "the embedded simulator". */
  label: string;
  close(): Promise<void>;
}

/** Chooses and, for the simulator, starts the target. */
export async function openTarget(flags: TargetFlags, env: Record<string, string | undefined>, log: (line: string) => void): Promise<Target> {
  checkEndpointFlags(flags, env);
  const timeouts = { timeouts: { connectMs: flags.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_S * 1000 } };
  const useSimulator = flags.simulator || (!env.DASHSCOPE_API_KEY && !flags.url && !env.DASHSCOPE_REALTIME_URL);
  if (useSimulator) {
    const sim = await startSimulator({ speed: flags.simulatorSpeed });
    log(`${flags.simulator ? 'Using' : 'No DASHSCOPE_API_KEY set: using'} the embedded simulator at ${sim.url} (replies are synthetic; set DASHSCOPE_API_KEY to talk to DashScope).`);
    return {
      options: { model: flags.model, url: sim.url, apiKey: 'simulator', env: {}, ...timeouts },
      simulated: true,
      label: 'the embedded simulator',
      close: () => sim.close(),
    };
  }
  const options: RealtimeClientOptions = { model: flags.model, env, ...timeouts };
  if (flags.region !== undefined) options.region = flags.region as Region;
  if (flags.workspace !== undefined) options.workspaceId = flags.workspace;
  if (flags.url !== undefined) options.url = flags.url;
  const url = flags.url ?? env.DASHSCOPE_REALTIME_URL;
  let label = 'DashScope';
  try {
    if (url) label = new URL(url).host;
  } catch {
    // the client names a bad URL itself
  }
  return { options, simulated: false, label, close: async () => {} };
}

/** `--connect-timeout`'s default in seconds: the client's `timeouts.connectMs` default. */
export const DEFAULT_CONNECT_TIMEOUT_S = 15;

/** The `--connect-timeout` flag, for a command's flag table (chat, talk). */
export const CONNECT_TIMEOUT_FLAG: Record<'connect-timeout', FlagSpec> = { 'connect-timeout': { type: 'string' } };

/** The help line of `--connect-timeout`, aligned for a help text's option list. */
export const CONNECT_TIMEOUT_HELP = `--connect-timeout S  seconds to wait for the connection (default ${DEFAULT_CONNECT_TIMEOUT_S})`;

/**
 * `--connect-timeout S` in ms (0.1 to 600 s, default {@link DEFAULT_CONNECT_TIMEOUT_S}), for
 * {@link TargetFlags.connectTimeoutMs}; a bad value is a usage error naming the bounds.
 */
export function connectTimeoutMs(args: ParsedArgs): number {
  return num(args, 'connect-timeout', DEFAULT_CONNECT_TIMEOUT_S, 0.1, 600) * 1000;
}

/** How long a connect may take before the CLI says it is still trying: 3 s, or half a shorter timeout. */
export function progressDelayMs(connectTimeoutMs: number): number {
  return Math.min(3000, connectTimeoutMs / 2);
}

/**
 * Runs `connect`, and prints one line if it takes longer than {@link progressDelayMs}: a host
 * that accepts TCP and stays silent otherwise leaves the terminal quiet until the timeout.
 */
export async function connectWithProgress<T>(connect: () => Promise<T>, target: Target, log: (line: string) => void): Promise<T> {
  const timeoutMs = target.options.timeouts?.connectMs ?? DEFAULT_CONNECT_TIMEOUT_S * 1000;
  const timer = setTimeout(() => {
    log(`Still connecting to ${target.label}… (giving up after ${timeoutMs / 1000} s; change it with --connect-timeout S).`);
  }, progressDelayMs(timeoutMs));
  try {
    return await connect();
  } finally {
    clearTimeout(timer);
  }
}
