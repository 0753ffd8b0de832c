/**
 * `dashscope-realtime replay file.jsonl`: a recorded event log as a readable timeline. Reads the
 * simulator's `--record` files (one frame per line with time, direction and connection index) and
 * `chat --json` output (one server event per line, with `received_at_ms`). Each connection is
 * printed as its own block under a header; times count from the file's first event, so blocks
 * that overlapped in time show it.
 */
import { readFile } from 'node:fs/promises';
import { InputError, parseArgs, UsageError, unexpectedArgument } from './args.js';
import { EXIT, EXIT_HELP } from './exitCodes.js';

/** Help text of `replay`. */
export const REPLAY_HELP = `Usage: dashscope-realtime replay FILE.jsonl [--all]

Prints a recorded event log as a timeline: time, direction, event type and its key fields, one
block per connection. Deltas of one response are folded into one line unless --all is given.

Examples:
  dashscope-realtime simulate --record session.jsonl      # record a session
  dashscope-realtime replay session.jsonl
  dashscope-realtime chat --text hi --json > events.jsonl && dashscope-realtime replay events.jsonl

${EXIT_HELP}`;

interface Line {
  ms: number | undefined;
  /** The recording's connection index; chat --json holds one connection (undefined). */
  connection: number | undefined;
  dir: '→' | '←' | ' ';
  event: Record<string, unknown>;
}

function toLine(record: Record<string, unknown>): Line | undefined {
  const nested = (record.event ?? record.frame ?? record.data) as unknown;
  const event = typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : typeof nested === 'string' ? safeJson(nested) : record;
  if (!event || typeof event.type !== 'string') return undefined;
  const rawDir = String(record.direction ?? record.dir ?? '');
  const dir = /^(in|client|c2s|→|recv|received)/i.test(rawDir) ? '→' : /^(out|server|s2c|←|sent|send)/i.test(rawDir) ? '←' : ' ';
  const t = record.t ?? record.received_at_ms ?? record.ms ?? record.time ?? record.ts ?? record.timestamp;
  const ms = typeof t === 'number' ? t : typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? Date.parse(t) : undefined;
  const c = record.connection;
  // Bounded: an index is a small integer; anything else is not a connection index.
  const connection = typeof c === 'number' && Number.isSafeInteger(c) && c >= 0 ? c : undefined;
  return { ms, connection, dir, event };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function detail(e: Record<string, unknown>): string {
  const parts: string[] = [];
  const pick = (k: string, v: unknown) => v !== undefined && v !== '' && parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const err = e.error as Record<string, unknown> | undefined;
  if (err) pick('error', `${String(err.code || err.type)}: ${String(err.message)}`);
  for (const k of ['audio_start_ms', 'audio_end_ms', 'item_id', 'call_id', 'name', 'transcript', 'text', 'arguments']) pick(k, e[k]);
  const response = e.response as Record<string, unknown> | undefined;
  if (response) {
    pick('response', response.id);
    pick('status', response.status);
    const usage = response.usage as Record<string, unknown> | undefined;
    if (usage) pick('tokens', `${String(usage.input_tokens)} in / ${String(usage.output_tokens)} out`);
  }
  for (const k of ['audio', 'image', 'delta']) {
    const v = e[k];
    if (typeof v === 'string') parts.push(k === 'delta' && !/^<base64/.test(v) && !e.type?.toString().includes('audio.delta') ? `delta=${JSON.stringify(v)}` : `${k}=${v.startsWith('<base64') ? v : `<${v.length} chars>`}`);
  }
  return parts.join(' ');
}

/** Runs `replay`. */
export async function replayCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (args.flags.help) {
    process.stdout.write(REPLAY_HELP + '\n');
    return EXIT.ok;
  }
  const [file, extra] = args.positionals;
  if (!file) throw new UsageError('give the recorded .jsonl file');
  if (extra) throw unexpectedArgument(extra);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`cannot read ${file}`);
  });
  const lines: Line[] = [];
  let bad = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    const record = safeJson(raw);
    const line = record && toLine(record);
    if (line) lines.push(line);
    else bad++;
  }
  if (lines.length === 0) throw new InputError(`${file} holds no events (expected one JSON event per line)`);
  const t0 = lines.find((l) => l.ms !== undefined)?.ms;
  const out: string[] = [];
  let folded: { key: string; count: number; index: number } | undefined;
  // One block per connection, in order of first appearance (a stable sort keeps each block's order).
  const firstSeen = new Map<number | undefined, number>();
  lines.forEach((l, i) => firstSeen.has(l.connection) || firstSeen.set(l.connection, i));
  const ordered = [...lines].sort((a, b) => firstSeen.get(a.connection)! - firstSeen.get(b.connection)!);
  const several = firstSeen.size > 1 || (firstSeen.size === 1 && !firstSeen.has(undefined));
  let current: number | undefined | null = null;
  for (const line of ordered) {
    if (several && line.connection !== current) {
      current = line.connection;
      out.push(`── connection ${current ?? '?'} ──`);
      folded = undefined;
    }
    const type = String(line.event.type);
    const time = line.ms !== undefined && t0 !== undefined ? `${((line.ms - t0) / 1000).toFixed(3).padStart(8)}s` : '         ';
    if (!args.flags.all && type.endsWith('.delta')) {
      const key = `${line.dir}${type}${String(line.event.item_id ?? '')}`;
      if (folded?.key === key && folded.index === out.length - 1) {
        folded.count++;
        out[folded.index] = `${out[folded.index]!.replace(/ ×\d+$/, '')} ×${folded.count}`;
        continue;
      }
      folded = { key, count: 1, index: out.length };
    }
    out.push(`${time} ${line.dir} ${type.padEnd(52)} ${detail(line.event)}`.trimEnd());
  }
  process.stdout.write(out.join('\n') + '\n');
  process.stderr.write(`${lines.length} events${bad ? `, ${bad} lines skipped (not events)` : ''}\n`);
  return EXIT.ok;
}
