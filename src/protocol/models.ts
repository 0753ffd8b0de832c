/**
 * The model catalog (protocol.md §2): every Qwen-Omni-Realtime model id and snapshot with what it
 * can do. The client validates session configuration against it before sending, and the
 * simulator uses the same entries for its defaults and its own validation.
 */
import type { AudioFormatType, TurnDetectionType } from './session.js';

/** Sampling defaults echoed in `session.created` (§3.1.1, defaults columns). */
export interface SamplingDefaults {
  temperature: number;
  top_p: number;
  top_k: number;
  repetition_penalty: number;
  presence_penalty: number;
  seed: number;
}

/** Token accounting rules (§2.6). */
export interface TokenRules {
  /** Input audio tokens per second (a duration under 1 s counts as 1 s). */
  audioInputPerSecond: number;
  /** Output audio tokens per second. */
  audioOutputPerSecond: number;
  /** Image block edge in pixels: one token per block (32 or 28). */
  imageBlockPixels: number;
  /** Minimum tokens per image. */
  imageMinTokens: number;
  /** Maximum tokens per image. */
  imageMaxTokens: number;
  /**
   * The transcript of an audio reply is billed as output text tokens besides its audio
   * (§0.2.22: qwen3.8 bills both; qwen3.5 bills only the audio). A text-only reply always bills
   * its text.
   */
  billsAudioTranscript: boolean;
}

/** Context and history limits (§2.2); absent values are undocumented. */
export interface ModelLimits {
  contextTokens?: number;
  maxInputTokens?: number;
  /** Maximum output tokens; the upper bound of `max_tokens`. */
  maxOutputTokens?: number;
  /** Audio turns kept in history before the oldest are dropped. */
  audioTurns?: number;
  /** Video (image) turns kept in history. */
  videoTurns?: number;
  /** Seconds of audio kept in history. */
  audioSeconds?: number;
  /** Seconds of video frames kept in history. */
  videoSeconds?: number;
  /** Hard session duration cap in minutes (§2.5). */
  sessionMinutes: number;
}

/** What one model id can do. */
export interface ModelInfo {
  /** Model id as passed in `?model=`. */
  id: string;
  /** Generation and tier, e.g. `qwen3.5-omni-plus`. */
  family: string;
  /**
   * `stable` alias, dated `snapshot`, or `legacy` (no longer in the newest guides, §0.2.23; a
   * legacy alias still names its `snapshot`).
   */
  status: 'stable' | 'snapshot' | 'legacy';
  /** The snapshot a stable alias points to, where documented. */
  snapshot?: string;
  /** Only reachable through a workspace host (§1.2). */
  requiresWorkspace: boolean;
  /** Input audio: containers, sample rates, channel counts, and the default rate. */
  input: {
    formats: readonly AudioFormatType[];
    sampleRates: readonly number[];
    channels: readonly number[];
    defaultSampleRate: number;
  };
  /** Output audio: containers, sample rates, and the default rate. */
  output: {
    formats: readonly AudioFormatType[];
    sampleRates: readonly number[];
    defaultSampleRate: number;
  };
  /** Accepts the nested `session.audio` object (§3.1.2). */
  nestedAudioConfig: boolean;
  /** Voices; `null` when the catalog has no list (any non-empty name is accepted). */
  voices: readonly string[] | null;
  /**
   * Voices the service accepts in `session.update` and then fails with: every turn ends with the
   * socket closed (1005), no `error` and no response (§0.2.2: qwen3.5-omni-flash + `Cherry`).
   * The client refuses them unless `allowBrokenVoices` is set; the simulator accepts them, as
   * the service does. Empty for most models.
   */
  silentFailureVoices: readonly string[];
  /** Voice of `session.created`. */
  defaultVoice: string;
  /** Accepts cloned voice ids (`qwen-omni-vc-…`, §2.7). */
  voiceCloning: boolean;
  /** Function calling (`tools`). */
  tools: boolean;
  /** MCP tool entries (qwen3.8). */
  mcpTools: boolean;
  /** `enable_search`. */
  webSearch: boolean;
  /** Turn detection types. */
  turnDetection: readonly TurnDetectionType[];
  /** `turn_detection.idle_timeout_ms`. */
  idleTimeout: boolean;
  /** `smooth_output` applies (qwen3-omni-flash only). */
  smoothOutput: boolean;
  /** Image frames through `input_image_buffer.append`. */
  imageInput: boolean;
  /** Text input through `conversation.item.create` (§5.6). */
  textInput: boolean;
  /** Sampling parameters may be changed (false on turbo). */
  samplingConfigurable: boolean;
  /** Sampling defaults. */
  defaults: SamplingDefaults;
  /** Context, history and duration limits. */
  limits: ModelLimits;
  /** Token accounting. */
  tokens: TokenRules;
  /** ASR model echoed in `input_audio_transcription.model`. */
  transcriptionModel: string;
  /** How the service answers `session.finish` (§0.1.1). */
  sessionFinish: 'session.finished' | 'error';
}

