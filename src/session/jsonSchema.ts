/**
 * A small JSON Schema checker for tool arguments: `type`, `properties`, `required`, `enum`,
 * `const`, `items`, `additionalProperties: false`, numeric and length bounds. Enough to tell a
 * model precisely what was wrong with its call; not a full validator.
 */

/** A JSON Schema (the subset checked here; other keywords are ignored). */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  [keyword: string]: unknown;
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

/** Problems reported at most: enough to fix a call, and a 300,000-item array cannot flood the model. */
export const MAX_PROBLEMS = 20;
/** Values checked at most per call (arguments come from the model, i.e. from the peer). */
const MAX_VISITS = 1_000_000;

/**
 * The problems of `value` against `schema`, as `path: message` (at most {@link MAX_PROBLEMS}, the
 * last one saying how many more were not listed); empty when valid. Iterative, with a bounded
 * number of visits: deep or huge arguments cannot overflow the stack.
 */
export function checkJsonSchema(schema: JsonSchema, value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  let more = 0;
  const report = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
    else more++;
  };
  // A problem found later in document order waits on the stack as `{ problem }`.
  const work: Array<{ schema: JsonSchema; value: unknown; path: string } | { problem: string }> = [{ schema, value, path }];
  let visits = 0;
  while (work.length > 0) {
    if (++visits > MAX_VISITS) {
      report(`${path}: too large to check (more than ${MAX_VISITS} values)`);
      break;
    }
    const next = work.pop()!;
    if ('problem' in next) report(next.problem);
    else checkOne(next.schema, next.value, next.path, report, (later) => work.push(later));
  }
  if (more > 0) problems.push(`…and ${more} more problems`);
  return problems;
}

/** One value's own keywords; its children are handed to `visit` (pushed on the work stack). */
function checkOne(schema: JsonSchema, value: unknown, path: string, report: (problem: string) => void, later: (work: { schema: JsonSchema; value: unknown; path: string } | { problem: string }) => void): void {
  const visit = (schema: JsonSchema, value: unknown, path: string) => later({ schema, value, path });
  if (typeof schema !== 'object' || schema === null) return;
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, actual))) {
      report(`${path}: expected ${types.join(' or ')}, got ${actual}`);
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    report(`${path}: must be one of ${schema.enum.slice(0, 20).map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) report(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) report(`${path}: must be ≥ ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) report(`${path}: must be ≤ ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) report(`${path}: must have at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) report(`${path}: must have at most ${schema.maxLength} characters`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) report(`${path}: must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) report(`${path}: must have at most ${schema.maxItems} items`);
    // Pushed last to first, so that problems are reported in index order.
    if (schema.items) for (let i = value.length - 1; i >= 0; i--) visit(schema.items, value[i], `${path}[${i}]`);
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) report(`${path}.${key}: is required`);
    const properties = schema.properties ?? {};
    const extra = Object.keys(record).filter((key) => !(key in properties));
    if (schema.additionalProperties === false) for (const key of extra.reverse()) later({ problem: `${path}.${key}: is not allowed` });
    else if (typeof schema.additionalProperties === 'object') for (const key of extra.reverse()) visit(schema.additionalProperties, record[key], `${path}.${key}`);
    for (const [key, sub] of Object.entries(properties).reverse()) if (key in record) visit(sub, record[key], `${path}.${key}`);
  }
}
