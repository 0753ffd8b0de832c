/**
 * Every setting of the browser relay in one place, with its default and the reason for it. A
 * browser cannot send `Authorization` on a WebSocket upgrade (protocol.md §1.3) nor keep a
 * long-lived key secret, so the relay holds the key and decides which browsers may use it.
 * Everything is checked here, before the relay listens.
 */
import type { IncomingMessage } from 'node:http';
import { ValidationError } from '../errors.js';
import { resolveEndpoint } from '../client/endpoint.js';
import { REALTIME_PATH, httpApiUrl, type Region } from '../protocol/endpoints.js';
import type { SessionConfig } from '../protocol/session.js';

/** Log levels of the relay's logger. */
export type RelayLogLevel = 'info' | 'warn' | 'error';

/** Per-connection limits. Each is enforced as described on its field. */
export interface RelayLimits {
  /**
   * Longest life of one browser connection, in ms. At the limit the relay closes the browser
   * with 4100 (`session_duration`, retryable: a new connection is authenticated again) and the
   * upstream with 1000. 0 disables. Default 1800000 (30 minutes; DashScope's own cap is 120, §2.5).
   */
  maxSessionMs?: number;
  /**
   * Largest browser frame forwarded, in bytes. A larger one is answered with an `error` event
   * (code `message_too_large`) and dropped; the session goes on. Frames above 4× this (at least
   * 64 KiB more) are cut by the socket itself with close 1009. Default 1048576 (1 MiB: a 256 KB
   * image, §3.5, fits; audio chunks are a few KB).
   */
  maxMessageBytes?: number;
  /**
   * Sustained browser frames per second. A token bucket allows bursts of two seconds' worth;
   * beyond it the relay closes the browser with 1008 (`rate_limit`, fatal: a page that floods is
   * broken or hostile). Default 100 (audio in 20 ms chunks is 50/s). 0 disables.
   */
  maxMessagesPerSecond?: number;
  /**
   * Bytes a browser may send before the upstream connection is open; they are queued and sent in
   * order once it is. Beyond this the browser is closed with 1013. Default 4194304 (4 MiB).
   */
  maxPendingBytes?: number;
  /**
   * Browser connections open at once. Past it a new upgrade is refused with HTTP 503
   * (`TooManyConnections`, retryable), so that one page opening sockets in a loop cannot exhaust
   * the relay's memory and file descriptors, or the account's concurrency upstream. Counted after
   * admission: refused tokens and origins never take a place. 0 disables. Default 1000.
   */
  maxConnections?: number;
}

/** Which client events a browser may send (§3); anything else gets an `error` event and is not forwarded. */
export interface RelayFilter {
  /** Client event types a browser may send, e.g. `['input_audio_buffer.append', 'response.create']`. Default: every type. */
  allowedEventTypes?: readonly string[];
  /**
   * Top-level `session` fields a browser may set in `session.update`, e.g.
   * `['voice', 'turn_detection']`, so a page cannot change `instructions` or `tools`. Default:
   * every field.
   */
  allowedSessionFields?: readonly string[];
}

/** Timeouts in milliseconds. */
export interface RelayTimeouts {
  /** Upstream WebSocket handshake. Default 15000 (the SDK's connect timeout). */
  upstreamConnectMs?: number;
  /** The `authenticate` hook; past it the upgrade is refused with 401. Default 10000. */
  authenticateMs?: number;
  /** The upstream SDP exchange (§6.1). Default 15000. */
  signalingMs?: number;
}

/** Decides whether a request may use the relay; `false` or a throw refuses it with HTTP 401. */
export type Authenticate = (request: IncomingMessage) => boolean | Promise<boolean>;

