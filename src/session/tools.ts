/**
 * Tools that run themselves: a definition with a JSON Schema (or a zod schema), declared on the
 * wire in the Chat Completions shape (protocol.md §0.1.8), and executed when a call's arguments
 * are complete. Bad arguments, a throwing tool and a slow tool all become an error *output* for
 * the model, never an exception in the application.
 */
import { ValidationError } from '../errors.js';
import type { FunctionTool } from '../protocol/session.js';
import { checkJsonSchema, MAX_PROBLEMS, type JsonSchema } from './jsonSchema.js';

/** A zod-like schema: anything with `safeParse` (zod 3 and 4, valibot adapters, …). */
export interface ZodLike<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string; issues?: Array<{ path?: PropertyKey[]; message: string }> } };
  toJSONSchema?(): unknown;
}

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext {
  /** Aborted on timeout, interruption or session close. */
  signal: AbortSignal;
  /** The call being answered. */
  callId: string;
}

/** A tool definition. */
export interface ToolDefinition<Args> {
  /** Name the model calls (1–64 of letters, digits, `_`, `-`). */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** JSON Schema of the arguments, or a zod-like schema. */
  parameters: JsonSchema | ZodLike<Args>;
  /** JSON Schema to declare when `parameters` is a zod-like schema without `toJSONSchema()`. */
  jsonSchema?: JsonSchema;
  /** Runs the tool; the result is sent as the output (strings as they are, anything else as JSON). */
  execute(args: Args, context: ToolContext): unknown | Promise<unknown>;
  /** Abort and report a timeout after this long. Default 30000. */
  timeoutMs?: number;
}

/** A registered tool. */
export interface Tool<Args = unknown> extends ToolDefinition<Args> {
  /** The wire declaration. */
  readonly declaration: FunctionTool;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function isZod<T>(p: JsonSchema | ZodLike<T>): p is ZodLike<T> {
  return typeof (p as ZodLike<T>).safeParse === 'function';
}

/**
 * Defines a tool; throws {@link ValidationError} for a bad name or schema. `Args` is the type
 * `execute` receives. With a zod-like schema it is inferred from the schema; with a plain JSON
 * Schema nothing checks that the two agree, so name it: `tool<{ location: string }>({ … })`.
 * The arguments are checked against the JSON Schema before `execute` runs (the keywords listed in
 * `jsonSchema.ts`); a call that fails the check is answered with an error output, never run.
 */
export function tool<Args = Record<string, unknown>>(definition: ToolDefinition<Args>): Tool<Args> {
  if (!NAME.test(definition.name ?? '')) {
    throw new ValidationError(`tool name ${JSON.stringify(definition.name)} is invalid: use 1 to 64 letters, digits, '_' or '-'.`, 'tool.name');
  }
  if (typeof definition.execute !== 'function') throw new ValidationError(`tool ${definition.name}: execute must be a function.`, 'tool.execute');
  let schema: unknown = definition.parameters;
  if (isZod(definition.parameters)) {
    schema = definition.jsonSchema ?? definition.parameters.toJSONSchema?.();
    if (!schema) throw new ValidationError(`tool ${definition.name}: a zod schema without toJSONSchema() needs jsonSchema as well.`, 'tool.jsonSchema');
  }
  if (typeof schema !== 'object' || schema === null || (schema as JsonSchema).type !== 'object') {
    throw new ValidationError(`tool ${definition.name}: parameters must be an object schema ({ type: 'object', properties: … }).`, 'tool.parameters');
  }
  const { $schema: _drop, ...wire } = schema as JsonSchema;
  const declaration: FunctionTool = { type: 'function', function: { name: definition.name, parameters: wire as FunctionTool['function']['parameters'] & object } };
  if (definition.description !== undefined) declaration.function.description = definition.description;
  return { ...definition, declaration };
}

/** How a call ended: the output to send, and what went wrong if anything. */
export interface ToolRun {
  output: string;
  /** `aborted`: the turn was interrupted or the session closed while the tool ran (its output is not sent). */
  status: ToolStatus;
  error?: string;
}

/** How a tool call ended; the same union in `ToolRun`, `TurnToolCall` and the `tool_result` event. */
export type ToolStatus = 'ok' | 'invalid_arguments' | 'failed' | 'timeout' | 'unknown_tool' | 'aborted';

/** The arguments after the tool's schema, or at most {@link MAX_PROBLEMS} problems with them. */
function checkArguments(target: Tool<unknown>, args: unknown): { ok: true; args: unknown } | { ok: false; details: string[] } {
  if (!isZod(target.parameters)) {
    const problems = checkJsonSchema(target.parameters, args);
    return problems.length > 0 ? { ok: false, details: problems } : { ok: true, args };
  }
  const parsed = target.parameters.safeParse(args);
  if (parsed.success) return { ok: true, args: parsed.data };
  const issues = parsed.error.issues ?? [];
  const details = issues.length === 0 ? [String(parsed.error.message).slice(0, 500)] : issues.slice(0, MAX_PROBLEMS).map((i) => `${(i.path ?? []).map(String).join('.') || '$'}: ${i.message}`);
  if (issues.length > MAX_PROBLEMS) details.push(`…and ${issues.length - MAX_PROBLEMS} more problems`);
  return { ok: false, details };
}

function errorOutput(message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: message, ...extra });
}

