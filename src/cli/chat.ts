/**
 * `dashscope-realtime chat`: one or more turns from files or text, the reply streamed to the
 * terminal and written to a WAV. Against DashScope with a key, else the embedded simulator. It
 * runs on `RealtimeSession`, as an application would: the session keeps the turns, runs the tools
 * (through `--tool-exec`) and asks for the continuation; this file reads the user's side
 * (`chatInput.ts`) and shows the model's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { concatPcm16 } from '../audio/pcm.js';
import { writeWav } from '../audio/wav.js';
import { RealtimeClient } from '../client/realtimeClient.js';
import { ConnectionError, ServerError, TimeoutError, ValidationError } from '../errors.js';
import { shortenBase64 } from '../internal/redact.js';
import { DEFAULT_MODEL, getModelInfo } from '../protocol/models.js';
import type { FunctionTool, SessionConfig } from '../protocol/session.js';
import { RealtimeSession } from '../session/realtimeSession.js';
import { tool, type Tool } from '../session/tools.js';
import type { Turn, TurnResult } from '../session/turn.js';
import { choice, InputError, num, parseArgs, str, UsageError, type FlagSpec, unexpectedArgument } from './args.js';
import { loadTurns, sendTurn, type SendOptions, type TurnInput } from './chatInput.js';
import { EXIT, EXIT_HELP } from './exitCodes.js';
import { checkOutputs } from './preflight.js';
import { connectWithProgress, DEFAULT_CONNECT_TIMEOUT_S, openTarget } from './target.js';
import { processTerminal, summaryLines, type Terminal, type TurnSummary } from './terminal.js';
import { runToolCommand } from './toolExec.js';

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

function readTools(path: string, raw: string): Declared[] {
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
  return list as Declared[];
}

/** A tool's wire declaration, in the Chat Completions shape or flat (§0.1.8). */
type Declared = FunctionTool | { type: 'function'; name: string; description?: string; parameters?: object };

/**
 * The session tools of `--tools`: each call goes to `--tool-exec` (the call as JSON on stdin, the
 * output from stdout), or without it, an error output tells the model that nothing runs it.
 */
function cliTools(path: string, declared: Declared[], toolExec: string | undefined, term: Terminal): Tool<Record<string, unknown>>[] {
  return declared.map((entry) => {
    const fn = ('function' in entry && entry.function ? entry.function : entry) as { name: string; description?: string; parameters?: object };
    try {
      return tool<Record<string, unknown>>({
        name: fn.name,
        ...(fn.description === undefined ? {} : { description: fn.description }),
        parameters: (fn.parameters ?? { type: 'object', properties: {} }) as never,
        // Past runToolCommand's own 30 s limit, so that its message (naming the command) wins.
        timeoutMs: 31_000,
        execute: async (args, context) => {
          term.info(`tool call: ${fn.name}(${JSON.stringify(args)})`);
          if (!toolExec) return JSON.stringify({ error: `no --tool-exec given to run ${fn.name}` });
          return (await runToolCommand(toolExec, { name: fn.name, arguments: args, call_id: context.callId })) || '""';
        },
      });
    } catch (error) {
      throw new InputError(`--tools ${path}: ${error instanceof ValidationError ? error.message : String(error)}`);
    }
  });
}

/** One turn's reply, for the summary and the files. */
interface Reply {
  summary: TurnSummary;
  text: string;
  audio: Int16Array;
}

/**
 * Sends one turn and waits for the session's turn that answers it: the reply streams to the
 * terminal, and it ends with the turn, a `server_error`, the close, the timeout (counted from
 * before the upload, as the help says) or Ctrl-C.
 */
