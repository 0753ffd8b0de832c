/** Runs the built CLI (or a shell command line) as a subprocess with a clean environment (no DashScope variables). */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const cliPath = resolve(root, 'dist/esm/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dashscope-realtime args…`; killed after `timeoutMs`. */
export function runCli(args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number; stdin?: string } = {}): Promise<CliResult> {
  return run(process.execPath, [cliPath, ...args], env, options);
}

/** Runs a command line through `sh -c`, as a user's shell would (quotes stripped by the shell). */
export function runShell(command: string, env: Record<string, string> = {}, options: { timeoutMs?: number; stdin?: string } = {}): Promise<CliResult> {
  return run('/bin/sh', ['-c', command], env, options);
}

function run(file: string, args: string[], env: Record<string, string>, options: { timeoutMs?: number; stdin?: string }): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DASHSCOPE_')));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: root, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
