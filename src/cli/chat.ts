/**
 * `dashscope-realtime chat`: one or more turns from files or text, the reply streamed to the
 * terminal and written to a WAV. Against DashScope with a key, else the embedded simulator.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { writeWav } from '../audio/wav.js';
import { RealtimeClient } from '../client/realtimeClient.js';
import { shortenBase64 } from '../internal/redact.js';
import { DEFAULT_MODEL, getModelInfo } from '../protocol/models.js';
import type { FunctionTool, SessionConfig } from '../protocol/session.js';
import { choice, InputError, num, parseArgs, str, UsageError, type FlagSpec } from './args.js';
import { loadTurns, sendTurn, type TurnInput } from './chatInput.js';
import { EXIT, EXIT_HELP } from './exitCodes.js';
import { checkOutputs } from './preflight.js';
import { ReplyCollector } from './replyCollector.js';
import { connectWithProgress, DEFAULT_CONNECT_TIMEOUT_S, openTarget } from './target.js';
import { processTerminal, summaryLines, type TurnSummary } from './terminal.js';

const FLAGS: Record<string, FlagSpec> = {
  input: { type: 'string', repeat: true, short: 'i' },
  rate: { type: 'string' },
  text: { type: 'string', repeat: true, short: 't' },
  image: { type: 'string', repeat: true },
  frames: { type: 'string' },
  fps: { type: 'string' },
  instructions: { type: 'string' },
  voice: { type: 'string' },
  model: { type: 'string', short: 'm' },
  region: { type: 'string' },
  workspace: { type: 'string' },
  url: { type: 'string' },
  vad: { type: 'string' },
  modalities: { type: 'string' },
  tools: { type: 'string' },
  'tool-exec': { type: 'string' },
  output: { type: 'string', short: 'o' },
  transcript: { type: 'string' },
  json: { type: 'boolean' },
  pace: { type: 'string' },
  simulator: { type: 'boolean' },
  'simulator-speed': { type: 'string' },
  timeout: { type: 'string' },
  'connect-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Help text of `chat`. */
export const CHAT_HELP = `Usage: dashscope-realtime chat [options]

Hold a conversation from files or text: each --input or --text is one user turn, in order.
Without DASHSCOPE_API_KEY (or with --simulator) it talks to the embedded simulator.

Input:
  -i, --input FILE       a WAV file (any rate, depth, channels), raw PCM16 with --rate, or - for stdin
      --rate HZ          sample rate of raw PCM input (mono s16le)
  -t, --text TEXT        a text turn
      --image FILE       a JPEG sent with the first turn (repeatable)
      --frames DIR       JPEG frames from a folder, sent at --fps (default 1) while audio streams
      --pace MODE        realtime (as a microphone would) or fast (default fast)
Session:
  -m, --model ID         model (default ${DEFAULT_MODEL}); see 'dashscope-realtime models'
      --voice NAME       reply voice
      --instructions T   system prompt
      --vad MODE         off (commit and ask), server or semantic (default off)
      --modalities M     audio (text and audio, default) or text
      --tools FILE       tools JSON ([{"type":"function","function":{...}}])
      --tool-exec CMD    command that answers tool calls: call JSON on stdin, output on stdout
      --region R         beijing or singapore (or DASHSCOPE_REGION)
      --workspace ID     workspace id (or DASHSCOPE_WORKSPACE_ID)
      --url URL          endpoint (or DASHSCOPE_REALTIME_URL), e.g. a 'simulate' server
      --simulator        use the embedded simulator even with a key
      --simulator-speed  simulator pace: 1 real time (default), 0 as fast as possible
      --timeout S        seconds to wait for each reply (default 120)
      --connect-timeout S  seconds to wait for the connection (default ${DEFAULT_CONNECT_TIMEOUT_S})
Output:
  -o, --output FILE      write the reply audio as WAV
      --transcript FILE  write the reply text
      --json             every server event as a JSON line on stdout (base64 shortened), with
                         received_at_ms (ms since the epoch) for 'dashscope-realtime replay'

Examples:
  dashscope-realtime chat --input samples/question.wav --output reply.wav
  dashscope-realtime chat --text "Describe this picture" --image samples/frame.jpg --modalities text
  dashscope-realtime chat --text "What's the weather like in Hangzhou today?" --tools samples/tools.json \\
      --tool-exec 'echo "{\\"weather\\":\\"sunny\\",\\"temperature_c\\":21}"'

${EXIT_HELP}`;

