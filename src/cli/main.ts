#!/usr/bin/env node
/**
 * `dashscope-realtime`: the command-line entry point. Each command lives in its own file and
 * exports a function from arguments to an exit code (exitCodes.ts: 0 done, 2 usage or input,
 * 3 authentication, 4 network or timeout, 5 server error, 6 audio device, 70 internal error,
 * 130 interrupted).
 */
import { VERSION } from '../version.js';
import { Redactor } from '../internal/redact.js';
import { looksLikeKey } from './args.js';
import { describeFailure, EXIT_HELP } from './exitCodes.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  chat: {
    summary: 'a conversation from WAV files, raw PCM or text (simulator without a key)',
    load: async () => (await import('./chat.js')).chatCommand,
  },
  talk: {
    summary: 'a live voice conversation with the microphone and speakers (sox, ALSA or ffmpeg)',
    load: async () => (await import('./talk.js')).talkCommand,
  },
  models: {
    summary: 'the model catalog: capabilities, voices, audio formats, limits',
    load: async () => (await import('./models.js')).modelsCommand,
  },
  replay: {
    summary: 'print a recorded event log (simulate --record, chat --json) as a timeline',
    load: async () => (await import('./replay.js')).replayCommand,
  },
  simulate: {
    summary: 'run the embedded DashScope realtime simulator',
    load: async () => (await import('./simulate.js')).simulateCommand,
  },
  relay: {
    summary: 'a relay for browsers: adds the key upstream, checks origins and tokens (--example serves a demo page)',
    load: async () => (await import('./relay.js')).relayCommand,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: dashscope-realtime <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  --help     show help (also after a command)',
    '  --version  print the version',
    '',
    'Examples:',
    '  dashscope-realtime chat --input samples/question.wav --output reply.wav',
    '  dashscope-realtime chat --text "Hello" --modalities text',
    '  dashscope-realtime talk',
    '  dashscope-realtime simulate --port 8765',
    '  dashscope-realtime relay --simulator --example   # a browser page through the relay',
    '',
    'Without DASHSCOPE_API_KEY, chat and talk use the embedded simulator.',
    '',
    EXIT_HELP,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const shown = looksLikeKey(name) ? 'that looks like an API key (not shown; set DASHSCOPE_API_KEY instead)' : `'${name.slice(0, 100)}'`;
    process.stderr.write(`dashscope-realtime: unknown command ${shown}. Run 'dashscope-realtime --help' for the list.\n`);
    return 2;
  }
  return (await command.load())(rest);
}

/**
 * Once the command has ended, the process ends: normally by itself, and within a second at most
 * if a timer or socket of a failed run is still pending (the timer is unref'd, so it never keeps
 * a clean exit waiting). A failure must not leave the terminal hanging.
 */
function endSoon(): void {
  setTimeout(() => process.exit(), 1000).unref();
}

let failed = false;

/** Prints the one line of a failure and sets its exit code; later failures of the same run add nothing. */
function fail(error: unknown): void {
  if (failed) return;
  failed = true;
  const { code, message } = describeFailure(error);
  // The SDK's own errors are redacted already; a message that echoes what the user typed may hold
  // the key (a flag's value, a stray argument), and is printed without it.
  const redactor = new Redactor();
  redactor.set([process.env.DASHSCOPE_API_KEY]);
  process.stderr.write(`dashscope-realtime: ${redactor.text(message)}\n`);
  process.exitCode = code;
  endSoon();
}

// A promise of a failed run rejected with nobody listening would otherwise end the process with
// Node's stack trace and exit code 1: it gets the same one line and documented code instead.
process.on('unhandledRejection', fail);

main(process.argv.slice(2)).then(
  (code) => {
    if (!failed) process.exitCode = code;
    endSoon();
  },
  fail,
);