/** Options of {@link startRelay} and {@link createRelay}. Every field is optional. */
export interface RelayOptions {
  /** Interface to bind (`startRelay` only). Default `127.0.0.1`: never all interfaces unless asked. */
  host?: string;
  /** TCP port (`startRelay` only); 0 picks a free one. Default 0. */
  port?: number;
  /** Path browsers open the WebSocket on. Default `/api-ws/v1/realtime` (the service's own path, §1.1). */
  path?: string;
  /** Upstream WebSocket base URL, e.g. the simulator's. Default `DASHSCOPE_REALTIME_URL`, else the region's host (§1.2). */
  url?: string;
  /** Region of the upstream host and of the key (`beijing`, `singapore`, `qwencloud`). Default `DASHSCOPE_REGION`, else `beijing`. */
  region?: Region;
  /** Workspace id: the workspace host (§1.2) and `X-DashScope-WorkSpace`. Default `DASHSCOPE_WORKSPACE_ID`. */
  workspaceId?: string;
  /** The server-side key, or a function returning one (called per upstream connection). Default `DASHSCOPE_API_KEY`. Never logged, never sent to a browser. */
  apiKey?: string | (() => string | Promise<string>);
  /** Environment for the defaults above. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Checks a browser's upgrade or signalling request (a token, a cookie, …). May be async. Default: every request passes. */
  authenticate?: Authenticate;
  /**
   * Origins allowed to connect (`https://app.example.com`), `'*'`, or a predicate. Others get
   * HTTP 403. Default: requests without an `Origin` (not a browser) and same-origin requests
   * (`Origin` host equal to `Host`) only, which stops other sites from using a cookie-authenticated
   * relay (cross-site WebSocket hijacking).
   */
  allowedOrigins?: readonly string[] | '*' | ((origin: string) => boolean);
  /**
   * Host names (`relay.example.com`, no port) the default same-origin policy accepts in a
   * browser's `Host` header. A page admitted as "same origin" must also be on one of these, else
   * HTTP 403 `Forbidden.Host`: under DNS rebinding the attacker's name points at the relay, so
   * `Origin` and `Host` match and only the name gives it away. Default: `localhost`,
   * `*.localhost`, IP addresses, and `host`. Not used when `allowedOrigins` is set (an exact list
   * of origins cannot be rebound).
   */
  allowedHosts?: readonly string[];
  /** Models a browser may ask for with `?model=`; others get HTTP 403. Default: any (the upstream checks). */
  allowedModels?: readonly string[];
  /** Per-connection limits. */
  limits?: RelayLimits;
  /** Client-event filter. Default: none (frames are forwarded untouched). */
  filter?: RelayFilter;
  /**
   * Session fields the relay itself sets: sent upstream as a `session.update` right after
   * `session.created` (its `session.updated` is not shown to the browser) and merged over every
   * `session.update` a browser sends, so they hold whether the service merges or replaces (§3.1).
   * Default: none.
   */
  session?: SessionConfig;
  /**
   * WebRTC signalling (§6.1): `POST {path}?model=…` with an SDP offer is forwarded to `url` with
   * the key. `false` turns it off. Default path `/api/v1/webrtc/realtime`; default url the upstream
   * host's `https://…/api/v1/webrtc/realtime` (ask Alibaba Cloud for the account's endpoint, §6).
   */
  webrtc?: { path?: string; url?: string } | false;
  /** Serve the files of this folder on GET (the example page). Default: none. */
  staticDir?: string;
  /** Timeouts. */
  timeouts?: RelayTimeouts;
  /** Ping browsers this often and drop those that do not answer. Default 30000; 0 disables. */
  pingIntervalMs?: number;
  /** Log lines: connections, refusals, closes. Never frames, audio, tokens or the key. Default: silent. */
  logger?: (level: RelayLogLevel, message: string) => void;
}

/** Options after resolution. Internal. */
export interface ResolvedRelayOptions {
  host: string;
  port: number;
  path: string;
  upstreamBase: string;
  workspaceId: string | undefined;
  getApiKey: () => Promise<string>;
  authenticate: Authenticate | undefined;
  originAllowed: (origin: string | undefined, host: string | undefined) => boolean;
  /** Why {@link originAllowed} refused: the origin, or (DNS rebinding) the Host name. */
  originRefusal: (origin: string | undefined, host: string | undefined) => 'origin' | 'host';
  allowedModels: ReadonlySet<string> | undefined;
  limits: Required<RelayLimits>;
  filter: { eventTypes: ReadonlySet<string> | undefined; sessionFields: ReadonlySet<string> | undefined };
  session: SessionConfig | undefined;
  webrtc: { path: string; url: string } | undefined;
  staticDir: string | undefined;
  timeouts: Required<RelayTimeouts>;
  pingIntervalMs: number;
  log: (level: RelayLogLevel, message: string) => void;
}

function defaultEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

function count(name: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ValidationError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}.`, name);
  }
  return value;
}

function checkPath(name: string, value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value)) {
    throw new ValidationError(`${name} must be a URL path starting with '/', without query or spaces, got '${String(value)}'.`, name);
  }
  return value;
}

function list(name: string, value: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new ValidationError(`${name} must be a list of non-empty strings.`, name);
  }
  return new Set(value);
}

/** An origin as browsers send it: scheme, host and port, no trailing slash, lower case. */
function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/** The hostname of a `Host` header (`[::1]:8080` → `[::1]`, `a.example:80` → `a.example`), lower case. */
function hostName(host: string): string {
  try {
    return new URL(`http://${host.trim()}`).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** IP literals and loopback names cannot be rebound to another address by a DNS answer. */
function unrebindable(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.startsWith('[');
}

type OriginVerdict = 'ok' | 'origin' | 'host';

function originCheck(allowed: RelayOptions['allowedOrigins'], hosts: ReadonlySet<string>): (origin: string | undefined, host: string | undefined) => OriginVerdict {
  if (allowed === '*') return () => 'ok';
  if (typeof allowed === 'function') {
    return (origin) => {
      if (origin === undefined) return 'ok';
      try {
        return allowed(origin) === true ? 'ok' : 'origin';
      } catch {
        return 'origin';
      }
    };
  }
  if (allowed !== undefined && (!Array.isArray(allowed) || allowed.some((o) => typeof o !== 'string' || !/^https?:\/\/[^/\s]+\/?$/i.test(o)))) {
    throw new ValidationError("allowedOrigins must be '*', a predicate, or a list of origins such as 'https://app.example.com'.", 'allowedOrigins');
  }
  // Exact matches only: `https://app.example.com.evil.net` is another origin, not a longer one.
  const set = new Set((allowed ?? []).map(normalizeOrigin));
  return (origin, host) => {
    // Non-browser clients send no Origin; they cannot be hijacked through a visitor's cookies.
    if (origin === undefined) return 'ok';
    const o = normalizeOrigin(origin);
    if (allowed !== undefined) return set.has(o) ? 'ok' : 'origin';
    let sameOrigin = false;
    try {
      sameOrigin = host !== undefined && new URL(o).host === host.trim().toLowerCase();
    } catch {
      sameOrigin = false;
    }
    if (!sameOrigin) return 'origin';
    const name = hostName(host!);
    return unrebindable(name) || hosts.has(name) ? 'ok' : 'host';
  };
}

function upstreamBase(options: RelayOptions, env: Record<string, string | undefined>) {
  const { base, workspaceId } = resolveEndpoint(options, env);
  if (base.protocol !== 'ws:' && base.protocol !== 'wss:') throw new ValidationError(`Invalid url protocol '${base.protocol}': use wss:// (or ws:// to the simulator).`, 'url');
  return { base, workspaceId };
}

/**
 * The default signalling upstream: the WebSocket host over HTTPS, which is where the service
 * serves it (§0.2.16 QwenCloud, §0.2.18 workspace hosts).
 */
function defaultWebrtcUrl(base: URL): string {
  return httpApiUrl(base, 'webrtc/realtime');
}

function resolveWebrtc(option: RelayOptions['webrtc'], base: URL): ResolvedRelayOptions['webrtc'] {
  if (option === false) return undefined;
  const path = checkPath('webrtc.path', option?.path ?? '/api/v1/webrtc/realtime');
  const url = option?.url ?? defaultWebrtcUrl(base);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`Invalid webrtc.url '${url}': expected https://host/api/v1/webrtc/realtime.`, 'webrtc.url');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ValidationError(`Invalid webrtc.url protocol '${parsed.protocol}': use https://.`, 'webrtc.url');
  return { path, url: parsed.toString() };
}

