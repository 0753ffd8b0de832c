/**
 * Client options and how they resolve: explicit options first, then the environment
 * (`DASHSCOPE_API_KEY`, `DASHSCOPE_REGION`, `DASHSCOPE_WORKSPACE_ID`, `DASHSCOPE_REALTIME_URL`),
 * then defaults. Everything is checked here, before any socket opens.
 */
import { ValidationError } from '../errors.js';
import { DEFAULT_MODEL, getModelInfo, listModels, OTHER_ENDPOINT_MODELS, type ModelInfo } from '../protocol/models.js';
import { describeAllowed } from '../protocol/validateSession.js';
import { isLoopbackHost, isServiceHost, withModel } from '../protocol/endpoints.js';
import { resolveEndpoint, type EndpointOptions } from './endpoint.js';
import type { SocketFactory } from '../transport/socket.js';
import { detectRuntime } from '../transport/runtime.js';
import { VERSION } from '../version.js';

/** A logger for warnings and (with `debug`) every frame, base64 shortened and the key removed. */
export interface Logger {
  warn(message: string): void;
  debug?(message: string): void;
}

/** Timeouts in milliseconds. */
export interface ClientTimeouts {
  /** Handshake plus the wait for `session.created`. Default 15000. */
  connectMs?: number;
  /** Wait for `session.updated` after `updateSession`. Default 15000. */
  requestMs?: number;
  /** Wait for `session.finished` after `finish()` (the official SDKs wait 20 s). Default 20000. */
  finishMs?: number;
  /** Wait for the close handshake before dropping the socket. Default 5000. */
  closeMs?: number;
  /**
   * How long a full event iterator may go without reading while it holds reading paused. Past
   * it the iterator ends with a `queue_overflow` error and reading resumes: one forgotten
   * iterator must not stall every other listener, the close handshake and the keepalive.
   * Default 5000 (below the session's 10 s ping timeout).
   */
  readerStallMs?: number;
}

/**
 * Options of {@link RealtimeClient}. The endpoint options (`region`, `workspaceId`, `url`) are
 * those of {@link EndpointOptions}; `?model=` is added to `url`.
 */
export interface RealtimeClientOptions extends EndpointOptions {
  /**
   * API key or temporary key (`st-…`, from `createTemporaryKey`), or a function that returns one
   * (called at each connect). Default `DASHSCOPE_API_KEY`. Not needed for a loopback `url` (the
   * simulator, a local relay): a placeholder credential is sent there.
   */
  apiKey?: string | (() => string | Promise<string>);
  /** Model id (protocol.md §2.1). Default `qwen3.5-omni-plus-realtime`. */
  model?: string;
  /** Extra handshake headers; they cannot replace `Authorization`. */
  headers?: Record<string, string>;
  /** Timeouts. */
  timeouts?: ClientTimeouts;
  /** Check configuration against the model catalog before sending. Default true. */
  validate?: boolean;
  /** Capabilities of a model the catalog does not know (used for validation). */
  modelInfo?: ModelInfo;
  /**
   * Send voices the service accepts and then fails with (the catalog's `silentFailureVoices`:
   * `Cherry` on qwen3.5-omni-flash ends every turn with a silent close, §0.2.2). Default false:
   * `updateSession` refuses them with a ValidationError naming working voices.
   */
  allowBrokenVoices?: boolean;
  /** Allow `ws://` to a host other than loopback. Default false. */
  allowInsecure?: boolean;
  /** Allow a long-lived `sk-` key in a browser. Default false: use a relay instead. */
  dangerouslyAllowBrowser?: boolean;
  /** Events buffered per async iterator before reading from the socket pauses. Default 1024. */
  maxQueuedEvents?: number;
  /** Largest frame accepted from the server, in bytes. Default 32 MiB. */
  maxPayloadBytes?: number;
  /** Outbound bytes above which `appendAudio` waits before resolving. Default 1 MiB. */
  sendHighWaterMark?: number;
  /** Where warnings (and debug lines) go. Default: warnings to `console.warn`. */
  logger?: Logger;
  /** Log every frame at debug level (payloads shortened, key removed). Default false. */
  debug?: boolean;
  /**
   * WebSocket ping interval for dead-peer detection, or `false`. A ping without a pong within
   * the interval (at most 10 s) drops the connection, and `close` reports it as unexpected.
   * Runtimes that cannot ping (browsers) skip it. Default 20000.
   */
  keepaliveMs?: number | false;
  /** Replace the transport (tests, custom runtimes). */
  socketFactory?: SocketFactory;
  /** Environment to read fallbacks from. Default `process.env` where it exists. */
  env?: Record<string, string | undefined>;
}

