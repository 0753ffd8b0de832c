/**
 * Hosts and URLs of the realtime endpoint (protocol.md §1.1, §1.2, §0.2.16).
 */
import { ValidationError } from '../errors.js';

/**
 * Where the service runs: Alibaba Cloud Model Studio's `beijing` and `singapore`, or `qwencloud`,
 * QwenCloud's one global host with its own keys and no workspaces (§0.2.16).
 */
export type Region = 'beijing' | 'singapore' | 'qwencloud';

/** Every region, for validation and help texts. */
export const REGIONS: readonly Region[] = ['beijing', 'singapore', 'qwencloud'];

/** QwenCloud's global host (§0.2.16): realtime, WebRTC signalling and temporary keys. */
export const QWENCLOUD_HOST = 'maas.qwencloudapi.com';

/** Path of the WebSocket endpoint: always `/api-ws/v1/realtime` (note `api-ws`). */
export const REALTIME_PATH = '/api-ws/v1/realtime';

const LEGACY_HOSTS: Record<Region, string> = {
  beijing: 'dashscope.aliyuncs.com',
  singapore: 'dashscope-intl.aliyuncs.com',
  qwencloud: QWENCLOUD_HOST,
};

const WORKSPACE_REGIONS: Record<Exclude<Region, 'qwencloud'>, string> = {
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
 * domain. QwenCloud has no workspace hosts: the id is ignored there (the caller refuses the
 * combination). The caller checks the workspace id with {@link isValidWorkspaceId}.
 */
export function realtimeBaseUrl(region: Region, workspaceId?: string): string {
  const host = workspaceId && region !== 'qwencloud' ? `${workspaceId}.${WORKSPACE_REGIONS[region]}.maas.aliyuncs.com` : LEGACY_HOSTS[region];
  return `wss://${host}${REALTIME_PATH}`;
}

/**
 * `https://host/api/v1/<path>` on the host of a realtime URL (`ws:` becomes `http:`): where the
 * same host serves WebRTC signalling (§0.2.16, §0.2.18) and temporary keys (§0.2.19).
 */
export function httpApiUrl(realtimeUrl: string | URL, path: 'webrtc/realtime' | 'tokens'): string {
  const base = new URL(realtimeUrl);
  return `${base.protocol === 'ws:' || base.protocol === 'http:' ? 'http:' : 'https:'}//${base.host}/api/v1/${path}`;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** True for `localhost`, `127.x.x.x` and `[::1]`: a server on this machine (the simulator, a local relay). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

const SERVICE_HOST = /(^|\.)(aliyuncs\.com|qwencloudapi\.com)$/i;

/** True for a host of the service itself (Model Studio or QwenCloud), whose keys are per region. */
export function isServiceHost(hostname: string): boolean {
  return SERVICE_HOST.test(hostname);
}

/** `base` with `model` added as the `model` query parameter (§1.1). */
export function withModel(base: string, model: string): string {
  const url = new URL(base);
  url.searchParams.set('model', model);
  return url.toString();
}

/**
 * The OpenAI-compatible HTTP base URL of a Model Studio region, for DashScope's text models.
 * QwenCloud's is not documented here, so `qwencloud` is refused rather than guessed.
 */
export function compatibleModeBaseUrl(region: Exclude<Region, 'qwencloud'>): string {
  if (region !== 'beijing' && region !== 'singapore') {
    throw new ValidationError(`compatibleModeBaseUrl: use 'beijing' or 'singapore' (got '${String(region).slice(0, 64)}'); for QwenCloud pass its base URL to your OpenAI client yourself.`, 'region', ['beijing', 'singapore']);
  }
  return `https://${LEGACY_HOSTS[region]}/compatible-mode/v1`;
}
