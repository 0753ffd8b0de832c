/**
 * `npm run bench` — every benchmark, each against its baseline measured in the same run.
 *
 *   npm run bench                     the full run (~12 minutes); writes docs/benchmarks/
 *   npm run bench -- --quick          a 1–2 minute smoke run; writes tmp/bench/
 *   npm run bench -- --only scale     one benchmark (comma-separate several); writes tmp/bench/
 *   npm run bench -- --out DIR        write the results elsewhere
 *
 * Benchmarks: receive, send, latency, scale, memory, simulator, audio. Every load goes to
 * 127.0.0.1 and stops by itself. Servers run in their own processes pinned to core 0, measuring
 * clients in theirs pinned to core 1 (lib/proc.ts). Output: results.md (the machine and every
 * table), results.json (every figure), and the SVG charts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { latencyBench } from './latency.bench.js';
import { PINNING, nodeArgs, prepareBuild } from './lib/proc.js';
import { markdownTable, type Bench, type BenchResult } from './lib/report.js';
import { renderChart } from './lib/svg.js';
import { memoryBench } from './memory.bench.js';
import { receiveBench } from './receive.bench.js';
import { scaleBench } from './scale.bench.js';
import { sendBench } from './send.bench.js';
import { simulatorBench } from './simulator.bench.js';

/** bench/audio.bench.ts prints its own figures and ratios; it runs as it is, in a pinned child. */
const audioBench: Bench = {
  name: 'audio',
  title: 'Audio kit: resampling and base64',
  run: (ctx) =>
    new Promise<BenchResult>((resolve, reject) => {
      ctx.log('audio: resampler and base64 codec…');
      const node = [process.execPath, ...nodeArgs('audio.bench.ts')];
      const child = spawn(PINNING ? 'taskset' : node[0]!, PINNING ? ['-c', '1', ...node] : node.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        process.stderr.write(chunk);
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve({ tables: [], charts: [], notes: [], data: { output: out }, preformatted: out.trimEnd() }) : reject(new Error(`audio.bench.ts exited with ${code}`))));
    }),
};

const BENCHES: Bench[] = [receiveBench, sendBench, latencyBench, scaleBench, memoryBench, simulatorBench, audioBench];

function parse(argv: string[]): { quick: boolean; only: string[] | undefined; out: string | undefined } {
  let quick = false;
  let only: string[] | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') out = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log(`Usage: npm run bench [-- --quick] [-- --only ${BENCHES.map((b) => b.name).join(',')}] [-- --out DIR]`);
      process.exit(0);
    } else {
      console.error(`bench: unknown argument '${a}' (try --help)`);
      process.exit(2);
    }
  }
  for (const name of only ?? []) {
    if (!BENCHES.some((b) => b.name === name)) {
      console.error(`bench: no benchmark '${name}'; there are ${BENCHES.map((b) => b.name).join(', ')}`);
      process.exit(2);
    }
  }
  return { quick, only, out };
}

/** The machine, as the report states it. */
function machine(): Record<string, string> {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const sh = (cmd: string): string => {
    try {
      return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    // BENCH_COMMIT names the commit when the tree is an export without .git.
    commit: process.env.BENCH_COMMIT ?? sh('git rev-parse --short HEAD'),
    cpu: model,
    nproc: String(availableParallelism()),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    kernel: release(),
    'ulimit -n (soft/hard; children raise the soft limit to 8192)': `${sh('ulimit -n')}/${sh('ulimit -Hn')}`,
    pinning: PINNING ? 'servers on core 0, measuring clients on core 1 (taskset)' : 'none (taskset missing or one core)',
    // Other work on the machine skews every figure; the load average says whether there was any.
    'load average at start (1/5/15 min)': loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
}

const { quick, only, out } = parse(process.argv.slice(2));
const selected = BENCHES.filter((b) => !only || only.includes(b.name));
const full = !quick && !only;
const outDir = out ?? (full ? 'docs/benchmarks' : 'tmp/bench');
const started = Date.now();
const log = (message: string): void => {
  const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${s}s] ${message}\n`);
};
const info = machine();
log(`${quick ? 'quick' : 'full'} run of ${selected.map((b) => b.name).join(', ')}; ${info.cpu}, ${info.nproc} cores, node ${info.node}; pinning: ${info.pinning}`);

const compiledFiles = await prepareBuild();
log(`compiled ${compiledFiles} files of src/ and bench/ to plain JavaScript; every measured process runs without tsx`);
mkdirSync(outDir, { recursive: true });
const results: Array<{ name: string; title: string; seconds: number; result: BenchResult }> = [];
const md: string[] = [
  `# Benchmark results${quick ? ' (quick run)' : ''}`,
  '',
  'Generated by `npm run bench`; method and discussion in [../benchmarks.md](../benchmarks.md).',
  '',
  ...Object.entries(info).map(([k, v]) => `- ${k}: ${v}`),
];
let failed = false;
for (const bench of selected) {
  const t0 = Date.now();
  let result: BenchResult;
  try {
    result = await bench.run({ quick, log });
  } catch (error) {
    failed = true;
    log(`${bench.name} FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    continue;
  }
  const seconds = (Date.now() - t0) / 1000;
  results.push({ name: bench.name, title: bench.title, seconds, result });
  md.push('', `## ${bench.title}`, '', `(${seconds.toFixed(0)} s)`);
  if (result.preformatted) md.push('', '```', result.preformatted, '```');
  for (const table of result.tables) {
    const text = markdownTable(table);
    md.push('', text);
    console.log(`\n${text}`);
  }
  for (const note of result.notes) {
    md.push('', `- ${note}`);
    console.log(`- ${note}`);
  }
  for (const chart of result.charts) {
    writeFileSync(`${outDir}/${chart.file}`, renderChart(chart));
    md.push('', `![${chart.title}](${chart.file})`);
  }
}
info['load average at end (1/5/15 min)'] = loadavg().map((l) => l.toFixed(2)).join(' / ');
md.splice(md.indexOf(`- load average at start (1/5/15 min): ${info['load average at start (1/5/15 min)']}`) + 1, 0, `- load average at end (1/5/15 min): ${info['load average at end (1/5/15 min)']}`);
writeFileSync(`${outDir}/results.md`, `${md.join('\n')}\n`);
writeFileSync(`${outDir}/results.json`, `${JSON.stringify({ machine: info, quick, results }, null, 1)}\n`);
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${outDir}/`);
process.exit(failed ? 1 : 0);
