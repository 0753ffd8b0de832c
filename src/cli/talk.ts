/**
 * `dashscope-realtime talk`: a live voice conversation through the microphone and the speakers,
 * with `sox` (`rec`/`play`) or ALSA (`arecord`/`aplay`). VAD by default; playback stops when the
 * user starts speaking; Ctrl+C ends with `session.finish`. The recorder and player are commands,
 * so tests (and unusual setups) can replace them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { RealtimeSession } from '../session/realtimeSession.js';
import type { PlaybackAdapter } from '../session/interruption.js';
import { DEFAULT_MODEL } from '../protocol/models.js';
import type { SessionConfig } from '../protocol/session.js';
import { choice, num, parseArgs, str, UsageError, type FlagSpec } from './args.js';
import { EXIT } from './exitCodes.js';
import { openTarget } from './target.js';
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
  help: { type: 'boolean', short: 'h' },
};

/** Help text of `talk`. */
export const TALK_HELP = `Usage: dashscope-realtime talk [options]

A live voice conversation: speak into the microphone, hear the reply. Needs sox (rec/play) or
ALSA (arecord/aplay). Without DASHSCOPE_API_KEY it talks to the embedded simulator.

Options:
  -m, --model ID        model (default ${DEFAULT_MODEL})
      --voice NAME      reply voice
      --instructions T  system prompt
      --vad MODE        server (default) or semantic
      --push-to-talk    no VAD: press Enter to start talking and Enter again to send
      --recorder CMD    command writing 16 kHz mono s16le PCM to stdout (or DASHSCOPE_RECORDER)
      --player CMD      command playing mono s16le PCM from stdin; {rate} is replaced by the
                        sample rate (or DASHSCOPE_PLAYER)
      --region, --workspace, --url, --simulator, --simulator-speed   as for chat

Ctrl+C ends the conversation (session.finish). Use headphones: the model's own voice in the
microphone interrupts it.

Examples:
  dashscope-realtime talk
  dashscope-realtime talk --push-to-talk --voice Ethan
  dashscope-realtime talk --recorder 'arecord -q -f S16_LE -r 16000 -c 1 -t raw'`;

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function defaultRecorder(rate: number): string | undefined {
  if (has('rec')) return `rec -q -t raw -r ${rate} -e signed-integer -b 16 -c 1 -`;
  if (has('arecord')) return `arecord -q -f S16_LE -r ${rate} -c 1 -t raw`;
  return undefined;
}

function defaultPlayer(): string | undefined {
  if (has('play')) return 'play -q -t raw -r {rate} -e signed-integer -b 16 -c 1 -';
  if (has('aplay')) return 'aplay -q -f S16_LE -r {rate} -c 1 -t raw';
  return undefined;
}

const INSTALL_HINT = 'Install sox (Debian/Ubuntu: apt install sox; macOS: brew install sox) or alsa-utils (arecord/aplay), or give --recorder and --player.';

/** A player process as a playback adapter; `stop()` estimates what was heard from the clock. */
class CommandPlayer implements PlaybackAdapter {
  #child: ChildProcess | undefined;
  #written = 0;
  #startedAt = 0;
  #rate = 24_000;

  constructor(private readonly command: string) {}

  write(pcm: Int16Array, sampleRate: number): void {
    if (!this.#child) {
      this.#rate = sampleRate;
      this.#startedAt = performance.now();
      this.#written = 0;
      this.#child = spawn(this.command.replaceAll('{rate}', String(sampleRate)), { shell: true, stdio: ['pipe', 'ignore', 'ignore'] });
      this.#child.stdin?.on('error', () => {});
      this.#child.on('error', () => {});
    }
    this.#written += pcm.length;
    this.#child.stdin?.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }

  stop(): number {
    const played = Math.min(this.#written, Math.round(((performance.now() - this.#startedAt) / 1000) * this.#rate));
    this.#child?.kill('SIGTERM');
    this.#child = undefined;
    this.#written = 0;
    return played;
  }

  /** Lets queued audio play out, then ends the process. */
  finish(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        resolve();
      }, 30_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin?.end();
    });
  }
}

/** Runs `talk`. */
export async function talkCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.help) {
    process.stdout.write(TALK_HELP + '\n');
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const pushToTalk = args.flags['push-to-talk'] === true;
  const vad = choice(args, 'vad', ['server', 'semantic'] as const, 'server');
  const model = str(args, 'model', DEFAULT_MODEL)!;
  const recorder = str(args, 'recorder') ?? process.env.DASHSCOPE_RECORDER ?? defaultRecorder(16_000);
  const playerCommand = str(args, 'player') ?? process.env.DASHSCOPE_PLAYER ?? defaultPlayer();
  if (!recorder) throw new UsageError(`no microphone recorder found. ${INSTALL_HINT}`);
  if (!playerCommand) throw new UsageError(`no audio player found. ${INSTALL_HINT}`);
  const term = processTerminal({ json: false });
  const target = await openTarget(
    { model, region: str(args, 'region'), workspace: str(args, 'workspace'), url: str(args, 'url'), simulator: args.flags.simulator === true, simulatorSpeed: num(args, 'simulator-speed', 1, 0, 1000) },
    process.env,
    term.info,
  );
  const player = new CommandPlayer(playerCommand);
  const config: SessionConfig = { turn_detection: pushToTalk ? null : { type: vad === 'server' ? 'server_vad' : 'semantic_vad' }, input_audio_transcription: { model: null } };
  const voice = str(args, 'voice');
  const instructions = str(args, 'instructions');
  if (voice !== undefined) config.voice = voice;
  if (instructions !== undefined) config.instructions = instructions;
  const session = new RealtimeSession({ ...target.options, session: config, playback: player, keepaliveMs: 20_000 });
  let mic: ChildProcess | undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    mic?.kill('SIGTERM');
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
    session.on('error', (e) => term.info(`error: ${e.message}`));
    await session.connect();
    term.info(pushToTalk ? 'Connected. Press Enter to talk, Enter again to send; Ctrl+C to quit.' : 'Connected. Speak; Ctrl+C to quit.');
    mic = spawn(recorder, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let talking = !pushToTalk;
    if (pushToTalk && process.stdin.isTTY) {
      process.stdin.setRawMode?.(false);
      process.stdin.on('data', (d: Buffer) => {
        if (!d.includes(10) && !d.includes(13)) return;
        talking = !talking;
        if (!talking) {
          session.client.commitAudio();
          session.client.createResponse();
          term.info('(sent)');
        } else term.info('(listening…)');
      });
    }
    let carry = Buffer.alloc(0);
    for await (const chunk of mic.stdout as AsyncIterable<Buffer>) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const even = data.length - (data.length % 2);
      carry = Buffer.from(data.subarray(even));
      if (!talking || even === 0) continue;
      const copy = new Int16Array(even / 2);
      Buffer.from(copy.buffer).set(data.subarray(0, even));
      await session.appendAudio(copy);
    }
    if (!interrupted) {
      // The microphone ended (a file, a fake recorder): let the last reply finish.
      await waitForIdle(session, 60_000);
      await player.finish();
    }
    await session.close();
    return interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSigint);
    mic?.kill('SIGTERM');
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
