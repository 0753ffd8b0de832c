/**
 * Which JavaScript runtime this is, for choosing a transport and for the user-agent.
 */

/** The runtime the SDK runs in. */
export type RuntimeName = 'node' | 'deno' | 'bun' | 'browser' | 'unknown';

interface RuntimeGlobals {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  process?: { versions?: { node?: string; bun?: string }; platform?: string; arch?: string };
  window?: unknown;
  document?: unknown;
  navigator?: { userAgent?: string };
}

/** Name and version of the current runtime, plus platform and processor where known. */
export function detectRuntime(): { name: RuntimeName; version: string; platform: string; arch: string } {
  const g = globalThis as RuntimeGlobals;
  const platform = g.process?.platform ?? 'unknown';
  const arch = g.process?.arch ?? 'unknown';
  if (g.Deno?.version?.deno) return { name: 'deno', version: g.Deno.version.deno, platform, arch };
  if (g.Bun?.version || g.process?.versions?.bun) return { name: 'bun', version: g.Bun?.version ?? g.process?.versions?.bun ?? '', platform, arch };
  if (g.process?.versions?.node) return { name: 'node', version: g.process.versions.node, platform, arch };
  if (g.window !== undefined && g.document !== undefined) return { name: 'browser', version: '', platform: 'browser', arch: 'unknown' };
  return { name: 'unknown', version: '', platform, arch };
}
