/**
 * How the simulated model decides to call a declared tool, and with which arguments (§3.1.4,
 * §4.18). The simulator has no language model and no speech recognition, so the rule is plain
 * and deterministic, and documented in docs/tools.md:
 *
 * 1. A tool is called when the request names it (`get_current_weather`, or with `_` as spaces,
 *    any case, whole words), or when it asks for what the tool does: a content word of the
 *    request (stop words and generic verbs such as "get" or "current" left out, plural `s`
 *    ignored) is a word of the tool's name, or two are words of its description. "What's the
 *    weather like in Hangzhou today?" calls `get_current_weather` ("Get the current weather in a
 *    given city"); "Tell me a joke" calls nothing. The best-scoring tool wins, the first declared
 *    on a tie.
 * 2. Every `required` argument gets a value: an `enum` value the request contains (else the
 *    first); for a place-like property (by name or description) a capitalised place after
 *    "in"/"at"/"for"/"near"/"to" ("in Hangzhou"); else a quoted value of the request; else a
 *    sample by name or description (a date, a unit, an email, …), the request's words for a
 *    query-like property, or the property name. Non-string properties get a neutral value of
 *    their type, so the arguments still validate.
 */
import type { ResponderTool } from './responder.js';

const STOP_WORDS = new Set(
  ('a an and are as at be by can could do does for from give given how i if in into is it its like me my of on or ' +
    'please should tell that the this to what whats which who why will with would you your today now some any ' +
    // generic verbs and adjectives of tool names and descriptions: they say nothing about the task
    'get gets fetch fetches query queries return returns current specified specific function tool call use look up set list find').split(' '),
);

/** Lower-case content words of `text` (names split at `_`, `-` and camelCase), plural `s` removed. */
export function contentWords(text: string): Set<string> {
  const spaced = text.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2').replace(/[_\-]+/gu, ' ').toLowerCase().replace(/['’]/gu, '');
  const out = new Set<string>();
  for (const word of spaced.split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    out.add(word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word);
  }
  return out;
}

/** Whether `said` contains the tool name (or the name with `_` as spaces) as whole words, any case. */
function namesTool(said: string, name: string): boolean {
  const hay = said.toLowerCase().replace(/\s+/gu, ' ');
  const word = (needle: string): boolean => {
    if (needle === '') return false;
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
    return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'u').test(hay);
  };
  const exact = name.toLowerCase();
  return word(exact) || word(exact.replace(/_+/gu, ' ').trim());
}

/** How well `said` asks for `tool`: 0 for not at all (see the file comment). */
function score(tool: ResponderTool, said: string, request: Set<string>): number {
  if (namesTool(said, tool.name)) return 100;
  const name = contentWords(tool.name);
  const description = contentWords(tool.description ?? '');
  let inName = 0;
  let inDescription = 0;
  for (const word of request) {
    if (name.has(word)) inName++;
    else if (description.has(word)) inDescription++;
  }
  return inName > 0 || inDescription >= 2 ? 3 * inName + inDescription : 0;
}

/** The declared tool `said` asks for, or `undefined` (rule 1 of the file comment). */
export function matchTool(tools: readonly ResponderTool[], said: string): ResponderTool | undefined {
  const request = contentWords(said);
  let best: ResponderTool | undefined;
  let bestScore = 0;
  for (const tool of tools) {
    if (tool.name === '') continue;
    const s = score(tool, said, request);
    if (s > bestScore) {
      best = tool;
      bestScore = s;
    }
  }
  return best;
}

const PLACE = /location|city|place|address|region|country|destination|where/iu;
const SAMPLES: Array<[RegExp, string]> = [
  [/date|day/iu, 'today'],
  [/time/iu, 'now'],
  [/unit/iu, 'celsius'],
  [/lang/iu, 'en'],
  [/email/iu, 'user@example.com'],
  [/name|person|user/iu, 'Alice'],
];
const QUERY = /query|question|text|message|prompt|keyword|search/iu;
const OUTPUT_LIMIT = 300;

/** A place named in the text: capitalised words after "in/at/for/near/to" (e.g. "in Hangzhou"). */
function placeIn(said: string): string | undefined {
  const m = /\b(?:in|at|for|near|to)\s+((?:\p{Lu}[\p{L}'-]*)(?:\s+\p{Lu}[\p{L}'-]*)*)/u.exec(said);
  return m?.[1];
}

/** Values quoted in the text: "…", '…', “…” or 「…」. */
function quotedIn(said: string): string[] {
  return [...said.matchAll(/"([^"]+)"|“([^”]+)”|「([^」]+)」|(?<![\p{L}])'([^']+)'(?![\p{L}])/gu)].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4])!.trim()).filter((v) => v !== '');
}

/** `s` on one line, cut at 300 characters with `…` (what the simulated model repeats back). */
export function clip(s: string): string {
  const flat = s.replace(/\s+/gu, ' ').trim();
  return flat.length > OUTPUT_LIMIT ? `${flat.slice(0, OUTPUT_LIMIT)}…` : flat;
}

/** Arguments for `tool` from the request `said` (rule 2 of the file comment). */
export function buildToolArguments(tool: ResponderTool, said: string): Record<string, unknown> {
  const params = tool.parameters ?? {};
  const props = (typeof params.properties === 'object' && params.properties !== null ? params.properties : {}) as Record<string, Record<string, unknown> | undefined>;
  const required = Array.isArray(params.required) ? params.required.filter((r): r is string => typeof r === 'string') : [];
  const quoted = quotedIn(said);
  const args: Record<string, unknown> = {};
  for (const key of required) {
    const schema = props[key] ?? {};
    const type = typeof schema.type === 'string' ? schema.type : 'string';
    const about = `${key} ${typeof schema.description === 'string' ? schema.description : ''}`;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      const lower = said.toLowerCase();
      args[key] = schema.enum.find((v) => typeof v === 'string' && lower.includes(v.toLowerCase())) ?? schema.enum[0];
    } else if (type === 'number' || type === 'integer') args[key] = 1;
    else if (type === 'boolean') args[key] = false;
    else if (type === 'array') args[key] = [];
    else if (type === 'object') args[key] = {};
    else if (PLACE.test(about) && !/e-?mail/iu.test(about)) args[key] = placeIn(said) ?? quoted.shift() ?? 'Hangzhou';
    else if (quoted.length > 0) args[key] = quoted.shift();
    else if (QUERY.test(key)) args[key] = clip(said) || key;
    else args[key] = SAMPLES.find(([re]) => re.test(about))?.[1] ?? (QUERY.test(about) ? clip(said) || key : key);
  }
  return args;
}