/** Parses, validates and runs one call of `tool` with `argumentsText` (§4.18: trimmed first). */
export async function runTool(target: Tool<unknown> | undefined, name: string, argumentsText: string, callId: string, signal?: AbortSignal): Promise<ToolRun> {
  if (!target) return { output: errorOutput(`unknown tool ${name}`), status: 'unknown_tool', error: `unknown tool ${name}` };
  let args: unknown;
  try {
    const text = argumentsText.trim();
    args = text === '' ? {} : JSON.parse(text);
  } catch {
    const error = 'arguments are not valid JSON';
    return { output: errorOutput(error, { arguments: argumentsText.slice(0, 500) }), status: 'invalid_arguments', error };
  }
  try {
    const problems = checkArguments(target, args);
    if (problems.ok) args = problems.args;
    else return { output: errorOutput('invalid arguments', { details: problems.details }), status: 'invalid_arguments', error: problems.details.join('; ') };
  } catch (error) {
    // A check that throws (a zod refinement, a stack overflow) still ends the call with an output.
    const message = `the arguments could not be checked: ${error instanceof Error ? error.message : String(error)}`;
    return { output: errorOutput(message), status: 'invalid_arguments', error: message };
  }
  const timeoutMs = target.timeoutMs ?? 30_000;
  if (signal?.aborted) {
    const message = `tool ${target.name} was aborted before it ran`;
    return { output: errorOutput(message), status: 'aborted', error: message };
  }
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`__timeout__`)); // first: the abort below also settles `aborted`
        controller.abort(new Error('timeout'));
      }, timeoutMs);
    });
    // An abort (interrupt, close) ends the wait even for a tool that ignores its signal.
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('__aborted__')), { once: true }));
    const result = await Promise.race([Promise.resolve().then(() => target.execute(args, { signal: controller.signal, callId })), timeout, aborted]);
    const output = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { output, status: 'ok' };
  } catch (error) {
    if (error instanceof Error && error.message === '__aborted__' && signal?.aborted) {
      const message = `tool ${target.name} was aborted (the turn was interrupted or the session closed)`;
      return { output: errorOutput(message), status: 'aborted', error: message };
    }
    if (error instanceof Error && error.message === '__timeout__') {
      const message = `tool ${target.name} timed out after ${timeoutMs} ms`;
      return { output: errorOutput(message), status: 'timeout', error: message };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { output: errorOutput(`tool ${target.name} failed: ${message}`), status: 'failed', error: message };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
