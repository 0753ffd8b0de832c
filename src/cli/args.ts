/**
 * A small, strict flag parser for the CLI: `--name value`, `--name=value`, boolean flags,
 * repeatable flags, and positionals. Unknown flags are usage errors (exit code 2), never ignored.
 */

/** A usage error: a wrong flag or value. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
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

/** Parses `argv` by `spec`; throws {@link UsageError} naming the bad flag. */
export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  const order: ParsedArgs['order'] = [];
  const shorts = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([name, s]) => [s.short!, name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const alias = shorts.get(arg.slice(1));
      if (!alias) throw new UsageError(`unknown option '${arg}'`);
      name = alias;
    }
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown option '--${name}'`);
    let value: string | boolean;
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
      value = true;
    } else {
      value = inline ?? argv[++i] ?? '';
      if (inline === undefined && (i >= argv.length || (value.startsWith('--') && value.length > 2))) {
        throw new UsageError(`option '--${name}' needs a value`);
      }
    }
    order.push({ name, value });
    if (flag.repeat) ((flags[name] as string[] | undefined) ?? (flags[name] = [])).push(value as string);
    else flags[name] = value;
  }
  return { flags, positionals, order };
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