const RATES = [8000, 16000, 24000, 48000] as const;
const SESSION_MINUTES = 120;

const QWEN35_VOICES = [
  'Tina', 'Cindy', 'Liora Mira', 'Sunnybobi', 'Raymond', 'Ethan', 'Theo Calm', 'Serena', 'Harvey',
  'Maia', 'Evan', 'Qiao', 'Momo', 'Wil', 'Angel', 'Li Cassian', 'Mia', 'Joyner', 'Gold', 'Katerina',
  'Ryan', 'Jennifer', 'Aiden', 'Mione', 'Sunny', 'Dylan', 'Eric', 'Peter', 'Joseph Chen', 'Marcus',
  'Li', 'Rocky', 'Sohee', 'Lenn', 'Ono Anna', 'Sonrisa', 'Bodega', 'Emilien', 'Andre', 'Radio Gol',
  'Alek', 'Rizky', 'Roya', 'Arda', 'Hana', 'Dolce', 'Jakub', 'Griet', 'Eliska', 'Marina', 'Siiri',
  'Ingrid', 'Sigga', 'Bea', 'Chloe', 'Cherry', 'Chelsie', 'Kiki',
] as const;

/**
 * qwen3.8's closed list (§0.2.1). `Eliška` is also accepted spelled `Eliska`. Cherry, Ethan,
 * Chelsie, Sunnybobi and Harvey are not on it: a live `session.update` with `Cherry` was refused.
 */
const QWEN38_VOICES = [
  'Tina', 'Cindy', 'Liora Mira', 'Raymond', 'Zane', 'Katerina', 'Ryan', 'Mia', 'Cici', 'Theo Calm',
  'Serena', 'Maia', 'Evan', 'Qiao', 'Momo', 'Wil', 'Angel', 'Li Cassian', 'Joyner', 'Gold',
  'Jennifer', 'Aiden', 'Mione', 'Sunny', 'Dylan', 'Eric', 'Peter', 'Joseph Chen', 'Marcus', 'Li',
  'Rocky', 'Kiki', 'Sohee', 'Eliška', 'Eliska', 'Alek', 'Arda', 'Dolce', 'Lenn', 'Ono Anna',
  'Sonrisa', 'Bodega', 'Andre', 'Radio Gol', 'Rizky', 'Roya', 'Hana', 'Jakub', 'Griet', 'Marina',
  'Siiri', 'Ingrid', 'Sigga', 'Bea', 'Chloe', 'Emilien', 'longanlingxin',
] as const;

const QWEN3_FLASH_1201_VOICES = [
  'Cherry', 'Serena', 'Ethan', 'Chelsie', 'Momo', 'Vivian', 'Moon', 'Maia', 'Kai', 'Nofish', 'Bella',
  'Jennifer', 'Ryan', 'Katerina', 'Aiden', 'Eldric Sage', 'Mia', 'Mochi', 'Bellona', 'Vincent',
  'Bunny', 'Neil', 'Elias', 'Arthur', 'Nini', 'Ebona', 'Seren', 'Pip', 'Stella', 'Bodega', 'Sonrisa',
  'Alek', 'Dolce', 'Sohee', 'Ono Anna', 'Lenn', 'Emilien', 'Andre', 'Radio Gol', 'Jada', 'Dylan',
  'Li', 'Marcus', 'Roy', 'Peter', 'Sunny', 'Eric', 'Rocky', 'Kiki',
] as const;

const QWEN3_FLASH_0915_VOICES = [
  'Cherry', 'Ethan', 'Nofish', 'Jennifer', 'Ryan', 'Katerina', 'Elias', 'Jada', 'Dylan', 'Sunny',
  'Li', 'Marcus', 'Roy', 'Peter', 'Rocky', 'Kiki', 'Eric',
] as const;

const TURBO_VOICES = ['Cherry', 'Serena', 'Ethan', 'Chelsie'] as const;

type Family = Omit<ModelInfo, 'id' | 'status' | 'snapshot' | 'voices'> & { voices: readonly string[] | null };

