/**
 * Function calls a response made, from whichever events announced them. DashScope sends
 * `response.function_call_arguments.done` for each (§4.18) and repeats the call in
 * `response.output_item.done` (§4.20) and `response.done.output` (§4.21); a looser peer may send
 * only the output items (issue 19: the Qwen team's own test server does). The session runs each
 * call once, whichever of these arrived.
 */

/** A complete function call, as the session runs it (the fields of §4.18's `done` event it uses). */
export interface PendingCall {
  /** Id to answer with a `function_call_output` item. */
  call_id: string;
  /** Name of the called function. */
  name: string;
  /** JSON arguments as a string. */
  arguments: string;
}

/**
 * Function calls one response may add this way. The service makes one or a few; a peer that lists
 * thousands in one `response.done` must not make the session run thousands of tools.
 */
export const MAX_OUTPUT_CALLS = 32;

/**
 * The complete function calls among `items` (output items, §4.20 / §4.21) whose `call_id` is not
 * in `known`, in order, at most {@link MAX_OUTPUT_CALLS} together with `known`. A call still in
 * progress, or without a name or arguments, is skipped: running it would run half a call.
 * `items` is checked, not trusted: it comes from the peer.
 */
export function newCallsIn(items: unknown, known: readonly PendingCall[]): PendingCall[] {
  if (!Array.isArray(items) || known.length >= MAX_OUTPUT_CALLS) return [];
  const seen = new Set(known.map((c) => c.call_id));
  const found: PendingCall[] = [];
  for (const item of items as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { type, status, call_id, name, arguments: args } = item as Record<string, unknown>;
    if (type !== 'function_call' || (status !== undefined && status !== 'completed')) continue;
    if (typeof call_id !== 'string' || call_id === '' || typeof name !== 'string' || typeof args !== 'string' || seen.has(call_id)) continue;
    seen.add(call_id);
    found.push({ call_id, name, arguments: args });
    if (known.length + found.length >= MAX_OUTPUT_CALLS) break;
  }
  return found;
}
