/**
 * The CLI's flags, read with `node:util` `parseArgs` (strict): `--name value`, `--name=value`,
 * boolean flags, repeatable flags, short aliases and positionals. Unknown flags are usage errors
 * (exit code 2), never ignored.
 */
import { parseArgs as parseArgv } from 'node:util';

/**
 * A usage error: a wrong flag or value. Exit code 2; the message is followed by "Run with --help
 * for usage." Problems with what a flag names (a missing file, a folder that does not exist) are
 * {@link InputError}s instead: the help would not fix them.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A problem with a file or value the user named (not with the command line's form). Exit code 2. */
export class InputError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** How one flag is read. */
export interface FlagSpec {
  /** `string` takes a value, `boolean` takes none. */
  type: 'string' | 'boolean';
  /** May be given several times (values collected in order). */
  repeat?: boolean;
  /** Single-letter alias, e.g. `o` for `-o`. */
  short?: string;
}

/** The parsed command line. */
export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Every flag occurrence in order (for commands where order matters, e.g. turns). */
  order: Array<{ name: string; value: string | boolean }>;
}

/** node:util's error for a bad command line, as one line of ours. */
function usageMessage(error: Error & { code?: string }): string {
  const option = /Option '(?:-\w, )?(--[\w-]+)/.exec(error.message)?.[1] ?? /'(-[^']*)'/.exec(error.message)?.[1] ?? 'an option';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${/'(-[^']*)'/.exec(error.message)?.[1] ?? option}'`;
  if (/does not take an argument/.test(error.message)) return `option '${option}' takes no value`;
  if (/ambiguous/.test(error.message)) return `option '${option}' needs a value (for a value starting with '-', write ${option}=VALUE)`;
  if (/argument missing/.test(error.message)) return `option '${option}' needs a value`;
  return error.message.split('\n')[0]!;
}

/** Parses `argv` by `spec`; throws {@link UsageError} naming the bad flag. */
export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, s]) => [name, { type: s.type, ...(s.repeat ? { multiple: true } : {}), ...(s.short ? { short: s.short } : {}) }]),
  );
  let parsed;
  try {
    parsed = parseArgv({ args: argv, options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
  const order: ParsedArgs['order'] = [];
  for (const token of parsed.tokens) {
    if (token.kind === 'option') order.push({ name: token.name, value: token.value ?? true });
  }
  return { flags: parsed.values as ParsedArgs['flags'], positionals: parsed.positionals, order };
}

/** A string flag's value, or `fallback`. */
export function str(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : fallback;
}

/** A numeric flag's value within [min, max], or `fallback`; a bad number is a usage error. */
export function num(args: ParsedArgs, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`option '--${name}' needs a number${Number.isFinite(min) ? ` from ${min}` : ''}${Number.isFinite(max) ? ` to ${max}` : ''}, got '${String(v)}'`);
  }
  return n;
}

/** One of `choices`, or `fallback`; anything else is a usage error. */
export function choice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw new UsageError(`option '--${name}' must be one of ${choices.join(', ')}, got '${String(v)}'`);
  }
  return v as T;
}

/** True for a word shaped like a DashScope key (`sk-…`) or temporary key (`st-…`): never shown back. */
export function looksLikeKey(word: string): boolean {
  return /^(sk|st)-\w/.test(word.trim());
}

/** Longest piece of a stray argument shown back. */
const SHOWN_ARGUMENT = 60;

/**
 * The usage error for a word the command does not take, shown back shortened; `hint` says what
 * it probably meant. A word that looks like a key (`sk-…`, a temporary `st-…`) is not shown:
 * keys go in DASHSCOPE_API_KEY, never on the command line, where the shell history keeps them.
 */
export function unexpectedArgument(word: string, hint?: string): UsageError {
  if (looksLikeKey(word)) return new UsageError('unexpected argument that looks like an API key (not shown): set DASHSCOPE_API_KEY instead of passing the key on the command line');
  const shown = word.length > SHOWN_ARGUMENT ? `${word.slice(0, SHOWN_ARGUMENT)}…` : word;
  return new UsageError(`unexpected argument '${shown}'${hint ? `: ${hint.replace('%s', JSON.stringify(shown))}` : ''}`);
}
