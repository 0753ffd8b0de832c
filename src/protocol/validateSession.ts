/**
 * Session configuration checked against the model catalog (protocol.md §3.1). One function for
 * both sides: the client refuses a bad configuration before sending it, and the simulator
 * answers it with a DashScope-shaped `error` event.
 */
import type { ModelInfo } from './models.js';
import type { SessionConfig, ToolDeclaration } from './session.js';

/**
 * One problem in a session configuration.
 * - `invalid`: a value the service rejects (out of range, unknown voice, wrong type).
 * - `unsupported`: a feature this model lacks (tools on qwen3-omni-flash, nested audio on
 *   turbo). The client refuses it; a server may ignore it (the official Python SDK sends
 *   `tools` to qwen3-omni-flash), so the simulator makes that a setting.
 */
export interface SessionIssue {
  kind: 'invalid' | 'unsupported';
  /** Path of the field, e.g. `session.voice`. */
  param: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** The values the model accepts, where they form a list or range. */
  allowed?: readonly (string | number)[] | string;
}

const MODALITY_MESSAGE = "Supported combinations are: ['text'] and ['audio', 'text'].";
const LEGACY_FORMATS = ['pcm', 'pcm16', 'pcm24'] as const;
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pyList(values: readonly unknown[]): string {
  return `[${values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}]`;
}

class IssueList {
  readonly issues: SessionIssue[] = [];
  invalid(param: string, message: string, allowed?: SessionIssue['allowed']): void {
    this.issues.push(allowed === undefined ? { kind: 'invalid', param, message } : { kind: 'invalid', param, message, allowed });
  }
  unsupported(param: string, message: string): void {
    this.issues.push({ kind: 'unsupported', param, message });
  }
  /** A number field inside [min, max] (bounds inclusive unless told otherwise). */
  range(param: string, value: unknown, min: number, max: number, opts: { integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean } = {}): void {
    const lo = opts.minExclusive ? `(${min}` : `[${min}`;
    const hi = opts.maxExclusive ? `${max})` : `${max}]`;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!opts.integer || Number.isInteger(value)) &&
      (opts.minExclusive ? value > min : value >= min) &&
      (opts.maxExclusive ? value < max : value <= max);
    if (!ok) {
      this.invalid(param, `Invalid ${param}: ${JSON.stringify(value)}. Expected ${opts.integer ? 'an integer' : 'a number'} in ${lo}, ${hi}.`, `${lo}, ${hi}`);
    }
  }
}

function checkModalities(list: IssueList, modalities: unknown): void {
  const ok =
    Array.isArray(modalities) &&
    ((modalities.length === 1 && modalities[0] === 'text') ||
      (modalities.length === 2 && modalities.includes('text') && modalities.includes('audio')));
  if (!ok) {
    const shown = Array.isArray(modalities) ? pyList(modalities) : JSON.stringify(modalities);
    list.invalid('session.modalities', `Invalid modalities: ${shown}. ${MODALITY_MESSAGE}`, ["['text']", "['text', 'audio']"]);
  }
}

/** Voices that work on `model`, the ones live reports name first (§0.2.2: Tina, Ethan, Serena). */
function workingVoices(model: ModelInfo): string[] {
  const voices = (model.voices ?? [model.defaultVoice]).filter((v) => !model.silentFailureVoices.includes(v));
  const named = ['Tina', 'Ethan', 'Serena'].filter((v) => voices.includes(v));
  return named.length > 0 ? named : voices.slice(0, 3);
}

function checkVoice(list: IssueList, model: ModelInfo, voice: unknown, param: string, options: ValidateOptions): void {
  if (voice === null) return;
  if (typeof voice !== 'string' || voice.trim() === '') {
    list.invalid(param, `Voice ${JSON.stringify(voice)} is not supported. Give a voice name of ${model.id}.`, model.voices ?? undefined);
    return;
  }
  if (options.refuseSilentFailureVoices && model.silentFailureVoices.includes(voice)) {
    list.invalid(
      param,
      `Voice '${voice}' does not work on ${model.id}: the service accepts it and then ends every turn silently (the socket closes with code 1005 right after the user stops speaking, with no error and no reply; protocol.md §0.2.2). Use a working voice such as ${workingVoices(model).map((v) => `'${v}'`).join(', ')}, or pass allowBrokenVoices: true to send it anyway.`,
      workingVoices(model),
    );
    return;
  }
  if (model.voices === null || model.voices.includes(voice)) return;
  if (model.voiceCloning && voice.startsWith('qwen-omni-vc-')) return;
  list.invalid(param, `Voice '${voice}' is not supported.`, model.voices);
}

