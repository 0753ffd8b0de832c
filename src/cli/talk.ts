/**
 * `dashscope-realtime talk`: a live voice conversation through the microphone and the speakers,
 * with the Node audio kit (`dashscope-realtime/node`: sox, ALSA or ffmpeg, or the commands given
 * with --recorder and --player). VAD by default; playback stops when the user starts speaking;
 * Ctrl+C ends with `session.finish`.
 *
 * A recorder or player that is missing or fails ends the command at once with exit code 6 and
 * one line naming the command, its exit status and its last stderr line (issue 17.2), before any
 * token is spent when the programs are missing.
 */
import { ValidationError } from '../errors.js';
import { AudioDeviceError } from '../node/audioDeviceError.js';
import { Microphone } from '../node/microphone.js';
import { Speaker } from '../node/speaker.js';
import { RealtimeSession } from '../session/realtimeSession.js';
import { DEFAULT_MODEL } from '../protocol/models.js';
import type { SessionConfig } from '../protocol/session.js';
import { choice, num, parseArgs, str, UsageError, type FlagSpec, unexpectedArgument } from './args.js';
import { EXIT, EXIT_HELP, sentence } from './exitCodes.js';
import { requireModel } from './preflight.js';
import { CONNECT_TIMEOUT_FLAG, CONNECT_TIMEOUT_HELP, connectTimeoutMs, connectWithProgress, openTarget } from './target.js';
import { processTerminal } from './terminal.js';

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', short: 'm' },
  voice: { type: 'string' },
  instructions: { type: 'string' },
  vad: { type: 'string' },
  'push-to-talk': { type: 'boolean' },
  recorder: { type: 'string' },
  player: { type: 'string' },
  region: { type: 'string' },
  workspace: { type: 'string' },
  url: { type: 'string' },
  simulator: { type: 'boolean' },
  'simulator-speed': { type: 'string' },
  'allow-broken-voices': { type: 'boolean' },
  ...CONNECT_TIMEOUT_FLAG,
  help: { type: 'boolean', short: 'h' },
};

/** Help text of `talk`. */
export const TALK_HELP = `Usage: dashscope-realtime talk [options]

A live voice conversation: speak into the microphone, hear the reply. Needs sox (rec/play), ALSA
(arecord/aplay) or ffmpeg. Without DASHSCOPE_API_KEY it talks to the embedded simulator.

Options:
  -m, --model ID        model (default ${DEFAULT_MODEL})
      --voice NAME      reply voice
      --instructions T  system prompt
      --vad MODE        server (default) or semantic
      --push-to-talk    no VAD: press Enter to start talking and Enter again to send
      --recorder CMD    command writing 16 kHz mono s16le PCM to stdout (or DASHSCOPE_RECORDER)
      --player CMD      command playing mono s16le PCM from stdin; {rate} is replaced by the
                        sample rate (or DASHSCOPE_PLAYER)
      --allow-broken-voices
                        send a voice the service accepts and then ends every turn silently
                        with (qwen3.5-omni-flash + Cherry); refused by default
      ${CONNECT_TIMEOUT_HELP}
      --region R        beijing, singapore or qwencloud (or DASHSCOPE_REGION)
      --workspace, --url, --simulator, --simulator-speed   as for chat

Ctrl+C ends the conversation (session.finish). Use headphones: the model's own voice in the
microphone interrupts it. A recorder or player that is missing or fails ends talk with exit
code 6 and its command, exit status and last error line.

Examples:
  dashscope-realtime talk
  dashscope-realtime talk --push-to-talk --voice Ethan
  dashscope-realtime talk --recorder 'arecord -q -f S16_LE -r 16000 -c 1 -t raw'

${EXIT_HELP}`;