/** Resolves and checks options; throws {@link ValidationError} naming the bad option. */
export function resolveRelayOptions(options: RelayOptions = {}): ResolvedRelayOptions {
  const env = options.env ?? defaultEnv();
  const { base, workspaceId } = upstreamBase(options, env);
  const rawKey = options.apiKey ?? (env.DASHSCOPE_API_KEY || undefined);
  if (rawKey === undefined) throw new ValidationError('No API key for the relay: set DASHSCOPE_API_KEY or pass apiKey. The relay adds it on the upstream handshake; browsers never see it.', 'apiKey');
  if (typeof rawKey === 'string' && rawKey.trim() === '') throw new ValidationError('apiKey is empty.', 'apiKey');
  if (typeof rawKey !== 'string' && typeof rawKey !== 'function') throw new ValidationError('apiKey must be a string or a function returning one.', 'apiKey');
  const getApiKey = async (): Promise<string> => {
    const key = typeof rawKey === 'string' ? rawKey : await rawKey();
    if (typeof key !== 'string' || key.trim() === '') throw new ValidationError('The apiKey function returned no key.', 'apiKey');
    return key;
  };
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') throw new ValidationError('authenticate must be a function of the request.', 'authenticate');
  const path = checkPath('path', options.path ?? REALTIME_PATH);
  const webrtc = resolveWebrtc(options.webrtc, base);
  if (webrtc && webrtc.path === path) throw new ValidationError('webrtc.path must differ from path.', 'webrtc.path');
  const l = options.limits ?? {};
  const t = options.timeouts ?? {};
  const port = count('port', options.port, 0, true);
  if (!Number.isInteger(port) || port > 65535) throw new ValidationError(`port must be an integer from 0 to 65535, got ${port}.`, 'port');
  const logger = options.logger;
  const hosts = list('allowedHosts', options.allowedHosts);
  const origins = originCheck(options.allowedOrigins, new Set([...(hosts ?? []), options.host ?? '127.0.0.1'].map((h) => h.toLowerCase())));
  return {
    host: options.host ?? '127.0.0.1',
    port,
    path,
    upstreamBase: base.toString(),
    workspaceId,
    getApiKey,
    authenticate: options.authenticate,
    originAllowed: (origin, host) => origins(origin, host) === 'ok',
    originRefusal: (origin, host) => (origins(origin, host) === 'host' ? 'host' : 'origin'),
    allowedModels: list('allowedModels', options.allowedModels),
    limits: {
      maxSessionMs: count('limits.maxSessionMs', l.maxSessionMs, 30 * 60_000, true),
      maxMessageBytes: count('limits.maxMessageBytes', l.maxMessageBytes, 1024 * 1024, false),
      maxMessagesPerSecond: count('limits.maxMessagesPerSecond', l.maxMessagesPerSecond, 100, true),
      maxPendingBytes: count('limits.maxPendingBytes', l.maxPendingBytes, 4 * 1024 * 1024, false),
      maxConnections: count('limits.maxConnections', l.maxConnections, 1000, true),
    },
    filter: {
      eventTypes: list('filter.allowedEventTypes', options.filter?.allowedEventTypes),
      sessionFields: list('filter.allowedSessionFields', options.filter?.allowedSessionFields),
    },
    session: options.session,
    webrtc,
    staticDir: options.staticDir,
    timeouts: {
      upstreamConnectMs: count('timeouts.upstreamConnectMs', t.upstreamConnectMs, 15_000, false),
      authenticateMs: count('timeouts.authenticateMs', t.authenticateMs, 10_000, false),
      signalingMs: count('timeouts.signalingMs', t.signalingMs, 15_000, false),
    },
    pingIntervalMs: count('pingIntervalMs', options.pingIntervalMs, 30_000, true),
    log: (level, message) => {
      try {
        logger?.(level, message);
      } catch {
        // a throwing logger must not break a connection
      }
    },
  };
}