function checkFormat(list: IssueList, model: ModelInfo, side: 'input' | 'output', format: unknown): void {
  const base = `session.audio.${side}.format`;
  if (format === undefined) return;
  if (!isObject(format)) {
    list.invalid(base, `Invalid ${base}: expected an object such as {"type":"pcm","sample_rate":${model[side].defaultSampleRate}}.`);
    return;
  }
  const caps = model[side];
  if (format.type !== undefined && !caps.formats.includes(format.type as never)) {
    list.invalid(`${base}.type`, `Invalid ${base}.type: ${JSON.stringify(format.type)}. ${model.id} accepts ${pyList(caps.formats)}.`, caps.formats);
  }
  if (format.sample_rate !== undefined && !caps.sampleRates.includes(format.sample_rate as number)) {
    list.invalid(`${base}.sample_rate`, `Invalid ${base}.sample_rate: ${JSON.stringify(format.sample_rate)}. ${model.id} accepts ${pyList(caps.sampleRates)}.`, caps.sampleRates);
  }
  if (side === 'input') {
    const channels = format.channels ?? 1;
    if (!model.input.channels.includes(channels as number)) {
      list.invalid(`${base}.channels`, `Invalid ${base}.channels: ${JSON.stringify(channels)}. ${model.id} accepts ${pyList(model.input.channels)}.`, model.input.channels);
    }
    if (format.channel_layout !== undefined) {
      const expected = { 1: 'mono', 2: 'raw_mic_array', 4: 'foa_ambix' }[channels as 1 | 2 | 4];
      if (format.channel_layout !== expected) {
        list.invalid(`${base}.channel_layout`, `Invalid ${base}.channel_layout: ${JSON.stringify(format.channel_layout)}. With ${String(channels)} channel(s) it must be '${String(expected)}'.`, expected ? [expected] : undefined);
      }
    }
    if (format.sample_format !== undefined && format.sample_format !== 's16le') {
      list.invalid(`${base}.sample_format`, `Invalid ${base}.sample_format: ${JSON.stringify(format.sample_format)}. Only 's16le' is accepted.`, ['s16le']);
    }
  }
}

function checkAudio(list: IssueList, model: ModelInfo, session: SessionConfig, options: ValidateOptions): void {
  for (const side of ['input', 'output'] as const) {
    const key = `${side}_audio_format` as const;
    const value = session[key];
    if (value !== undefined && !LEGACY_FORMATS.includes(value as never)) {
      list.invalid(`session.${key}`, `Invalid ${key}: ${JSON.stringify(value)}. Use 'pcm' (also accepted: 'pcm16', 'pcm24'), or the nested session.audio.${side}.format on models that take it.`, LEGACY_FORMATS);
    }
  }
  if (session.audio === undefined) return;
  if (!model.nestedAudioConfig) {
    list.unsupported('session.audio', `${model.id} does not take the nested session.audio object; use input_audio_format / output_audio_format ('pcm').`);
    return;
  }
  if (!isObject(session.audio)) {
    list.invalid('session.audio', 'Invalid session.audio: expected an object with input and/or output.');
    return;
  }
  const audio = session.audio as Record<string, unknown>;
  for (const side of ['input', 'output'] as const) {
    const part = audio[side];
    if (part === undefined) continue;
    if (!isObject(part)) {
      list.invalid(`session.audio.${side}`, `Invalid session.audio.${side}: expected an object with a format.`);
      continue;
    }
    checkFormat(list, model, side, part.format);
    if (side === 'output' && part.voice !== undefined) checkVoice(list, model, part.voice, 'session.audio.output.voice', options);
  }
}

