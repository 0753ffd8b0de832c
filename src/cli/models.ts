/**
 * `dashscope-realtime models`: the model catalog — capabilities, voices, audio formats, limits.
 */
import { MODELS, OTHER_ENDPOINT_MODELS, type ModelInfo } from '../protocol/models.js';
import { parseArgs, unexpectedArgument } from './args.js';
import { EXIT } from './exitCodes.js';
import { requireModel } from './preflight.js';

/** Help text of `models`. */
export const MODELS_HELP = `Usage: dashscope-realtime models [MODEL] [--json]

Lists the Qwen-Omni-Realtime models with their capabilities; with a model id, its details
(voices, audio formats, limits, token rules). Legacy models are no longer in the newest guides.

Examples:
  dashscope-realtime models
  dashscope-realtime models qwen3.5-omni-plus-realtime
  dashscope-realtime models --json`;

function yes(v: boolean): string {
  return v ? 'yes' : '-';
}

function details(m: ModelInfo): string {
  const rates = (r: readonly number[]) => r.map((x) => `${x / 1000} kHz`).join(', ');
  return [
    `${m.id}  (${m.status}${m.snapshot ? ` → ${m.snapshot}` : ''})`,
    ...(m.status === 'legacy' ? ['  legacy:          no longer in the newest guides; use qwen3.8-omni-flash-realtime or qwen3.5-omni-{plus,flash}-realtime'] : []),
    `  host:            ${m.requiresWorkspace ? 'workspace host (documented as required; the public host is warned about, §0.2.17)' : 'public or workspace host'}`,
    `  input audio:     ${m.input.formats.join('/')} PCM16, ${rates(m.input.sampleRates)} (default ${m.input.defaultSampleRate / 1000} kHz), channels ${m.input.channels.join('/')}`,
    `  output audio:    ${m.output.formats.join('/')} PCM16, ${rates(m.output.sampleRates)} (default ${m.output.defaultSampleRate / 1000} kHz)`,
    `  voices:          ${m.voices ? `${m.voices.length}: ${m.voices.join(', ')}` : 'see the service voice list'} (default ${m.defaultVoice})${m.voiceCloning ? '; cloned voices' : ''}`,
    ...(m.silentFailureVoices.length ? [`  broken voices:   ${m.silentFailureVoices.join(', ')}: accepted, then every turn ends silently (refused unless allowBrokenVoices)`] : []),
    `  tools:           ${yes(m.tools)}${m.mcpTools ? ' (+ MCP)' : ''}   web search: ${yes(m.webSearch)}   turn detection: ${m.turnDetection.join(', ')}`,
    `  image input:     ${yes(m.imageInput)}   text input: ${yes(m.textInput)}   sampling changeable: ${yes(m.samplingConfigurable)}`,
    `  limits:          ${[
      m.limits.contextTokens && `context ${m.limits.contextTokens}`,
      m.limits.maxInputTokens && `input ${m.limits.maxInputTokens}`,
      m.limits.maxOutputTokens && `output ${m.limits.maxOutputTokens}`,
      m.limits.audioTurns && `${m.limits.audioTurns} audio turns`,
      m.limits.audioSeconds && `${m.limits.audioSeconds} s audio`,
      m.limits.videoTurns && `${m.limits.videoTurns} video turns`,
      m.limits.videoSeconds && `${m.limits.videoSeconds} s video`,
      `${m.limits.sessionMinutes} min per session`,
    ].filter(Boolean).join(', ')}`,
    `  tokens:          audio in ${m.tokens.audioInputPerSecond}/s, out ${m.tokens.audioOutputPerSecond}/s${m.tokens.billsAudioTranscript ? ' + its transcript' : ' (transcript not billed)'}; images 1 per ${m.tokens.imageBlockPixels}×${m.tokens.imageBlockPixels} px (${m.tokens.imageMinTokens}–${m.tokens.imageMaxTokens})`,
  ].join('\n');
}

/** Runs `models`. */
export async function modelsCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (args.flags.help) {
    process.stdout.write(MODELS_HELP + '\n');
    return EXIT.ok;
  }
  const [id, extra] = args.positionals;
  if (extra !== undefined) throw unexpectedArgument(extra);
  // An unknown id is an input error: the help would not fix it, the list does (issue 17.6).
  const models: ModelInfo[] = id === undefined ? Object.values(MODELS) : [requireModel(id)];
  if (args.flags.json) {
    process.stdout.write(JSON.stringify(id === undefined ? models : models[0], null, 2) + '\n');
    return EXIT.ok;
  }
  if (id !== undefined) {
    process.stdout.write(details(models[0]!) + '\n');
    return EXIT.ok;
  }
  const rows = models.map((m) => [m.id, m.status, yes(m.tools), yes(m.webSearch), yes(m.imageInput), `${m.input.defaultSampleRate / 1000}/${m.output.defaultSampleRate / 1000} kHz`, m.defaultVoice]);
  const header = ['model', 'status', 'tools', 'search', 'images', 'in/out', 'voice'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const footer = [
    '',
    'legacy: no longer in the newest guides (qwen3.8 and qwen3.5 are the current realtime models).',
    `Also on this endpoint, not Qwen-Omni (not checked by this catalog): ${OTHER_ENDPOINT_MODELS.join(', ')}.`,
    'Details: dashscope-realtime models MODEL',
  ];
  process.stdout.write([line(header), ...rows.map(line), ...footer].join('\n') + '\n');
  return EXIT.ok;
}
