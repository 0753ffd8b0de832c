/**
 * The effective session of one connection: the model's defaults for `session.created` (§4.2),
 * `session.update` validated with the shared validator and applied (§3.1, §4.3), and the values
 * the rest of the simulator reads (formats, VAD, voice, tools).
 */
import {
  newServerId,
  validateSessionConfig,
  type ModelInfo,
  type Session,
  type SessionConfig,
  type SessionIssue,
  type TurnDetectionConfig,
} from '../protocol/index.js';
import { hideMcpSecrets } from '../protocol/mcpSecrets.js';
import type { ResponderTool } from './responder.js';

/** Why a `session.update` was refused. */
export interface UpdateRefusal {
  message: string;
  param: string;
  /** An unknown voice: the caller may close the socket (§2.4, 3P). */
  voice: boolean;
  /** Which of the caller's texts to use instead of `message`, when the refusal is not a validation issue. */
  textKind?: 'formatLocked' | 'voiceLocked';
}

/** Settings that shape `session.update` (see SimulatorOptions). */
export interface SessionPolicy {
  mode: 'merge' | 'replace';
  unsupportedFields: 'ignore' | 'error';
  lockVoiceAfterAudio: boolean;
}

/** What the connection has done so far, for the "only before audio" rules (§3.1.2, §2.4). */
export interface SessionProgress {
  audioStarted: boolean;
  audioProduced: boolean;
}

