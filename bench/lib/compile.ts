/**
 * Compiles src/ and bench/ to plain JavaScript (tmp/bench-build/, same layout) before a run, so
 * every measured process runs as users run the package: plain Node, no TypeScript loader.
 *
 * Why not tsx in the children: tsx registers module hooks that run on a separate thread, and
 * every dynamic `import()` then costs a round trip to it (~130 µs here, against ~2 µs in plain
 * Node). The client imports its transport dynamically on each connect, so under tsx it would be
 * charged for tsx's loader, not for its own code.
 *
 * Type-only transpilation (`transpileModule`, as `isolatedModules` allows); `npm run typecheck`
 * checks the types.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Where the compiled tree goes, relative to the repository root. */
export const BUILD_DIR = 'tmp/bench-build';

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Compiles `src/` and `bench/` under `root` into `root/BUILD_DIR`; returns the file count.
 * TypeScript is imported here only, so that the measured processes never load it.
 */
export async function compileForBench(root: string): Promise<number> {
  const { default: ts } = await import('typescript');
  const files = [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'bench'))];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, isolatedModules: true, sourceMap: false },
    });
    const target = join(root, BUILD_DIR, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return files.length;
}