function checkTurnDetection(list: IssueList, model: ModelInfo, td: unknown): void {
  if (td === null || td === undefined) return;
  if (!isObject(td)) {
    list.invalid('session.turn_detection', 'Invalid turn_detection: expected an object, or null for Manual mode.');
    return;
  }
  const type = td.type ?? 'server_vad';
  if (type !== 'server_vad' && type !== 'semantic_vad') {
    list.invalid('session.turn_detection.type', `Invalid turn_detection.type: ${JSON.stringify(type)}. Use 'server_vad' or 'semantic_vad', or turn_detection: null for Manual mode.`, ['server_vad', 'semantic_vad']);
  } else if (!model.turnDetection.includes(type)) {
    list.unsupported('session.turn_detection.type', `${model.id} does not support turn_detection.type '${type}'; it supports ${pyList(model.turnDetection)}.`);
  }
  if (td.threshold !== undefined) list.range('session.turn_detection.threshold', td.threshold, -1, 1);
  if (td.silence_duration_ms !== undefined) list.range('session.turn_detection.silence_duration_ms', td.silence_duration_ms, 200, 6000, { integer: true });
  if (td.prefix_padding_ms !== undefined) list.range('session.turn_detection.prefix_padding_ms', td.prefix_padding_ms, 0, 10_000, { integer: true });
  if (td.idle_timeout_ms !== undefined && td.idle_timeout_ms !== null) {
    if (!model.idleTimeout || type !== 'server_vad') {
      list.unsupported('session.turn_detection.idle_timeout_ms', `idle_timeout_ms works only on qwen3.5-omni models with server_vad (model ${model.id}, type ${String(type)}).`);
    } else {
      list.range('session.turn_detection.idle_timeout_ms', td.idle_timeout_ms, 5000, 30_000, { integer: true });
    }
  }
}

function toolName(tool: ToolDeclaration): unknown {
  if (tool.type === 'mcp') return (tool as { server_label?: unknown }).server_label;
  return 'function' in tool && isObject(tool.function) ? tool.function.name : (tool as { name?: unknown }).name;
}

function checkTools(list: IssueList, model: ModelInfo, session: SessionConfig): void {
  const { tools } = session;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) {
      list.invalid('session.tools', 'Invalid tools: expected an array of {"type":"function","function":{"name",...}}.');
    } else if (tools.length > 0 && !model.tools) {
      list.unsupported('session.tools', `${model.id} does not support function calling; use qwen3.5-omni-plus-realtime, qwen3.5-omni-flash-realtime or qwen3.8-omni-flash-realtime.`);
    } else {
      tools.forEach((tool: ToolDeclaration, i) => {
        const param = `session.tools[${i}]`;
        if (!isObject(tool) || (tool.type !== 'function' && tool.type !== 'mcp')) {
          list.invalid(`${param}.type`, `Invalid ${param}.type: expected 'function'${model.mcpTools ? " or 'mcp'" : ''}.`, model.mcpTools ? ['function', 'mcp'] : ['function']);
          return;
        }
        if (tool.type === 'mcp' && !model.mcpTools) {
          list.unsupported(`${param}.type`, `${model.id} does not support MCP tools (qwen3.8-omni-flash-realtime only).`);
          return;
        }
        const name = toolName(tool);
        if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
          list.invalid(`${param}.function.name`, `Invalid tool name ${JSON.stringify(name)}: use 1 to 64 letters, digits, '_' or '-'.`);
        }
      });
    }
  }
  if (session.enable_search !== undefined) {
    if (typeof session.enable_search !== 'boolean') {
      list.invalid('session.enable_search', `Invalid enable_search: ${JSON.stringify(session.enable_search)}. Expected true or false.`);
    } else if (session.enable_search && !model.webSearch) {
      list.unsupported('session.enable_search', `${model.id} does not support web search (enable_search).`);
    }
  }
  if (session.enable_search === true && Array.isArray(tools) && tools.length > 0) {
    list.invalid('session.tools', 'tools and enable_search cannot be used together: declare tools or enable web search, not both.');
  }
}

function checkSampling(list: IssueList, model: ModelInfo, session: SessionConfig): void {
  const keys = ['temperature', 'top_p', 'top_k', 'max_tokens', 'repetition_penalty', 'presence_penalty', 'seed'] as const;
  const given = keys.filter((k) => session[k] !== undefined);
  if (given.length === 0) return;
  if (!model.samplingConfigurable) {
    list.unsupported(`session.${given[0]}`, `${model.id} does not allow changing sampling parameters (${given.join(', ')}).`);
    return;
  }
  if (session.temperature !== undefined) list.range('session.temperature', session.temperature, 0, 2, { maxExclusive: true });
  if (session.top_p !== undefined) list.range('session.top_p', session.top_p, 0, 1, { minExclusive: true });
  if (session.top_k !== undefined && session.top_k !== null) list.range('session.top_k', session.top_k, 0, Number.MAX_SAFE_INTEGER, { integer: true });
  if (session.max_tokens !== undefined) list.range('session.max_tokens', session.max_tokens, 1, model.limits.maxOutputTokens ?? 65_536, { integer: true });
  if (session.repetition_penalty !== undefined) list.range('session.repetition_penalty', session.repetition_penalty, 0, Number.MAX_VALUE, { minExclusive: model.family !== 'qwen3.8-omni-flash' });
  if (session.presence_penalty !== undefined) list.range('session.presence_penalty', session.presence_penalty, -2, 2);
  if (session.seed !== undefined && session.seed !== -1) list.range('session.seed', session.seed, 0, 2 ** 31 - 1, { integer: true });
}

