/**
 * Which host to talk to: one resolver for the client, the relay and temporary keys, so that
 * `region`, `workspaceId` and `url` (and their environment variables) mean the same everywhere
 * (protocol.md §1.2, §0.2.16).
 */
import { ValidationError } from '../errors.js';
import { REGIONS, isValidWorkspaceId, realtimeBaseUrl, type Region } from '../protocol/endpoints.js';

/** The endpoint options shared by `RealtimeClient`, `createTemporaryKey` and the relay. */
export interface EndpointOptions {
  /**
   * `beijing`, `singapore` (Model Studio) or `qwencloud` (QwenCloud's global host, no workspace);
   * keys are per region. Default `DASHSCOPE_REGION`, else `beijing`.
   */
  region?: Region;
  /** Workspace id: selects the workspace host (§1.2) and sends `X-DashScope-WorkSpace`. Default `DASHSCOPE_WORKSPACE_ID`. */
  workspaceId?: string;
  /** Explicit realtime endpoint (a relay, the simulator). Default `DASHSCOPE_REALTIME_URL`. */
  url?: string;
}

/** A resolved endpoint. */
export interface ResolvedEndpoint {
  /** The realtime base URL (no `?model=`). */
  base: URL;
  /** The region (meaningful only when `explicit` is false). */
  region: Region;
  /** The workspace id sent as `X-DashScope-WorkSpace`, if any. */
  workspaceId: string | undefined;
  /** The URL came from `url` or `DASHSCOPE_REALTIME_URL`, not from the region. */
  explicit: boolean;
}

/**
 * The endpoint of `options`, with `DASHSCOPE_REGION`, `DASHSCOPE_WORKSPACE_ID` and
 * `DASHSCOPE_REALTIME_URL` from `env` as fallbacks. Throws a {@link ValidationError} for an
 * unknown region, a malformed workspace id or URL, or a workspace with QwenCloud (which has
 * none, §0.2.16).
 */
export function resolveEndpoint(options: EndpointOptions, env: Record<string, string | undefined>): ResolvedEndpoint {
  const regionRaw = options.region ?? (env.DASHSCOPE_REGION || undefined) ?? 'beijing';
  const region = String(regionRaw).toLowerCase() as Region;
  if (!REGIONS.includes(region)) {
    throw new ValidationError(`Unknown region '${String(regionRaw).slice(0, 64)}'. Use one of: ${REGIONS.join(', ')}.`, 'region', REGIONS);
  }
  const fromEnv = options.workspaceId === undefined;
  const workspaceId = options.workspaceId ?? (env.DASHSCOPE_WORKSPACE_ID || undefined);
  if (workspaceId !== undefined && (typeof workspaceId !== 'string' || !isValidWorkspaceId(workspaceId))) {
    throw new ValidationError(`Invalid workspaceId '${String(workspaceId).slice(0, 64)}': use the id from the Model Studio console (letters, digits and '-').`, 'workspaceId');
  }
  const explicit = options.url ?? (env.DASHSCOPE_REALTIME_URL || undefined);
  if (explicit === undefined && region === 'qwencloud' && workspaceId !== undefined) {
    throw new ValidationError(
      `QwenCloud has no workspaces: its one host (maas.qwencloudapi.com) takes QwenCloud keys alone. ${fromEnv ? 'Unset DASHSCOPE_WORKSPACE_ID' : 'Leave out workspaceId'}, or use region beijing or singapore for a Model Studio workspace.`,
      'workspaceId',
    );
  }
  const text = explicit ?? realtimeBaseUrl(region, workspaceId);
  let base: URL;
  try {
    base = new URL(text);
  } catch {
    throw new ValidationError(`Invalid url '${String(text).slice(0, 200)}': expected wss://host/api-ws/v1/realtime.`, 'url');
  }
  return { base, region, workspaceId, explicit: explicit !== undefined };
}
