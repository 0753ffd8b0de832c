/**
 * The fields of a qwen3.8 MCP tool entry that carry credentials or where they are sent:
 * `server_url`, `authorization` and `headers` (§3.1.6). The service never echoes them in
 * `session.updated`; the simulator drops them from its echo the same way, and the client's debug
 * log and the simulator's recordings show them masked.
 */

/** The MCP tool fields the service does not echo (§3.1.6). */
const MCP_SECRET_FIELDS = ['server_url', 'authorization', 'headers'] as const;

/** What a masked field becomes in a log or recording. */
const MASK = '***';

/**
 * `session` with the {@link MCP_SECRET_FIELDS} of every `type: "mcp"` entry of `tools` dropped
 * (`mask` false: the echo) or replaced by `***` (`mask` true: logs and recordings). Anything
 * else, and a session without MCP entries, comes back as it was (the same object).
 */
export function hideMcpSecrets<T>(session: T, mask: boolean): T {
  const tools = (session as { tools?: unknown } | null | undefined)?.tools;
  if (!Array.isArray(tools) || !tools.some(isMcpEntry)) return session;
  const hidden = tools.map((tool: unknown) => {
    if (!isMcpEntry(tool)) return tool;
    const out: Record<string, unknown> = { ...tool };
    for (const field of MCP_SECRET_FIELDS) {
      if (!(field in out)) continue;
      if (mask) out[field] = MASK;
      else delete out[field];
    }
    return out;
  });
  return { ...session, tools: hidden };
}

function isMcpEntry(tool: unknown): tool is Record<string, unknown> {
  return typeof tool === 'object' && tool !== null && (tool as { type?: unknown }).type === 'mcp';
}