/** Runs `talk`. */
export async function talkCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.help) {
    process.stdout.write(TALK_HELP + '\n');
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw unexpectedArgument(args.positionals[0]!);
  const pushToTalk = args.flags['push-to-talk'] === true;
  const vad = choice(args, 'vad', ['server', 'semantic'] as const, 'server');
  const model = str(args, 'model', DEFAULT_MODEL)!;
  requireModel(model);
  const connectTimeout = connectTimeoutMs(args);
  // An empty command would silently fall back to the detected program: say so instead.
  for (const flag of ['recorder', 'player']) if (str(args, flag) === '') throw new UsageError(`option '--${flag}' needs a command`);
  // The programs are found before connecting: a machine without them spends no tokens.
  const mic = new Microphone({ sampleRate: 16_000, command: str(args, 'recorder') ?? process.env.DASHSCOPE_RECORDER });
  let playerFailed!: (error: AudioDeviceError) => void;
  const playerFailure = new Promise<never>((_, reject) => (playerFailed = reject));
  playerFailure.catch(() => {});
  const speaker = new Speaker({ command: str(args, 'player') ?? process.env.DASHSCOPE_PLAYER, onError: (e) => playerFailed(e) });
  const term = processTerminal({ json: false });
  const target = await openTarget(
    { model, region: str(args, 'region'), workspace: str(args, 'workspace'), url: str(args, 'url'), simulator: args.flags.simulator === true, simulatorSpeed: num(args, 'simulator-speed', 1, 0, 1000), connectTimeoutMs: connectTimeout },
    process.env,
    term.info,
  );
  const config: SessionConfig = { turn_detection: pushToTalk ? null : { type: vad === 'server' ? 'server_vad' : 'semantic_vad' }, input_audio_transcription: { model: null } };
  const voice = str(args, 'voice');
  const instructions = str(args, 'instructions');
  if (voice !== undefined) config.voice = voice;
  if (instructions !== undefined) config.instructions = instructions;
  const allowBrokenVoices = args.flags['allow-broken-voices'] === true;
  const session = new RealtimeSession({ ...target.options, ...(allowBrokenVoices ? { allowBrokenVoices } : {}), session: config, playback: speaker, keepaliveMs: 20_000 });
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    mic.stop();
  };
  let talking = !pushToTalk;
  // Enter toggles talking in push-to-talk mode. Runs outside the command's promise, so it must
  // never throw: a key pressed after the session closed is ignored, a refused commit reported.
  const onKey = (d: Buffer) => {
    // One toggle per Enter ("\n", or "\r" from a raw terminal): piped input may hold several.
    let presses = 0;
    for (const byte of d) if (byte === 10 || byte === 13) presses++;
    if (d.includes(10) && d.includes(13)) presses = Math.ceil(presses / 2);
    for (let i = 0; i < presses; i++) {
      if (!session.client.isConnected) return;
      talking = !talking;
      if (talking) {
        term.info('(listening…)');
        continue;
      }
      try {
        session.client.commitAudio();
        session.client.createResponse();
        term.info('(sent)');
      } catch (error) {
        term.info(`error: ${sentence(error instanceof Error ? error.message : String(error))}`);
      }
    }
  };
  process.once('SIGINT', onSigint);
  try {
    session.on('item_completed', (item) => {
      if (item.type === 'assistant') term.text('\n');
    });
    session.on('item_updated', (item) => {
      if (item.type === 'user' && item.transcript) term.info(`you: ${item.transcript}`);
    });
    session.on('turn', (turn) => {
      void (async () => {
        for await (const delta of turn.transcript) term.text(delta);
        for await (const delta of turn.text) term.text(delta);
      })();
    });
    session.on('interrupted', () => term.info('(interrupted)'));
    session.on('error', (e) => term.info(`error: ${sentence(e.message)}`));
    await connectWithProgress(() => session.connect(), target, term.info).catch((error: unknown) => {
      // The library names its option; on the command line the same switch is the flag.
      if (error instanceof ValidationError && error.message.includes('allowBrokenVoices: true')) {
        throw new ValidationError(error.message.replace('pass allowBrokenVoices: true', 'give --allow-broken-voices'), error.param, error.allowed);
      }
      throw error;
    });
    term.info(pushToTalk ? 'Connected. Press Enter to talk, Enter again to send; Ctrl+C to quit.' : 'Connected. Speak; Ctrl+C to quit.');
    if (pushToTalk) {
      if (process.stdin.isTTY) process.stdin.setRawMode?.(false);
      process.stdin.on('data', onKey);
    }
    const recording = (async () => {
      for await (const chunk of mic) if (talking) await session.appendAudio(chunk);
    })();
    recording.catch(() => {});
    // A failing recorder ends the loop with its error; a failing player rejects playerFailure.
    await Promise.race([recording, playerFailure]);
    if (!interrupted) {
      // The microphone ended (a file, a fake recorder): let the last reply finish.
      await Promise.race([waitForIdle(session, 60_000), playerFailure]);
      await speaker.finish();
    }
    await session.close();
    return interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSigint);
    process.stdin.off('data', onKey);
    if (pushToTalk) process.stdin.pause();
    mic.stop();
    speaker.close();
    await session.close().catch(() => {});
    await target.close();
  }
}

async function waitForIdle(session: RealtimeSession, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A reply may start shortly after the last audio (VAD end of speech), so idle must hold a moment.
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (session.busy) quietSince = Date.now();
    else if (Date.now() - quietSince > 1500) return;
  }
}
