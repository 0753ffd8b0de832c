/**
 * Session configuration as it travels in `session.update` (client → server) and in
 * `session.created` / `session.updated` (server → client). protocol.md §3.1, §4.2, §4.3.
 */

/** Output modalities. Only `["text"]` and `["text","audio"]` (any order) are valid (§3.1.1). */
export type Modality = 'text' | 'audio';

/**
 * Legacy flat audio-format strings. The docs say `pcm`; the Python SDK sends `pcm16` on both
 * sides and the Java SDK `pcm16`/`pcm24`, so a server accepts all three (§2.3, §8.2).
 */
export type LegacyAudioFormat = 'pcm' | 'pcm16' | 'pcm24';

/** Audio container in the nested `audio.*.format.type` shape (qwen3.5 / qwen3.8, §3.1.2). */
export type AudioFormatType = 'pcm' | 'wav';

/** Sample rates the nested audio format accepts (§3.1.2). */
export type AudioSampleRate = 8000 | 16000 | 24000 | 48000;

/** Input channel layouts of qwen3.8 multichannel audio (§3.1.2). */
export type ChannelLayout = 'mono' | 'raw_mic_array' | 'foa_ambix';

/** `audio.input.format` / `audio.output.format` (§3.1.2). */
export interface AudioFormatConfig {
  /** `pcm` (raw s16le mono) or `wav` (WAV-wrapped 16-bit). Default `pcm`. */
  type?: AudioFormatType;
  /** 8000, 16000, 24000 or 48000. Input default 16000, output default 24000. */
  sample_rate?: AudioSampleRate | number;
  /** qwen3.8 only: always `s16le`. */
  sample_format?: 's16le';
  /** qwen3.8 only: 1 (default), 2 or 4 input channels. */
  channels?: number;
  /** qwen3.8 only: always `interleaved`. */
  packing?: 'interleaved';
  /** qwen3.8 only: must match `channels` (`mono` 1, `raw_mic_array` 2, `foa_ambix` 4). */
  channel_layout?: ChannelLayout;
  /** Extra keys are passed through (the official SDKs merge `extra_params` here). */
  [extra: string]: unknown;
}

/** Nested audio configuration (qwen3.5 and qwen3.8 only, §3.1.2). */
export interface AudioConfig {
  /** Input audio format. Immutable once audio has started. */
  input?: { format?: AudioFormatConfig };
  /** Output audio format and (qwen3.8) voice; `audio.output.voice` wins over `voice`. */
  output?: { format?: AudioFormatConfig; voice?: string };
}

/** Voice activity detection types (§3.1.3). `semantic_vad` only on qwen3.5 / qwen3.8. */
export type TurnDetectionType = 'server_vad' | 'semantic_vad';

/** `session.turn_detection` (§3.1.3); `null` in the session selects Manual mode. */
export interface TurnDetectionConfig {
  /** `server_vad` (acoustic) or `semantic_vad` (semantic, ignores backchannels). Default `server_vad`. */
  type?: TurnDetectionType;
  /** Speech threshold in [-1.0, 1.0]; lower is more sensitive. Server default 0.5. */
  threshold?: number;
  /** Silence that ends a turn, in [200, 6000] ms. Default 800. */
  silence_duration_ms?: number;
  /** Audio kept before detected speech, in ms. Echoed as 300 by default. */
  prefix_padding_ms?: number;
  /** qwen3.5 with `server_vad` only: [5000, 30000] ms of user silence before the model re-engages. */
  idle_timeout_ms?: number;
  /** Echoed by the server (`true`); whether it is honoured is undocumented. */
  create_response?: boolean;
  /** Echoed by the server (`true`); whether it is honoured is undocumented. */
  interrupt_response?: boolean;
  /** Other keys are passed through as the official SDKs' `turn_detection_param` does. */
  [extra: string]: unknown;
}

/** JSON Schema of a function's parameters; `type` is `"object"` (§3.1.4). */
export interface FunctionParameters {
  type: 'object';
  properties?: Record<string, unknown>;
  required?: string[];
  [extra: string]: unknown;
}

/**
 * A function tool as sent on the wire: the Chat Completions shape (§0.1.8, §3.1.4).
 * `tools` is supported on qwen3.5 and qwen3.8 only, and never together with `enable_search`.
 */
export interface FunctionTool {
  type: 'function';
  function: {
    /** Function name the model calls. */
    name: string;
    /** What the function does, for the model. */
    description?: string;
    /** JSON Schema of the arguments. */
    parameters?: FunctionParameters;
  };
}