function readTools(path: string, raw: string): FunctionTool[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InputError(`--tools ${path} is not valid JSON`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { tools?: unknown })?.tools;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputError(`--tools ${path} must hold a non-empty array of {"type":"function","function":{"name",...}}`);
  }
  return list as FunctionTool[];
}

/** Runs `chat`; resolves with the exit code. */
export async function chatCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.help) {
    process.stdout.write(CHAT_HELP + '\n');
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const json = args.flags.json === true;
  const term = processTerminal({ json });
  const vad = choice(args, 'vad', ['off', 'server', 'semantic'] as const, 'off');
  const modalities = choice(args, 'modalities', ['audio', 'text'] as const, 'audio');
  const pace = choice(args, 'pace', ['realtime', 'fast'] as const, 'fast');
  const timeoutMs = num(args, 'timeout', 120, 1, 3600) * 1000;
  const toolExec = str(args, 'tool-exec');
  const toolsPath = str(args, 'tools');
  if (toolExec && !toolsPath) throw new UsageError('--tool-exec needs --tools to declare the tools');
  const tools = toolsPath ? readTools(toolsPath, await readFile(toolsPath, 'utf8').catch(() => { throw new InputError(`cannot read --tools ${toolsPath}`); })) : undefined;
  const model = str(args, 'model', DEFAULT_MODEL)!;
  const info = getModelInfo(model);
  if (!info) throw new InputError(`unknown model '${model}'; run 'dashscope-realtime models' for the list`);
  // Everything the user gave is read and checked before anything is started.
  const turns: TurnInput[] = await loadTurns(args, info.input.defaultSampleRate);
  if (turns.length === 0) throw new UsageError('nothing to say: give --input FILE or --text TEXT');
  await checkOutputs({ '--output': str(args, 'output'), '--transcript': str(args, 'transcript') });
  const connectTimeoutMs = num(args, 'connect-timeout', DEFAULT_CONNECT_TIMEOUT_S, 0.1, 600) * 1000;

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const target = await openTarget(
    { model, region: str(args, 'region'), workspace: str(args, 'workspace'), url: str(args, 'url'), simulator: args.flags.simulator === true, simulatorSpeed: num(args, 'simulator-speed', 1, 0, 1000), connectTimeoutMs },
    process.env,
    term.info,
  );
  let client: RealtimeClient | undefined;
  try {
    client = new RealtimeClient(target.options);
    if (json) client.on('*', (event) => term.json(shortenBase64(JSON.stringify({ ...(event.type === 'unknown' ? event.event : event), received_at_ms: Date.now() }))));
    await connectWithProgress(() => client!.connect(), target, term.info);
    const config: SessionConfig = {
      modalities: modalities === 'text' ? ['text'] : ['text', 'audio'],
      turn_detection: vad === 'off' ? null : { type: vad === 'server' ? 'server_vad' : 'semantic_vad' },
      input_audio_transcription: { model: client.modelInfo?.transcriptionModel ?? null },
    };
    const voice = str(args, 'voice');
    const instructions = str(args, 'instructions');
    if (voice !== undefined) config.voice = voice;
    if (instructions !== undefined) config.instructions = instructions;
    if (tools) config.tools = tools;
    await client.updateSession(config);

    const collector = new ReplyCollector(client, term, toolExec);
    const summaries: TurnSummary[] = [];
    for (const turn of turns) {
      if (controller.signal.aborted) break;
      const reply = collector.nextTurn(timeoutMs, controller.signal);
      await sendTurn(client, turn, { vad: vad !== 'off', pace, signal: controller.signal, progress: term.progress });
      collector.markInputEnd();
      summaries.push(await reply);
      term.text('\n');
    }
    if (controller.signal.aborted) {
      term.info('interrupted');
      await client.finish({ timeoutMs: 2000 });
      return EXIT.interrupted;
    }
    const output = str(args, 'output');
    if (output) {
      const pcm = collector.audio();
      await writeFile(output, writeWav(pcm, { sampleRate: client.outputSampleRate }));
      term.info(`wrote ${output} (${(pcm.length / client.outputSampleRate).toFixed(2)} s at ${client.outputSampleRate} Hz)`);
    }
    const transcriptPath = str(args, 'transcript');
    if (transcriptPath) await writeFile(transcriptPath, collector.transcripts().join('\n') + '\n');
    for (const line of summaryLines(summaries)) term.info(line);
    await client.finish({ timeoutMs: 5000 });
    return EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) {
      term.info('interrupted');
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await client?.close();
    await target.close();
  }
}
