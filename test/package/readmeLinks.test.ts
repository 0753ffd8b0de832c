/**
 * Every relative link of the README and the guides (`docs/*.md`) resolves in the repository: the
 * file or folder exists, and a `#fragment` into a Markdown file names one of its headings (as
 * GitHub turns headings into anchors). pack.test.ts checks that the linked files are also shipped;
 * this one catches a renamed guide, heading or example before anything is packed (issue 17).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');

/** Markdown text without its fenced code blocks (a `# comment` there is no heading, a `](x)` no link). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchors for the headings of `markdown`: lower case, punctuation dropped, spaces to '-', repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** The relative links `[text](target)` of `markdown`, outside code. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z][a-z+.-]*:/i.test(t));
}

/** The broken links of one Markdown file, as readable lines. */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const link of links(readFileSync(file, 'utf8'))) {
    const [path, fragment] = link.split('#', 2) as [string, string | undefined];
    const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const name = `${relative(root, file)}: ${link}`;
    if (!target.startsWith(root + '/') && target !== root) broken.push(`${name} leaves the repository`);
    else if (!existsSync(target)) broken.push(`${name}: no such file`);
    else if (fragment !== undefined && statSync(target).isFile() && target.endsWith('.md') && !headingAnchors(readFileSync(target, 'utf8')).has(fragment.toLowerCase())) {
      broken.push(`${name}: no heading with that anchor in ${relative(root, target)}`);
    }
  }
  return broken;
}

test("GitHub's heading anchors, as the link check computes them", () => {
  const anchors = headingAnchors('# Audio\n## Local audio in Node (`dashscope-realtime/node`)\n```sh\n# not a heading\n```\n## Testing\n## Testing\n');
  assert.deepEqual([...anchors], ['audio', 'local-audio-in-node-dashscope-realtimenode', 'testing', 'testing-1']);
});

test('every relative link of the README and the guides resolves to a file (and heading) in the repository', () => {
  const readme = join(root, 'README.md');
  const guides = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f));
  assert.ok(links(readFileSync(readme, 'utf8')).length >= 15, 'the README has its links');
  assert.deepEqual([readme, ...guides].flatMap(brokenLinks), []);
});

test('the README names the Node audio entry and the temporary-key guide', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  assert.ok('./node' in pkg.exports, 'the entry exists');
  assert.match(readme, /^\| Local audio for Node \| `dashscope-realtime\/node`: a `Microphone` and a `Speaker`/m, 'in the features table');
  assert.match(readme, /^## .*`dashscope-realtime\/node`/m, 'in the API tour');
  assert.match(readme, /import \{ Microphone, Speaker \} from 'dashscope-realtime\/node';/);
  assert.match(readme, /\[[^\]]*temporary keys[^\]]*\]\(docs\/keys\.md[#)]/i, 'the guide links name temporary keys');
});
