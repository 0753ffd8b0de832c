/**
 * Hosts and URLs of the realtime endpoint (protocol.md §1.1, §1.2).
 */

/** Regions with a documented Qwen-Omni-Realtime host. */
export type Region = 'beijing' | 'singapore';

/** Every region, for validation and help texts. */
export const REGIONS: readonly Region[] = ['beijing', 'singapore'];

/** Path of the WebSocket endpoint: always `/api-ws/v1/realtime` (note `api-ws`). */
export const REALTIME_PATH = '/api-ws/v1/realtime';

const LEGACY_HOSTS: Record<Region, string> = {
  beijing: 'dashscope.aliyuncs.com',
  singapore: 'dashscope-intl.aliyuncs.com',
};

const WORKSPACE_REGIONS: Record<Region, string> = {
  beijing: 'cn-beijing',
  singapore: 'ap-southeast-1',
};

const WORKSPACE_ID = /^[A-Za-z0-9-]{1,64}$/;

/** True when `id` can stand in a workspace host name. */
export function isValidWorkspaceId(id: string): boolean {
  return WORKSPACE_ID.test(id);
}

/**
 * The base WebSocket URL (without `?model=`) for a region: the workspace host
 * `wss://{id}.{region}.maas.aliyuncs.com` when a workspace id is given, else the public
 * domain. The caller checks the workspace id with {@link isValidWorkspaceId}.
 */
export function realtimeBaseUrl(region: Region, workspaceId?: string): string {
  const host = workspaceId ? `${workspaceId}.${WORKSPACE_REGIONS[region]}.maas.aliyuncs.com` : LEGACY_HOSTS[region];
  return `wss://${host}${REALTIME_PATH}`;
}

/** `base` with `model` added as the `model` query parameter (§1.1). */
export function withModel(base: string, model: string): string {
  const url = new URL(base);
  url.searchParams.set('model', model);
  return url.toString();
}

/** The OpenAI-compatible HTTP base URL of a region, for DashScope's text models. */
export function compatibleModeBaseUrl(region: Region): string {
  return `https://${LEGACY_HOSTS[region]}/compatible-mode/v1`;
}