async function runTurn(session: RealtimeSession, input: TurnInput, send: SendOptions, timeoutMs: number, term: Terminal): Promise<Reply> {
  let fail!: (error: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // a failure after the turn settled has nobody left to tell
  let inputEnd: number | undefined;
  let started!: (turn: Turn) => void;
  const next = new Promise<Turn>((resolve) => (started = resolve));
  const offs = [
    session.on('turn', (turn) => {
      // Latencies count from the end of the upload; in VAD mode a reply may start before it,
      // and then the session's own mark (the end of speech) stays.
      if (inputEnd !== undefined) turn.markInputEnd(inputEnd);
      started(turn);
    }),
    session.on('error', (error) => {
      if (error instanceof ServerError && error.type === 'server_error') fail(error);
      else if (error instanceof ServerError) term.info(`server error: ${error.message}${error.param ? ` (${error.param})` : ''}`);
    }),
    session.on('close', ({ error }) => fail(error ?? new ConnectionError('The connection closed before the reply.', 'connection_closed'))),
    // A tool that fails is answered with an error output, so the model can say so; the run goes on.
    session.on('tool_result', (r) => r.status !== 'ok' && term.info(`tool ${r.name} ${r.status}: ${r.error ?? r.output}`)),
  ];
  const timer = setTimeout(() => fail(new TimeoutError('waiting for the reply', timeoutMs)), timeoutMs);
  const onAbort = () => fail(new Error('interrupted'));
  send.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([sendTurn(session.client, input, send), failed]);
    inputEnd = performance.now();
    const turn = await Promise.race([next, failed]);
    const shown = Promise.all([turn.transcript, turn.text].map(async (deltas) => {
      for await (const delta of deltas) term.text(delta);
    }));
    const result: TurnResult = await Promise.race([turn.done, failed]);
    await shown;
    if (result.status === 'failed') throw result.error ?? new Error('the reply failed');
    const summary: TurnSummary = { replySeconds: result.audio.length / result.sampleRate, usage: [result.usage] };
    if (result.latency.firstTextMs !== undefined) summary.firstTextMs = result.latency.firstTextMs;
    if (result.latency.firstAudioMs !== undefined) summary.firstAudioMs = result.latency.firstAudioMs;
    return { summary, text: result.transcript + result.text, audio: result.audio };
  } finally {
    clearTimeout(timer);
    send.signal.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  }
}

/** Runs `chat`; resolves with the exit code. */
export async function chatCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.help) {
    process.stdout.write(CHAT_HELP + '\n');
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw unexpectedArgument(args.positionals[0]!, /\.(wav|pcm|raw)$/i.test(args.positionals[0]!) ? 'to send a recording, use --input %s' : 'to send text, use --text %s');
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
  let session: RealtimeSession | undefined;
  try {
    const config: SessionConfig = {
      modalities: modalities === 'text' ? ['text'] : ['text', 'audio'],
      turn_detection: vad === 'off' ? null : { type: vad === 'server' ? 'server_vad' : 'semantic_vad' },
      input_audio_transcription: { model: info.transcriptionModel ?? null },
    };
    const voice = str(args, 'voice');
    const instructions = str(args, 'instructions');
    if (voice !== undefined) config.voice = voice;
    if (instructions !== undefined) config.instructions = instructions;
    session = new RealtimeSession({
      ...target.options,
      session: config,
      ...(tools ? { tools: cliTools(toolsPath!, tools, toolExec, term) } : {}),
      // One run, one connection: a drop ends the run with its exit code instead of a reconnect.
      reconnect: false,
      transport: (options) => {
        const client = new RealtimeClient(options);
        if (json) client.on('*', (event) => term.json(shortenBase64(JSON.stringify({ ...(event.type === 'unknown' ? event.event : event), received_at_ms: Date.now() }))));
        return client;
      },
    });
    await connectWithProgress(() => session!.connect(), target, term.info);

    const send: SendOptions = { vad: vad !== 'off', pace, signal: controller.signal, progress: term.progress };
    const replies: Reply[] = [];
    for (const turn of turns) {
      if (controller.signal.aborted) break;
      replies.push(await runTurn(session, turn, send, timeoutMs, term));
      term.text('\n');
    }
    if (controller.signal.aborted) {
      term.info('interrupted');
      await session.close();
      return EXIT.interrupted;
    }
    const rate = session.client.outputSampleRate;
    const output = str(args, 'output');
    if (output) {
      const pcm = concatPcm16(replies.map((r) => r.audio));
      await writeFile(output, writeWav(pcm, { sampleRate: rate }));
      term.info(`wrote ${output} (${(pcm.length / rate).toFixed(2)} s at ${rate} Hz)`);
    }
    const transcriptPath = str(args, 'transcript');
    if (transcriptPath) await writeFile(transcriptPath, replies.map((r) => r.text).join('\n') + '\n');
    for (const line of summaryLines(replies.map((r) => r.summary))) term.info(line);
    await session.close();
    return EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) {
      term.info('interrupted');
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await session?.close();
    await target.close();
  }
}