/** What {@link validateSessionConfig} checks beyond what the service itself refuses. */
export interface ValidateOptions {
  /**
   * Refuse the model's `silentFailureVoices`, which the service accepts and then fails with
   * (§0.2.2). The client's default; the simulator leaves it off, as the service accepts them.
   */
  refuseSilentFailureVoices?: boolean;
}

/**
 * Every problem of `session` for `model`, in field order; an empty list means valid.
 * Unknown keys are not checked: they are passed through as the official SDKs pass `**kwargs`.
 * The messages are the service's own where it has one (the simulator sends them as they are);
 * the client adds the allowed values with {@link describeIssue}.
 */
export function validateSessionConfig(model: ModelInfo, session: unknown, options: ValidateOptions = {}): SessionIssue[] {
  const list = new IssueList();
  if (!isObject(session)) {
    list.invalid('session', 'Invalid session: expected an object.');
    return list.issues;
  }
  const config = session as SessionConfig;
  if (config.modalities !== undefined) checkModalities(list, config.modalities);
  if (config.voice !== undefined) checkVoice(list, model, config.voice, 'session.voice', options);
  checkAudio(list, model, config, options);
  if (config.input_audio_transcription !== undefined && config.input_audio_transcription !== null && !isObject(config.input_audio_transcription)) {
    list.invalid('session.input_audio_transcription', 'Invalid input_audio_transcription: expected {"model": ...} or null.');
  }
  if (config.instructions !== undefined && typeof config.instructions !== 'string') {
    list.invalid('session.instructions', 'Invalid instructions: expected a string.');
  }
  if (config.smooth_output !== undefined && config.smooth_output !== null) {
    if (typeof config.smooth_output !== 'boolean') list.invalid('session.smooth_output', 'Invalid smooth_output: expected true, false or null.');
    else if (!model.smoothOutput) list.unsupported('session.smooth_output', `smooth_output applies only to qwen3-omni-flash-realtime, not ${model.id}.`);
  }
  checkTurnDetection(list, model, config.turn_detection);
  checkTools(list, model, config);
  checkSampling(list, model, config);
  return list.issues;
}

/** How many allowed values a message shows before "… (N in all)". */
const SHOWN_VALUES = 6;

/**
 * `Allowed: 'a', 'b', … (N in all); see \`command\`.`: the first few allowed values of an
 * enumerated field and where the whole list is (issue 17.3: every refusal of an enumerated value
 * names what is accepted).
 */
export function describeAllowed(allowed: readonly (string | number)[], command = 'dashscope-realtime models', label = 'Allowed'): string {
  const shown = allowed.slice(0, SHOWN_VALUES).map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
  const more = allowed.length > SHOWN_VALUES ? `, … (${allowed.length} in all)` : '';
  return `${label}: ${shown}${more}; see \`${command}\`.`;
}

/**
 * The message of `issue` for a user of the client: the service's text, plus the allowed values
 * and the `models` command when the field is enumerated (only the command when the text already
 * lists every value).
 */
export function describeIssue(issue: SessionIssue, model: ModelInfo): string {
  const { allowed } = issue;
  if (!Array.isArray(allowed) || allowed.length === 0) return issue.message;
  const command = `dashscope-realtime models ${model.id}`;
  if (allowed.every((v: string | number) => issue.message.includes(String(v)))) return `${issue.message} See \`${command}\`.`;
  const cloned = /voice$/.test(issue.param) && model.voiceCloning ? ' Cloned voices (qwen-omni-vc-…) are accepted too.' : '';
  return `${issue.message} ${describeAllowed(allowed, command)}${cloned}`;
}
