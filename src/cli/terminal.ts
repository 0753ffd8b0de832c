/**
 * What the CLI shows while it runs: the reply's transcript as it streams (stdout), a progress bar
 * while input uploads and a summary at the end (stderr). With `--json`, stdout carries JSON lines
 * only and everything human goes to stderr.
 */
import type { Usage } from '../protocol/items.js';

/** Output streams and modes. */
export interface Terminal {
  /** Reply text as it streams. */
  text(chunk: string): void;
  /** A status line on stderr. */
  info(line: string): void;
  /** Upload progress in seconds (redrawn on a TTY; silent otherwise). */
  progress(doneSeconds: number, totalSeconds: number): void;
  /** One JSON line on stdout (`--json`). */
  json(line: string): void;
}

/** A terminal over process.stdout/stderr. */
export function processTerminal(options: { json: boolean }): Terminal {
  const tty = Boolean(process.stderr.isTTY);
  let lastBar = '';
  const clearBar = () => {
    if (lastBar) {
      process.stderr.write('\r' + ' '.repeat(lastBar.length) + '\r');
      lastBar = '';
    }
  };
  return {
    text: (chunk) => {
      clearBar();
      (options.json ? process.stderr : process.stdout).write(chunk);
    },
    info: (line) => {
      clearBar();
      process.stderr.write(line + '\n');
    },
    progress: (done, total) => {
      if (!tty) return;
      const width = 24;
      const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
      lastBar = `uploading [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done.toFixed(1)}/${total.toFixed(1)} s`;
      process.stderr.write('\r' + lastBar);
      if (done >= total) clearBar();
    },
    json: (line) => process.stdout.write(line + '\n'),
  };
}

/** Per-turn measurements for the summary. */
export interface TurnSummary {
  firstTextMs?: number;
  firstAudioMs?: number;
  replySeconds: number;
  usage: Usage[];
}

/** Adds up usage objects. */
export function totalUsage(usages: Usage[]): { input: number; output: number; total: number; inputAudio: number; outputAudio: number } {
  const t = { input: 0, output: 0, total: 0, inputAudio: 0, outputAudio: 0 };
  for (const u of usages) {
    t.input += u.input_tokens ?? 0;
    t.output += u.output_tokens ?? 0;
    t.total += u.total_tokens ?? 0;
    t.inputAudio += u.input_tokens_details?.audio_tokens ?? 0;
    t.outputAudio += u.output_tokens_details?.audio_tokens ?? 0;
  }
  return t;
}

/** The end-of-run summary lines. */
export function summaryLines(turns: TurnSummary[]): string[] {
  const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);
  const lines = turns.map((t, i) => `turn ${i + 1}: first text ${ms(t.firstTextMs)}, first audio ${ms(t.firstAudioMs)}, reply ${t.replySeconds.toFixed(2)} s of audio`);
  const u = totalUsage(turns.flatMap((t) => t.usage));
  lines.push(`tokens: ${u.input} in (${u.inputAudio} audio), ${u.output} out (${u.outputAudio} audio), ${u.total} total`);
  return lines;
}