/**
 * The flat OpenAI-Realtime tool shape. Some third-party clients send it; a server accepts it
 * (§0.1.8) but this SDK always sends {@link FunctionTool}.
 */
export interface FlatFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: FunctionParameters;
}

/** qwen3.8 MCP tool entry (§3.1.6). */
export interface McpTool {
  type: 'mcp';
  server_label: string;
  server_url?: string;
  authorization?: string;
  headers?: Record<string, string>;
  allowed_tools?: string[];
  require_approval?: 'always' | 'never';
}

/** Any entry of `session.tools`. */
export type ToolDeclaration = FunctionTool | FlatFunctionTool | McpTool;

/** `session.input_audio_transcription`; the service picks the ASR model (§8.4). */
export interface InputAudioTranscriptionConfig {
  /** `qwen3-asr-flash-realtime` (the one ASR model since 2026-10-10, §0.2.23), or `null` (the SDKs send `null`). */
  model?: string | null;
  [extra: string]: unknown;
}

/**
 * The `session` object of `session.update`. Every field is optional; the server merges what it
 * is given (configurable in the simulator, §3.1). Both audio-format shapes are accepted: the
 * legacy flat `input_audio_format`/`output_audio_format` and the nested `audio` object.
 */
export interface SessionConfig {
  /** Output modalities: `["text"]` or `["text","audio"]`. Default `["text","audio"]`. */
  modalities?: Modality[];
  /** Voice name (§2.4) or a cloned voice id. Default per model. */
  voice?: string | null;
  /** Newest examples repeat the model here; the URL's `model` binds the session. */
  model?: string;
  /** Nested audio formats (qwen3.5 / qwen3.8). */
  audio?: AudioConfig;
  /** Legacy input format: `pcm`, `pcm16` or `pcm24`. */
  input_audio_format?: LegacyAudioFormat | string;
  /** Legacy output format: `pcm`, `pcm16` or `pcm24`. */
  output_audio_format?: LegacyAudioFormat | string;
  /** Input transcription; `null` disables it. */
  input_audio_transcription?: InputAudioTranscriptionConfig | null;
  /** qwen3-omni-flash only: conversational (`true`), formal (`false`) or model's choice (`null`). */
  smooth_output?: boolean | null;
  /** System prompt. */
  instructions?: string;
  /** VAD settings, or `null` for Manual mode. Omitted: VAD with defaults. */
  turn_detection?: TurnDetectionConfig | null;
  /** Web search (qwen3.5 / qwen3.8); exclusive with `tools`. Default `false`. */
  enable_search?: boolean;
  /** `{ enable_source }`: return a source list; only with `enable_search`. */
  search_options?: { enable_source?: boolean; [extra: string]: unknown };
  /** Function (and qwen3.8 MCP) tools; exclusive with `enable_search`. */
  tools?: ToolDeclaration[];
  /** Echoed as `"auto"`; not a documented input. */
  tool_choice?: string;
  /** qwen3.8 only: `{ input: { representation_compact: "none" | "normal" } }`. */
  video?: { input?: { representation_compact?: 'none' | 'normal' } };
  /** Sampling temperature in [0, 2). Not modifiable on turbo. */
  temperature?: number;
  /** Nucleus sampling in (0, 1]. Not modifiable on turbo. */
  top_p?: number;
  /** Top-k (≥ 0); `null` or > 100 disables it. Not modifiable on turbo. */
  top_k?: number | null;
  /** Output token cap, ≤ the model's maximum output. Not modifiable on turbo. */
  max_tokens?: number;
  /** Repetition penalty > 0 (1.0 = none). Not modifiable on turbo. */
  repetition_penalty?: number;
  /** Presence penalty in [-2, 2]. Not modifiable on turbo. */
  presence_penalty?: number;
  /** Seed in [0, 2^31 − 1], or -1 for unset. Not modifiable on turbo. */
  seed?: number;
  /** Unknown keys are passed through verbatim, as the official SDKs' `**kwargs` are. */
  [extra: string]: unknown;
}

/**
 * The effective session the server echoes in `session.created` and `session.updated`
 * (§4.2, §4.3): the configuration plus `id`, `object` and `model`.
 */
export interface Session extends SessionConfig {
  /** Session id, e.g. `sess_…` (opaque). */
  id: string;
  /** Always `realtime.session`. */
  object: 'realtime.session';
  /** The model bound by the URL. */
  model: string;
  /** Echoed, undocumented: `"inf"`. */
  max_response_output_token?: string | number;
}
