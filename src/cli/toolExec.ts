/**
 * `--tool-exec`: runs a user command for each function call, with the call as JSON on stdin
 * (`{"name", "arguments", "call_id"}`) and the tool's output read from stdout.
 */
import { spawn } from 'node:child_process';
import { InputError } from './args.js';

/** Runs `command` through the shell for one call; resolves with its stdout (trimmed). */
export function runToolCommand(command: string, call: { name: string; arguments: unknown; call_id: string }, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // The tool gets the environment without the API key: it has no business with it.
    const env = { ...process.env };
    delete env.DASHSCOPE_API_KEY;
    const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new InputError(`--tool-exec '${command}' did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 1_000_000) out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 10_000) err += d.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new InputError(`--tool-exec '${command}' could not start: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new InputError(`--tool-exec '${command}' exited with code ${code}${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(call));
  });
}
