/**
 * What a benchmark returns, and how it is shown: tables (printed as they come and collected into
 * docs/benchmarks/results.md), charts (SVG, lib/svg.ts) and the raw figures (results.json).
 */

/** A table of figures. */
export interface Table {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** One line under the table. */
  note?: string;
}

/** A line chart of one or more series. */
export interface Chart {
  /** File name under the output directory, e.g. `scale-cpu.svg`. */
  file: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
  /** Logarithmic x axis (session counts 10…1,000). */
  logX?: boolean;
}

/** Everything one benchmark produced. */
export interface BenchResult {
  tables: Table[];
  charts: Chart[];
  /** Findings worth a sentence (a saturated server, a figure worse than the baseline). */
  notes: string[];
  /** Raw figures for results.json. */
  data: unknown;
  /** Output shown verbatim (a benchmark that prints its own lines). */
  preformatted?: string;
}

/** Options every benchmark gets. */
export interface BenchContext {
  /** The 1–2 minute smoke run: fewer rounds, shorter windows, smaller loads. */
  quick: boolean;
  /** A progress line on stderr. */
  log(message: string): void;
}

/** A benchmark. */
export interface Bench {
  /** Name for `--only`. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

/** Markdown of a table. */
export function markdownTable(table: Table): string {
  const lines = [`**${table.title}**`, '', `| ${table.columns.join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
  if (table.note) lines.push('', table.note);
  return lines.join('\n');
}
