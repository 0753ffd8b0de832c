/**
 * Child processes of the benchmarks: servers (the simulator, the replay server) and measuring
 * workers, each a fresh Node process so that memory figures start from a clean heap and a
 * server's CPU is never counted as the client's.
 *
 * On a machine with at least two cores, servers are pinned to core 0 and clients to core 1 with
 * `taskset`, so client and server never compete for one core and the per-process CPU figures
 * mean "share of one core". Without taskset (or with one core), nothing is pinned and the
 * reports say so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, compileForBench } from './compile.js';

/** Where the processes run: `server` on core 0, `client` on core 1. */
export type Role = 'server' | 'client';

/** Whether processes are pinned (taskset present and two cores or more). */
export const PINNING: boolean = (() => {
  if (process.env.BENCH_NO_PIN === '1' || availableParallelism() < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
})();

/**
 * File descriptors a 1,000-session run needs in one process (one socket each, plus Node's own);
 * the soft limit is raised to this (up to the hard limit) in every child, through `sh -c ulimit`.
 */
const WANTED_FDS = 8192;

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Set once src/ and bench/ were compiled to plain JavaScript (lib/compile.ts). */
let compiled = false;

/**
 * Compiles src/ and bench/ so that children run as plain JavaScript, without tsx's loader
 * (lib/compile.ts says why). Without it, children run the TypeScript through tsx.
 */
export async function prepareBuild(): Promise<number> {
  const count = await compileForBench(ROOT);
  compiled = true;
  return count;
}

/** Absolute path of a file under bench/ (its compiled .js once {@link prepareBuild} ran). */
export function benchFile(relative: string): string {
  return compiled ? `${ROOT}${BUILD_DIR}/bench/${relative.replace(/\.ts$/, '.js')}` : `${BENCH_DIR}${relative}`;
}

/** The Node arguments that run a bench file: plain when compiled, through tsx otherwise. */
export function nodeArgs(relative: string): string[] {
  return compiled ? [benchFile(relative)] : ['--import', 'tsx', benchFile(relative)];
}

/** A running child with an IPC channel. */
export interface Child {
  readonly process: ChildProcess;
  /** Sends `message` and resolves with the child's reply (matched by `id`). */
  request<T>(message: Record<string, unknown>): Promise<T>;
  /** Resolves with the first message of `type`. */
  next<T>(type: string): Promise<T>;
  /** SIGTERM, then waits for exit. */
  stop(): Promise<void>;
}

let requestIds = 0;

/**
 * Starts `node <file> ...args` (compiled, or through tsx) as `role`, with an IPC channel.
 * `nodeFlags` go before the script (e.g. `--expose-gc`).
 */
export function startChild(role: Role, file: string, args: readonly string[] = [], nodeFlags: readonly string[] = []): Child {
  const node = [process.execPath, ...nodeFlags, ...nodeArgs(file), ...args];
  const pinned = PINNING ? ['taskset', '-c', role === 'server' ? '0' : '1', ...node] : node;
  // `ulimit -n` cannot be raised from inside Node; a shell in front does it, then execs.
  const script = `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"`;
  const child = spawn('sh', ['-c', script, 'sh', ...pinned], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: process.cwd() });
  const waiting = new Map<number, (value: unknown) => void>();
  const typeWaiters: Array<{ type: string; resolve: (value: unknown) => void }> = [];
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const failures: Array<(error: Error) => void> = [];
  child.on('message', (raw) => {
    const message = raw as { id?: number; type?: string };
    if (typeof message.id === 'number' && waiting.has(message.id)) {
      const resolve = waiting.get(message.id)!;
      waiting.delete(message.id);
      resolve(message);
      return;
    }
    const index = typeWaiters.findIndex((w) => w.type === message.type);
    if (index >= 0) typeWaiters.splice(index, 1)[0]!.resolve(message);
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    const error = new Error(`${file} exited (code ${code}, signal ${signal}) before answering`);
    for (const fail of failures.splice(0)) fail(error);
  });
  const guard = <T>(executor: (resolve: (value: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(new Error(`${file} has exited (code ${exited.code})`));
        return;
      }
      failures.push(reject);
      executor((value) => {
        failures.splice(failures.indexOf(reject), 1);
        resolve(value);
      });
    });
  return {
    process: child,
    request: <T>(message: Record<string, unknown>) =>
      guard<T>((resolve) => {
        const id = ++requestIds;
        waiting.set(id, resolve as (value: unknown) => void);
        child.send({ ...message, id });
      }),
    next: <T>(type: string) => guard<T>((resolve) => typeWaiters.push({ type, resolve: resolve as (value: unknown) => void })),
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        // A child stuck in a busy loop still goes: SIGKILL after 5 s.
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/**
 * Runs a worker to completion and resolves with its `{ type: 'result' }` message's `result`;
 * `onMessage` sees the worker's other messages (e.g. the scale worker's window edges).
 */
export async function runWorker<T>(file: string, args: readonly string[], nodeFlags: readonly string[] = [], onMessage?: (message: Record<string, unknown>) => void): Promise<T> {
  const child = startChild('client', file, args, nodeFlags);
  if (onMessage) child.process.on('message', (m) => onMessage(m as Record<string, unknown>));
  try {
    const message = await child.next<{ result: T }>('result');
    // The worker exits by itself once its result is out; waiting for that (rather than killing
    // it) lets `--cpu-prof` write its profile.
    await new Promise<void>((resolve) => {
      if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
      const timer = setTimeout(resolve, 10_000);
      child.process.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return message.result;
  } finally {
    await child.stop();
  }
}

/** In a child: sends `message` to the parent. */
export function toParent(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** In a child: answers requests from the parent with `handler`. Ends the process on SIGTERM or when the parent goes. */
export function serveParent(handler: (message: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>): void {
  process.on('message', (raw) => {
    const message = raw as Record<string, unknown> & { id: number };
    void Promise.resolve(handler(message)).then((reply) => process.send?.({ ...reply, id: message.id }));
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

/** In a worker: reports the result to the parent and exits once it is delivered. */
export function finishWorker(result: unknown): void {
  if (!process.send) {
    console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  }
  process.send({ type: 'result', result }, () => process.exit(0));
}

/** Parses `--name value` pairs of a worker's arguments. */
export function workerArgs(): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!;
    if (key.startsWith('--')) out[key.slice(2)] = argv[i + 1] ?? '';
    i++;
  }
  return out;
}