const QWEN38_FLASH: Family = {
  family: 'qwen3.8-omni-flash',
  requiresWorkspace: true,
  input: { formats: ['pcm', 'wav'], sampleRates: [16000], channels: [1, 2, 4], defaultSampleRate: 16000 },
  output: { formats: ['pcm', 'wav'], sampleRates: RATES, defaultSampleRate: 24000 },
  nestedAudioConfig: true,
  voices: QWEN38_VOICES,
  silentFailureVoices: [],
  defaultVoice: 'Tina',
  voiceCloning: true,
  tools: true,
  mcpTools: true,
  webSearch: true,
  turnDetection: ['server_vad', 'semantic_vad'],
  idleTimeout: false,
  smoothOutput: false,
  imageInput: true,
  textInput: true,
  samplingConfigurable: true,
  defaults: { temperature: 0.6, top_p: 0.95, top_k: 20, repetition_penalty: 0, presence_penalty: 1, seed: -1 },
  // §0.2.21: the oldest history is dropped silently past these.
  limits: { maxInputTokens: 196_608, maxOutputTokens: 65_536, audioTurns: 100, videoTurns: 50, audioSeconds: 600, videoSeconds: 240, sessionMinutes: SESSION_MINUTES },
  tokens: { audioInputPerSecond: 7, audioOutputPerSecond: 12.5, imageBlockPixels: 32, imageMinTokens: 4, imageMaxTokens: 1280, billsAudioTranscript: true },
  transcriptionModel: 'qwen3-asr-flash-realtime',
  sessionFinish: 'session.finished',
};

const QWEN35_PLUS: Family = {
  ...QWEN38_FLASH,
  family: 'qwen3.5-omni-plus',
  requiresWorkspace: false,
  input: { formats: ['pcm', 'wav'], sampleRates: RATES, channels: [1], defaultSampleRate: 16000 },
  voices: QWEN35_VOICES,
  mcpTools: false,
  idleTimeout: true,
  // repetition_penalty 1.0 (§0.2.20).
  defaults: { temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.0, presence_penalty: 1.5, seed: -1 },
  tokens: { ...QWEN38_FLASH.tokens, billsAudioTranscript: false },
  limits: { contextTokens: 262_144, audioTurns: 100, videoTurns: 50, audioSeconds: 600, videoSeconds: 240, sessionMinutes: SESSION_MINUTES },
};

const QWEN35_FLASH: Family = {
  ...QWEN35_PLUS,
  family: 'qwen3.5-omni-flash',
  // Accepted, then every turn ends in a silent close (§0.2.2).
  silentFailureVoices: ['Cherry'],
  limits: { audioTurns: 80, videoTurns: 50, audioSeconds: 480, videoSeconds: 120, sessionMinutes: SESSION_MINUTES },
  // The official Python SDK records an `error` ("invalid event type") answer here (§0.1.1).
  sessionFinish: 'error',
};

const QWEN3_FLASH: Family = {
  family: 'qwen3-omni-flash',
  requiresWorkspace: false,
  input: { formats: ['pcm'], sampleRates: [16000], channels: [1], defaultSampleRate: 16000 },
  output: { formats: ['pcm'], sampleRates: [24000], defaultSampleRate: 24000 },
  nestedAudioConfig: false,
  voices: QWEN3_FLASH_1201_VOICES,
  silentFailureVoices: [],
  defaultVoice: 'Cherry',
  voiceCloning: false,
  tools: false,
  mcpTools: false,
  webSearch: false,
  turnDetection: ['server_vad'],
  idleTimeout: false,
  smoothOutput: true,
  imageInput: true,
  textInput: true,
  samplingConfigurable: true,
  defaults: { temperature: 0.9, top_p: 1.0, top_k: 50, repetition_penalty: 1.05, presence_penalty: 0, seed: -1 },
  limits: { contextTokens: 65_536, maxInputTokens: 49_152, maxOutputTokens: 16_384, audioTurns: 8, videoTurns: 8, sessionMinutes: SESSION_MINUTES },
  // The documented `response.done` of this era counts the transcript in output_tokens (§4.21).
  tokens: { audioInputPerSecond: 12.5, audioOutputPerSecond: 12.5, imageBlockPixels: 32, imageMinTokens: 4, imageMaxTokens: 1280, billsAudioTranscript: true },
  transcriptionModel: 'qwen3-asr-flash-realtime',
  sessionFinish: 'session.finished',
};