/** The keys of `session` the service knows and echoes (§3.1.1, §4.2); others are ignored. */
const KNOWN_KEYS = new Set([
  'modalities', 'voice', 'audio', 'input_audio_format', 'output_audio_format', 'input_audio_transcription',
  'smooth_output', 'instructions', 'turn_detection', 'enable_search', 'search_options', 'tools', 'tool_choice',
  'video', 'temperature', 'top_p', 'top_k', 'max_tokens', 'repetition_penalty', 'presence_penalty', 'seed',
]);
const SAMPLING = ['temperature', 'top_p', 'top_k', 'max_tokens', 'repetition_penalty', 'presence_penalty', 'seed'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The `turn_detection` echo with every default filled in (§3.1.3, §4.2). */
export function fullTurnDetection(given: TurnDetectionConfig, base?: TurnDetectionConfig | null): TurnDetectionConfig {
  const prev = base ?? {};
  const td: TurnDetectionConfig = {
    type: given.type ?? prev.type ?? 'server_vad',
    threshold: given.threshold ?? prev.threshold ?? 0.5,
    prefix_padding_ms: given.prefix_padding_ms ?? prev.prefix_padding_ms ?? 300,
    silence_duration_ms: given.silence_duration_ms ?? prev.silence_duration_ms ?? 800,
  };
  // idle_timeout_ms is echoed only when configured (§3.1.3).
  const idle = given.idle_timeout_ms !== undefined ? given.idle_timeout_ms : prev.idle_timeout_ms;
  if (typeof idle === 'number' && td.type === 'server_vad') td.idle_timeout_ms = idle;
  td.create_response = given.create_response ?? prev.create_response ?? true;
  td.interrupt_response = given.interrupt_response ?? prev.interrupt_response ?? true;
  for (const [k, v] of Object.entries(given)) if (!(k in td) && k !== 'idle_timeout_ms') td[k] = v;
  return td;
}

/** The session of `session.created`: the catalog defaults of `model` (§4.2, §3.1.1). */
export function defaultSession(model: ModelInfo, id = newServerId('sess')): Session {
  const session: Session = {
    id,
    object: 'realtime.session',
    model: model.id,
    modalities: ['text', 'audio'],
    voice: model.defaultVoice,
    input_audio_format: 'pcm',
    output_audio_format: 'pcm',
  };
  if (model.nestedAudioConfig) {
    session.audio = {
      input: { format: { type: 'pcm', sample_rate: model.input.defaultSampleRate } },
      output: { format: { type: 'pcm', sample_rate: model.output.defaultSampleRate } },
    };
  }
  session.input_audio_transcription = { model: model.transcriptionModel };
  session.turn_detection = fullTurnDetection({});
  if (model.smoothOutput) session.smooth_output = true;
  session.enable_search = false;
  session.search_options = {};
  session.tools = [];
  session.tool_choice = 'auto';
  Object.assign(session, model.defaults);
  if (model.limits.maxOutputTokens !== undefined) session.max_tokens = model.limits.maxOutputTokens;
  session.max_response_output_token = 'inf';
  return session;
}

/** Removes from `config` what an `unsupported` issue names, so it is accepted without effect. */
function stripUnsupported(config: Json, issue: SessionIssue): void {
  const path = issue.param.replace(/^session\.?/, '');
  if (SAMPLING.includes(path)) {
    for (const k of SAMPLING) delete config[k];
    return;
  }
  const tool = /^tools\[(\d+)\]/.exec(path);
  if (tool && Array.isArray(config.tools)) {
    config.tools = config.tools.filter((_t, i) => i !== Number(tool[1]));
    return;
  }
  const parts = path.split('.');
  let target: unknown = config;
  for (const part of parts.slice(0, -1)) target = isObject(target) ? target[part] : undefined;
  const last = parts[parts.length - 1]!;
  // An unsupported turn_detection type falls back to the model's own (server_vad).
  if (isObject(target) && path === 'turn_detection.type') target.type = 'server_vad';
  else if (isObject(target)) delete target[last];
}

function normaliseTranscription(value: unknown, model: ModelInfo): unknown {
  // The service picks the ASR model; the field is an on/off switch (§8.4).
  return value === null ? null : { model: model.transcriptionModel };
}

function mergeAudio(prev: Json | undefined, given: Json): Json {
  const out: Json = clone(prev) ?? {};
  for (const side of ['input', 'output'] as const) {
    const part = given[side];
    if (!isObject(part)) continue;
    const target = isObject(out[side]) ? (out[side] as Json) : {};
    for (const [k, v] of Object.entries(part)) {
      target[k] = k === 'format' && isObject(v) && isObject(target.format) ? { ...(target.format as Json), ...v } : clone(v);
    }
    out[side] = target;
  }
  return out;
}

/** The effective session of one connection and the values derived from it. */
export class SessionState {
  private current: Session;

  constructor(
    readonly model: ModelInfo,
    private readonly policy: SessionPolicy,
  ) {
    this.current = defaultSession(model);
  }

  /** The complete effective session, as echoed (§4.3). */
  get session(): Session {
    return this.current;
  }

  /**
   * Validates and applies `config` (§3.1). Returns a refusal (the first problem) and leaves the
   * session unchanged when it is not accepted (§4.1: no `session.updated` then).
   */
  update(config: unknown, progress: SessionProgress): UpdateRefusal | null {
    const issues = validateSessionConfig(this.model, config);
    const given = isObject(config) ? (clone(config) as Json) : {};
    for (const issue of issues) {
      if (issue.kind === 'invalid' || this.policy.unsupportedFields === 'error') {
        const voice = issue.param === 'session.voice' || issue.param === 'session.audio.output.voice';
        return { message: issue.message, param: issue.param, voice };
      }
      stripUnsupported(given, issue);
    }
    const next = this.apply(given);
    if (next.enable_search === true && Array.isArray(next.tools) && next.tools.length > 0) {
      return { message: 'tools and enable_search cannot be used together: declare tools or enable web search, not both.', param: 'session.tools', voice: false };
    }
    if (progress.audioStarted && JSON.stringify(inputFormat(this.current, this.model)) !== JSON.stringify(inputFormat(next, this.model))) {
      return { message: 'formatLocked', textKind: 'formatLocked', param: 'session.audio.input.format', voice: false };
    }
    if (this.policy.lockVoiceAfterAudio && progress.audioProduced && effectiveVoice(next) !== effectiveVoice(this.current)) {
      return { message: 'voiceLocked', textKind: 'voiceLocked', param: 'session.voice', voice: false };
    }
    this.current = next;
    return null;
  }

  private apply(given: Json): Session {
    const base = this.policy.mode === 'replace' ? defaultSession(this.model, this.current.id) : clone(this.current);
    const next = base as Session & Json;
    for (const [key, value] of Object.entries(given)) {
      if (!KNOWN_KEYS.has(key) || value === undefined) continue;
      if (key === 'voice') {
        if (typeof value === 'string') next.voice = value; // null: keep the voice (the SDK sends null for "default")
      } else if (key === 'input_audio_format' || key === 'output_audio_format') {
        next[key] = 'pcm'; // pcm16/pcm24 are names for the same PCM; the service echoes "pcm" (§2.3)
      } else if (key === 'input_audio_transcription') {
        next.input_audio_transcription = normaliseTranscription(value, this.model) as Session['input_audio_transcription'];
      } else if (key === 'turn_detection') {
        next.turn_detection = value === null ? null : fullTurnDetection(value as TurnDetectionConfig, isObject(base.turn_detection) ? base.turn_detection : undefined);
      } else if (key === 'audio') {
        if (isObject(value) && this.model.nestedAudioConfig) next.audio = mergeAudio(base.audio as Json | undefined, value);
      } else if (key === 'tools') {
        // An MCP entry's URL, authorization and headers are used, never echoed (§3.1.6).
        next.tools = hideMcpSecrets({ tools: clone(value) }, false).tools as Session['tools'];
      } else {
        next[key] = clone(value);
      }
    }
    return next;
  }

  /** Manual mode (`turn_detection: null`, §5.2). */
  get manual(): boolean {
    return this.current.turn_detection === null;
  }

  /** The VAD settings, or `null` in Manual mode. */
  get turnDetection(): TurnDetectionConfig | null {
    return this.current.turn_detection ?? null;
  }

  /** Input audio: container, rate and channels (§2.3, §3.1.2). */
  get input(): { type: 'pcm' | 'wav'; sampleRate: number; channels: number } {
    return inputFormat(this.current, this.model);
  }

  /** Output audio: container and rate (§2.3, §3.1.2). */
  get output(): { type: 'pcm' | 'wav'; sampleRate: number } {
    const f = (this.current.audio?.output?.format ?? {}) as Json;
    return {
      type: f.type === 'wav' ? 'wav' : 'pcm',
      sampleRate: typeof f.sample_rate === 'number' ? f.sample_rate : this.model.output.defaultSampleRate,
    };
  }

  /** The voice replies use: `audio.output.voice` wins over `voice` (§3.1.1). */
  get voice(): string {
    return effectiveVoice(this.current) ?? this.model.defaultVoice;
  }

  /** Whether input transcription is on (§4.10). */
  get transcription(): boolean {
    return this.current.input_audio_transcription !== null;
  }

  /** Session output modalities (§3.1.1). */
  get modalities(): ('text' | 'audio')[] {
    return Array.isArray(this.current.modalities) ? [...this.current.modalities] : ['text', 'audio'];
  }

  /** Session instructions, if any. */
  get instructions(): string | undefined {
    return typeof this.current.instructions === 'string' ? this.current.instructions : undefined;
  }

  /** Declared function tools in one shape (§0.1.8); none on models without tools (§2.1). */
  get tools(): ResponderTool[] {
    if (!this.model.tools || !Array.isArray(this.current.tools)) return [];
    const out: ResponderTool[] = [];
    for (const raw of this.current.tools as unknown[]) {
      if (!isObject(raw) || raw.type !== 'function') continue;
      const fn = isObject(raw.function) ? raw.function : raw; // nested (official) or flat (3P) shape
      if (typeof fn.name !== 'string') continue;
      const tool: ResponderTool = { name: fn.name };
      if (typeof fn.description === 'string') tool.description = fn.description;
      if (isObject(fn.parameters)) tool.parameters = fn.parameters;
      out.push(tool);
    }
    return out;
  }
}

function effectiveVoice(session: Session): string | undefined {
  const nested = session.audio?.output?.voice;
  if (typeof nested === 'string' && nested !== '') return nested;
  return typeof session.voice === 'string' ? session.voice : undefined;
}

function inputFormat(session: Session, model: ModelInfo): { type: 'pcm' | 'wav'; sampleRate: number; channels: number } {
  const f = (session.audio?.input?.format ?? {}) as Json;
  return {
    type: f.type === 'wav' ? 'wav' : 'pcm',
    sampleRate: typeof f.sample_rate === 'number' ? f.sample_rate : model.input.defaultSampleRate,
    channels: typeof f.channels === 'number' ? f.channels : 1,
  };
}