/** Options after resolution. */
export interface ResolvedOptions {
  url: string;
  model: string;
  modelInfo: ModelInfo | undefined;
  workspaceId: string | undefined;
  validate: boolean;
  allowBrokenVoices: boolean;
  getApiKey: (() => Promise<string | undefined>) | undefined;
  /** No key was given and the URL is a loopback host: send {@link LOCAL_PLACEHOLDER_KEY}. */
  localWithoutKey: boolean;
  /** Warnings to log once, when the client is made (qwen3.8 without a workspace host, §0.2.17). */
  warnings: string[];
  extraHeaders: Record<string, string>;
  timeouts: Required<ClientTimeouts>;
  maxQueuedEvents: number;
  maxPayloadBytes: number;
  sendHighWaterMark: number;
  logger: Logger;
  debug: boolean;
  dangerouslyAllowBrowser: boolean;
  keepaliveMs: number | false;
  socketFactory: SocketFactory | undefined;
}

/**
 * The credential sent to a loopback URL when no key is set (issue 17.1): the simulator and a
 * local relay then just work. It is not a secret and never leaves the machine.
 */
export const LOCAL_PLACEHOLDER_KEY = 'local-no-key';

/** The environment variables the client reads. */
const ENV_NAMES = ['DASHSCOPE_API_KEY', 'DASHSCOPE_REGION', 'DASHSCOPE_WORKSPACE_ID', 'DASHSCOPE_REALTIME_URL'] as const;

/**
 * The variables of {@link ENV_NAMES} from `process.env` where it exists. Each is read on its own:
 * Deno without `--allow-env` throws on the read, and then the variable is simply not set.
 */
export function defaultEnv(): Record<string, string | undefined> {
  const source = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const env: Record<string, string | undefined> = {};
  if (!source) return env;
  for (const name of ENV_NAMES) {
    try {
      env[name] = source[name];
    } catch {
      // not permitted (Deno without --allow-env): unset
    }
  }
  return env;
}

/** An HTTP header name (RFC 9110 token) and a value without control characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;

function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new ValidationError('headers must be an object of header names to string values, e.g. { "X-My-Header": "value" }.', 'headers');
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new ValidationError(`headers: '${name.slice(0, 64)}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_\`|~ only).`, `headers.${name.slice(0, 64)}`);
    // A CR or LF in a value would let it inject further headers into the upgrade request.
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) throw new ValidationError(`headers: the value of '${name}' must be a string without line breaks or control characters.`, `headers.${name}`);
    out[name] = value;
  }
  return out;
}

function checkLogger(logger: unknown): Logger | undefined {
  if (logger === undefined) return undefined;
  const l = logger as Partial<Logger> | null;
  if (typeof l !== 'object' || l === null || typeof l.warn !== 'function' || (l.debug !== undefined && typeof l.debug !== 'function')) {
    throw new ValidationError('logger must be an object with a warn(message) function (and optionally debug), e.g. console.', 'logger');
  }
  return l as Logger;
}

function checkFlag(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new ValidationError(`${name} must be true or false, got ${typeof value}.`, name);
  return value;
}

/** The longest delay a timer can hold: `setTimeout` fires at once beyond it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `value` checked as a timer delay in ms: a number from `min` to {@link MAX_TIMER_MS} (or
 * `Infinity` where allowed). NaN, a string or a huge number would make a wait unbounded or
 * fire at once, so each is a {@link ValidationError} naming `name`.
 */
