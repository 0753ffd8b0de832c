/**
 * The tool calls of the turn in progress: collected from `response.function_call_arguments.done`
 * (§4.18), run (`toolExecution: 'auto'`) or handed to the application (`'manual'`), answered with
 * `function_call_output` items (§3.8). An interruption aborts the running tools' signals and drops
 * their outputs: a late output for a call the service has moved past is refused live ("Unknown
 * function call id", §0.2.10), and no reply may follow an interrupted turn.
 */
import { ValidationError } from '../errors.js';
import { newCallsIn, type PendingCall } from './outputCalls.js';
import { runTool, type Tool, type ToolStatus } from './tools.js';
import type { Turn } from './turn.js';

/** What the session does for the tool calls. */
export interface ToolHost {
  /** The declared tools by name. */
  tools(): ReadonlyMap<string, Tool>;
  /** `manual`: emit `tool_call` and wait for `submitToolOutput`. */
  readonly manual: boolean;
  /** Aborted when the session closes. */
  signal(): AbortSignal;
  /** A call for the application (manual mode). */
  toolCall(call: { callId: string; name: string; arguments: string }): void;
  /** A call ran (auto mode). */
  toolResult(result: { callId: string; name: string; status: ToolStatus; output: string; error?: string }): void;
  /** Sends a `function_call_output` item. */
  sendOutput(callId: string, output: string): void;
  /** Every call has its output: ask for the reply. */
  continue(): void;
}

/** Call ids dropped by an interruption, remembered so that a late `submitToolOutput` is ignored, not refused. */
const MAX_DROPPED = 64;

/** Tool calls of one session. */
export class ToolCalls {
  #calls: PendingCall[] = [];
  #running: AbortController | undefined;
  #turn: Turn | undefined;
  readonly #manual = new Map<string, string | undefined>();
  readonly #dropped = new Set<string>();

  constructor(private readonly host: ToolHost) {}

  /** Calls collected from the response in progress. */
  get collected(): number {
    return this.#calls.length;
  }

  /** True while tools run or manual outputs are awaited. */
  get busy(): boolean {
    return this.#running !== undefined || this.#manual.size > 0;
  }

  /** A call's arguments are complete. */
  add(call: PendingCall): void {
    this.#calls.push(call);
  }

  /**
   * Calls a peer announced only as output items (`response.output_item.done`,
   * `response.done.output`; issue 19): collected like the others, once per `call_id`. Returns the
   * new ones.
   */
  addFromItems(items: unknown): PendingCall[] {
    const found = newCallsIn(items, this.#calls);
    this.#calls.push(...found);
    return found;
  }

  /** Runs (or hands out) the collected calls of `turn`. Rejects only when an output cannot be sent (the connection is gone). */
  async run(turn: Turn): Promise<void> {
    const calls = this.#calls.splice(0);
    this.#turn = turn;
    if (this.host.manual) {
      for (const call of calls) {
        this.#manual.set(call.call_id, undefined);
        this.host.toolCall({ callId: call.call_id, name: call.name, arguments: call.arguments });
      }
      return;
    }
    const controller = new AbortController();
    this.#running = controller;
    const signal = AbortSignal.any([controller.signal, this.host.signal()]);
    const tools = this.host.tools();
    const runs = await Promise.all(calls.map(async (call) => ({ call, run: await runTool(tools.get(call.name), call.name, call.arguments, call.call_id, signal) })));
    if (this.#running === controller) this.#running = undefined;
    for (const { call, run } of runs) {
      record(turn, call.call_id, run.status, run.output);
      this.host.toolResult({ callId: call.call_id, name: call.name, status: run.status, output: run.output, ...(run.error ? { error: run.error } : {}) });
    }
    // Interrupted or closed meanwhile: the outputs are dropped and no reply is asked for.
    if (signal.aborted || turn.ended) return;
    for (const { call, run } of runs) this.host.sendOutput(call.call_id, run.output);
    this.host.continue();
  }

  /**
   * The application's output for a manual call. Returns false (nothing sent) for a call dropped
   * by an interruption; throws a {@link ValidationError} for a call id never handed out.
   */
  submit(callId: string, output: string | Record<string, unknown>): boolean {
    if (this.#dropped.has(callId)) return false;
    if (!this.#manual.has(callId)) throw new ValidationError(`submitToolOutput: no pending call ${String(callId)}.`, 'callId');
    let text: unknown;
    try {
      text = typeof output === 'string' ? output : JSON.stringify(output);
    } catch {
      text = undefined;
    }
    if (typeof text !== 'string') throw new ValidationError('submitToolOutput: output must be a string or a JSON-serialisable object.', 'output');
    this.#manual.set(callId, text);
    if (this.#turn) record(this.#turn, callId, 'ok', text);
    this.host.sendOutput(callId, text);
    if ([...this.#manual.values()].every((v) => v !== undefined)) {
      this.#manual.clear();
      this.host.continue();
    }
    return true;
  }

  /** Aborts running tools and drops pending calls and outputs (interruption, lost connection). */
  abort(): void {
    this.#calls = [];
    this.#running?.abort();
    this.#running = undefined;
    for (const id of this.#manual.keys()) {
      this.#dropped.add(id);
      if (this.#dropped.size > MAX_DROPPED) this.#dropped.delete(this.#dropped.values().next().value!);
    }
    this.#manual.clear();
  }
}

function record(turn: Turn, callId: string, status: ToolStatus, output: string): void {
  const call = turn.result.toolCalls.find((c) => c.callId === callId);
  if (call) Object.assign(call, { status, output });
}
