/**
 * Checks made before the CLI connects, so that a mistake costs no tokens: the files it will write
 * (`--output`, `--transcript`) can be written, and the endpoint flags are ones production accepts
 * even when the embedded simulator stands in for it (a `--region mars` that only fails once a
 * key is set teaches the wrong thing).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveOptions } from '../client/options.js';
import { getModelInfo, type ModelInfo } from '../protocol/models.js';
import { InputError } from './args.js';

/** Throws an {@link InputError} naming `flag` when `path` cannot be written. Creates nothing. */
export async function checkWritable(flag: string, path: string): Promise<void> {
  if (path === '') throw new InputError(`${flag} needs a file name`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new InputError(`${flag} ${path} is a folder; give a file name, e.g. ${path.replace(/\/+$/, '')}/reply.wav`);
  const target = existing ? path : dirname(resolve(path));
  if (!existing) {
    const folder = await stat(target).catch(() => undefined);
    if (!folder) throw new InputError(`${flag} ${path}: the folder ${target} does not exist; create it first or write somewhere else`);
    if (!folder.isDirectory()) throw new InputError(`${flag} ${path}: ${target} is not a folder`);
  }
  try {
    await access(target, constants.W_OK);
  } catch {
    throw new InputError(`${flag} ${path}: ${existing ? 'the file' : `the folder ${target}`} is not writable`);
  }
}

/** Checks every output flag that is set. */
export async function checkOutputs(outputs: Record<string, string | undefined>): Promise<void> {
  for (const [flag, path] of Object.entries(outputs)) if (path !== undefined) await checkWritable(flag, path);
}

/**
 * Checks `--region` / `--workspace` (and DASHSCOPE_REGION / DASHSCOPE_WORKSPACE_ID) the way the
 * client checks them for DashScope, with the client's own ValidationError: the simulator path must
 * refuse what production refuses.
 */
export function checkEndpointFlags(flags: { model: string; region?: string | undefined; workspace?: string | undefined }, env: Record<string, string | undefined>): void {
  const endpointEnv = { DASHSCOPE_REGION: env.DASHSCOPE_REGION, DASHSCOPE_WORKSPACE_ID: env.DASHSCOPE_WORKSPACE_ID };
  resolveOptions({
    model: flags.model,
    apiKey: 'preflight',
    env: endpointEnv,
    ...(flags.region !== undefined ? { region: flags.region as never } : {}),
    ...(flags.workspace !== undefined ? { workspaceId: flags.workspace } : {}),
  });
}

/**
 * The catalog entry of `--model`, or an {@link InputError} pointing at `models`: the CLI's own
 * words, not the library's (which suggests `validate: false`, an option the CLI does not have).
 */
export function requireModel(id: string): ModelInfo {
  const info = getModelInfo(id);
  if (!info) throw new InputError(`unknown model '${id}'; run 'dashscope-realtime models' for the list`);
  return info;
}