const TURBO: Family = {
  ...QWEN3_FLASH,
  family: 'qwen-omni-turbo',
  voices: TURBO_VOICES,
  defaultVoice: 'Chelsie',
  smoothOutput: false,
  // The model list says text and audio only; the realtime guide gives it an image token rule
  // (§0.1.5). The catalog follows the model list; the simulator can be told otherwise.
  imageInput: false,
  samplingConfigurable: false,
  defaults: { temperature: 1.0, top_p: 0.01, top_k: 20, repetition_penalty: 1.05, presence_penalty: 0, seed: -1 },
  limits: { contextTokens: 32_768, maxInputTokens: 30_720, maxOutputTokens: 2_048, sessionMinutes: SESSION_MINUTES },
  tokens: { audioInputPerSecond: 25, audioOutputPerSecond: 25, imageBlockPixels: 28, imageMinTokens: 4, imageMaxTokens: 1280, billsAudioTranscript: true },
  // The older ASR model was retired on 2026-10-10; the service now fixes this one (§0.2.23).
  transcriptionModel: 'qwen3-asr-flash-realtime',
};

function entry(id: string, family: Family, status: ModelInfo['status'], snapshot?: string, voices?: readonly string[]): ModelInfo {
  const info: ModelInfo = { ...family, id, status, voices: voices ?? family.voices };
  if (snapshot !== undefined) info.snapshot = snapshot;
  return Object.freeze(info);
}

/** Every model of protocol.md §2.1, keyed by id. */
export const MODELS: Readonly<Record<string, ModelInfo>> = Object.freeze(
  Object.fromEntries(
    [
      entry('qwen3.8-omni-flash-realtime', QWEN38_FLASH, 'stable'),
      entry('qwen3.5-omni-plus-realtime', QWEN35_PLUS, 'stable', 'qwen3.5-omni-plus-realtime-2026-03-15'),
      entry('qwen3.5-omni-plus-realtime-2026-03-15', QWEN35_PLUS, 'snapshot'),
      entry('qwen3.5-omni-flash-realtime', QWEN35_FLASH, 'stable', 'qwen3.5-omni-flash-realtime-2026-03-15'),
      entry('qwen3.5-omni-flash-realtime-2026-03-15', QWEN35_FLASH, 'snapshot'),
      // The newest guides list only qwen3.8 and qwen3.5 as realtime models: qwen3-omni-flash and
      // turbo are legacy (§0.2.23).
      entry('qwen3-omni-flash-realtime', QWEN3_FLASH, 'legacy', 'qwen3-omni-flash-realtime-2025-12-01'),
      entry('qwen3-omni-flash-realtime-2025-12-01', QWEN3_FLASH, 'legacy'),
      entry('qwen3-omni-flash-realtime-2025-09-15', QWEN3_FLASH, 'legacy', undefined, QWEN3_FLASH_0915_VOICES),
      entry('qwen-omni-turbo-realtime', TURBO, 'legacy', 'qwen-omni-turbo-realtime-2025-05-08'),
      entry('qwen-omni-turbo-realtime-latest', TURBO, 'legacy'),
      entry('qwen-omni-turbo-realtime-2025-05-08', TURBO, 'legacy'),
    ].map((info) => [info.id, info]),
  ),
);

/**
 * Models that are not Qwen-Omni but share `/api-ws/v1/realtime` and the official SDKs' class
 * (§2.1, §0.2.23). They are not in {@link MODELS}: their sessions take other fields. Listed so
 * that an error or the `models` command can say what they are.
 */
export const OTHER_ENDPOINT_MODELS: readonly string[] = Object.freeze([
  'qwen3.8-livetranslate-flash-realtime',
  'qwen3.5-livetranslate-flash-realtime',
  'qwen3.5-livetranslate-flash-realtime-2026-05-19',
  'qwen3-livetranslate-flash-realtime',
  'qwen3-livetranslate-flash-realtime-2025-09-22',
  'qwen3-asr-flash-realtime',
  'qwen3-asr-flash-realtime-2025-10-27',
  'qwen3-asr-flash-realtime-2026-02-10',
  'qwen-audio-3.0-realtime-plus',
  'qwen-audio-3.0-realtime-flash',
  'qwen-audio-3.1-realtime-plus',
  'qwen3-s2s-flash-realtime-2025-09-22',
]);

/** The model used when none is given. */
export const DEFAULT_MODEL = 'qwen3.5-omni-plus-realtime';

/** The catalog entry for `model`, or `undefined` for a model the catalog does not know. */
export function getModelInfo(model: string): ModelInfo | undefined {
  return Object.prototype.hasOwnProperty.call(MODELS, model) ? MODELS[model] : undefined;
}

/** Every model id in the catalog. */
export function listModels(): string[] {
  return Object.keys(MODELS);
}
