/**
 * The relay's URLs as seen from a page served by the relay (or its own origin): `ws://` or
 * `wss://` to match the page (a `https://` page may only open `wss://`), the same host, and the
 * relay's default paths.
 */
import { ValidationError } from '../errors.js';
import { REALTIME_PATH } from '../protocol/endpoints.js';

/** Where the relay is; default: the page's own origin and the relay's default paths. */
export interface RelayLocation {
  /** The page location to derive the origin from. Default `globalThis.location`. */
  location?: { protocol: string; host: string };
  /** WebSocket path. Default `/api-ws/v1/realtime`. */
  path?: string;
  /** Signalling path. Default `/api/v1/webrtc/realtime`. */
  signalingPath?: string;
  /** Extra query parameters, e.g. `{ token }` for a relay that takes a token. */
  query?: Record<string, string>;
}

function pageLocation(where: RelayLocation): { protocol: string; host: string } {
  const location = where.location ?? (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!location) throw new ValidationError('No page location: pass `location` explicitly outside a browser.', 'location');
  return location;
}

function withQuery(url: URL, query: Record<string, string> | undefined): string {
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url.toString();
}

/** The relay's WebSocket URL, for `new RealtimeClient({ url })` (the client adds `?model=`). */
export function relayWebSocketUrl(where: RelayLocation = {}): string {
  const location = pageLocation(where);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return withQuery(new URL(`${scheme}//${location.host}${where.path ?? REALTIME_PATH}`), where.query);
}

/** The relay's WebRTC signalling URL, for `connectWebRTC({ signalingUrl })`. */
export function relaySignalingUrl(where: RelayLocation = {}): string {
  const location = pageLocation(where);
  return withQuery(new URL(`${location.protocol}//${location.host}${where.signalingPath ?? '/api/v1/webrtc/realtime'}`), where.query);
}