export function checkTimerMs(name: string, value: unknown, min: 0 | 1, allowInfinity = false): number {
  const ok = typeof value === 'number' && value >= min && (value <= MAX_TIMER_MS || (allowInfinity && value === Infinity));
  if (!ok) throw new ValidationError(`${name} must be a number of ms from ${min} to ${MAX_TIMER_MS}${allowInfinity ? ', or Infinity' : ''}; got ${String(value)}.`, name);
  return value;
}

function timeout(name: keyof ClientTimeouts, value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : checkTimerMs(`timeouts.${name}`, value, 1);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${name} must be a positive number of milliseconds or bytes, got ${String(value)}.`, name);
  }
  return value;
}

/** The user-agent: this SDK, its version, the runtime, the platform and the processor (§1.3). */
export function userAgent(): string {
  const rt = detectRuntime();
  return `dashscope-realtime/${VERSION}; ${rt.name}/${rt.version || 'unknown'}; platform/${rt.platform}; processor/${rt.arch}`;
}

/**
 * qwen3.8 on a host without a workspace: the docs say it needs one, the Qwen team's own client
 * connects without (§0.2.17). A warning, not a refusal.
 */
function workspaceWarning(model: string, info: ModelInfo | undefined, base: URL, workspaceId: string | undefined): string | undefined {
  if (!info?.requiresWorkspace || workspaceId !== undefined || !isServiceHost(base.hostname) || /maas\.aliyuncs\.com$/i.test(base.hostname) || /qwencloudapi\.com$/i.test(base.hostname)) return undefined;
  return `${model} is documented as served on workspace hosts only (protocol.md §0.2.17), and ${base.host} is not one: if the handshake fails, pass workspaceId (or set DASHSCOPE_WORKSPACE_ID) from the Model Studio console.`;
}

/** Resolves and checks options; throws {@link ValidationError} naming the bad option. */
export function resolveOptions(options: RealtimeClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('Pass the client options as an object, e.g. { model, apiKey }.', 'options');
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) throw new ValidationError('env must be an object of environment variables.', 'env');
  for (const flag of ['validate', 'allowInsecure', 'dangerouslyAllowBrowser', 'debug', 'allowBrokenVoices'] as const) checkFlag(flag, options[flag]);
  const env = options.env ?? defaultEnv();
  const model = options.model ?? DEFAULT_MODEL;
  if (typeof model !== 'string' || model.trim() === '') {
    throw new ValidationError('model must be a non-empty model id, e.g. qwen3.5-omni-plus-realtime.', 'model', listModels());
  }
  const validate = options.validate ?? true;
  const modelInfo = options.modelInfo ?? getModelInfo(model);
  if (validate && modelInfo === undefined) {
    const shown = model.slice(0, 100);
    const other = OTHER_ENDPOINT_MODELS.includes(model)
      ? `'${shown}' shares the realtime endpoint but is not a Qwen-Omni model, so the catalog does not describe its session.`
      : `Unknown model '${shown}'.`;
    throw new ValidationError(`${other} ${describeAllowed(listModels(), 'dashscope-realtime models', 'Known models')} Pass validate: false (or modelInfo) to use a model the catalog does not know.`, 'model', listModels());
  }
  const { base, workspaceId, explicit } = resolveEndpoint(options, env);
  const warning = workspaceWarning(model, modelInfo, base, workspaceId);
  if (base.protocol === 'ws:' && !isLoopbackHost(base.hostname) && !options.allowInsecure) {
    throw new ValidationError(`Refusing unencrypted ws:// to ${base.hostname}: the API key would travel in clear text. Use wss://, or pass allowInsecure: true for a trusted network.`, 'url');
  }
  if (base.protocol !== 'ws:' && base.protocol !== 'wss:') {
    throw new ValidationError(`Invalid url protocol '${base.protocol}': use wss:// (or ws:// to a loopback host).`, 'url');
  }
  const rawKey = options.apiKey ?? (env.DASHSCOPE_API_KEY || undefined);
  if (rawKey === undefined && !explicit) {
    throw new ValidationError('No API key: set DASHSCOPE_API_KEY or pass apiKey. Keys come from the Model Studio console of your region (or from QwenCloud for region qwencloud).', 'apiKey');
  }
  if (typeof rawKey === 'string' && rawKey.trim() === '') {
    throw new ValidationError('apiKey is empty: set DASHSCOPE_API_KEY or pass a non-empty apiKey.', 'apiKey');
  }
  if (rawKey !== undefined && typeof rawKey !== 'string' && typeof rawKey !== 'function') {
    throw new ValidationError('apiKey must be a string or a function returning one.', 'apiKey');
  }
  const getApiKey = rawKey === undefined ? undefined : typeof rawKey === 'string' ? async () => rawKey : async () => rawKey();
  if (options.timeouts !== undefined && (typeof options.timeouts !== 'object' || options.timeouts === null)) {
    throw new ValidationError('timeouts must be an object, e.g. { connectMs: 15000 }.', 'timeouts');
  }
  if (options.socketFactory !== undefined && typeof options.socketFactory !== 'function') {
    throw new ValidationError('socketFactory must be a function that opens a socket.', 'socketFactory');
  }
  const logger = checkLogger(options.logger);
  const maxQueuedEvents = positive('maxQueuedEvents', options.maxQueuedEvents, 1024);
  if (!Number.isInteger(maxQueuedEvents)) throw new ValidationError(`maxQueuedEvents must be a whole number of events, got ${maxQueuedEvents}.`, 'maxQueuedEvents');
  const t = options.timeouts ?? {};
  return {
    url: withModel(base.toString(), model),
    model,
    modelInfo,
    workspaceId,
    validate,
    allowBrokenVoices: options.allowBrokenVoices ?? false,
    getApiKey,
    localWithoutKey: getApiKey === undefined && isLoopbackHost(base.hostname),
    warnings: warning ? [warning] : [],
    extraHeaders: checkHeaders(options.headers),
    timeouts: {
      connectMs: timeout('connectMs', t.connectMs, 15_000),
      requestMs: timeout('requestMs', t.requestMs, 15_000),
      finishMs: timeout('finishMs', t.finishMs, 20_000),
      closeMs: timeout('closeMs', t.closeMs, 5_000),
      readerStallMs: timeout('readerStallMs', t.readerStallMs, 5_000),
    },
    maxQueuedEvents,
    maxPayloadBytes: positive('maxPayloadBytes', options.maxPayloadBytes, 32 * 1024 * 1024),
    sendHighWaterMark: positive('sendHighWaterMark', options.sendHighWaterMark, 1024 * 1024),
    logger: logger ?? { warn: (m) => console.warn(m) },
    debug: options.debug ?? false,
    dangerouslyAllowBrowser: options.dangerouslyAllowBrowser ?? false,
    keepaliveMs: options.keepaliveMs === undefined || options.keepaliveMs === false ? options.keepaliveMs ?? 20_000 : checkTimerMs('keepaliveMs', options.keepaliveMs, 1),
    socketFactory: options.socketFactory,
  };
}

/** The handshake headers for `apiKey` (§1.3); user headers cannot replace the SDK's own. */
export function handshakeHeaders(resolved: ResolvedOptions, apiKey: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...resolved.extraHeaders };
  for (const name of Object.keys(headers)) {
    if (/^(authorization|x-dashscope-workspace)$/i.test(name)) delete headers[name];
  }
  headers['user-agent'] = userAgent();
  if (apiKey !== undefined) headers.Authorization = `Bearer ${apiKey}`;
  else if (resolved.localWithoutKey) headers.Authorization = `Bearer ${LOCAL_PLACEHOLDER_KEY}`;
  if (resolved.workspaceId !== undefined) headers['X-DashScope-WorkSpace'] = resolved.workspaceId;
  return headers;
}
