#!/usr/bin/env node
/**
 * `dashscope-realtime`: the command-line entry point. Each command lives in its own file and
 * exports a function from arguments to an exit code (0 done, 2 usage error, 3 authentication,
 * 4 network, 5 server error, 130 interrupted).
 */
import { VERSION } from '../version.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  simulate: {
    summary: 'run the embedded DashScope realtime simulator',
    load: async () => (await import('./simulate.js')).simulateCommand,
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
    process.stderr.write(`dashscope-realtime: unknown command '${name}'. Run 'dashscope-realtime --help' for the list.\n`);
    return 2;
  }
  return (await command.load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dashscope-realtime: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
