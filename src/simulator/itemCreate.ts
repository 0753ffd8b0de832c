/**
 * `conversation.item.create` (§3.8): a tool result, a text message, or (qwen3.8) an MCP approval
 * answer. Each accepted item is acknowledged by its `conversation.item.created`, in conversation
 * order (§0.2.25, §0.2.26), and added to the pending input of the next response.
 */
import { newServerId, type ModelInfo } from '../protocol/index.js';
import type { Conversation } from './conversation.js';
import type { ConversationOrder } from './conversationOrder.js';
import { errorText, fillText, invalidRequest, LIVE_TEXTS } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { Outbox } from './outbox.js';
import type { PendingInput } from './responseScheduler.js';

type Json = Record<string, unknown>;

/** What item creation needs from the session. */
export interface ItemCreateContext {
  model: ModelInfo;
  options: ResolvedOptions;
  out: Outbox;
  order: ConversationOrder;
  conversation: Conversation;
  /** The pending input of the next response. */
  pending(): PendingInput;
  /** The function name of a call this session made, `undefined` for a call it never issued. */
  callName(callId: string): string | undefined;
}

/** What an accepted item was, for the session's follow-up (§0.2.9). */
export type CreatedKind = 'function_call_output' | 'message' | 'mcp_approval_response' | null;

/** Handles one `conversation.item.create`; returns the kind of item accepted, or `null` when refused. */
export function createItem(ctx: ItemCreateContext, item: Json, eventId: string): CreatedKind {
  const { model, options, out } = ctx;
  const bad = (param: string, reason: string): null => {
    out.error(invalidRequest(errorText('invalidItem', options.errorTexts, { param, reason }), { param, eventId }));
    return null;
  };
  // §0.2.15: the service may not echo a client-chosen id (an option); §3.8 says it does.
  const given = typeof item.id === 'string' && item.id !== '' ? item.id : undefined;
  const id = given !== undefined && options.echoClientItemIds ? given : newServerId('item');
  if (item.type === 'function_call_output') {
    if (typeof item.call_id !== 'string' || item.call_id === '') return bad('item.call_id', 'expected the call_id of a function call.');
    if (typeof item.output !== 'string') return bad('item.output', 'expected a string (a JSON string is recommended).');
    const name = ctx.callName(item.call_id);
    if (name === undefined && !options.acceptUnknownCallIds) {
      // §0.2.10: a stale result (after a reconnect or barge-in) is refused; the session goes on.
      out.error(invalidRequest(fillText(LIVE_TEXTS.unknownCallId, { call_id: item.call_id.slice(0, 200) }), { param: 'item.call_id', eventId }));
      return null;
    }
    ctx.order.created({ id, object: 'realtime.item', type: 'function_call_output', status: 'completed', call_id: item.call_id, output: item.output });
    ctx.pending().toolOutputs.push(name === undefined ? { callId: item.call_id, output: item.output } : { callId: item.call_id, name, output: item.output });
    ctx.pending().historyEntries++;
    ctx.conversation.add({ role: 'tool', text: item.output, billText: true, audioMs: 0, audioFactor: 1, imageTokens: [] });
    return 'function_call_output';
  }
  if (item.type === 'message') {
    if (!model.textInput) return bad('item.type', `model ${model.id} does not take text input.`);
    const role = item.role ?? 'user';
    if (role !== 'user' && role !== 'assistant' && role !== 'system') return bad('item.role', "expected 'user', 'assistant' or 'system'.");
    const parts = Array.isArray(item.content) ? (item.content as unknown[]) : [];
    const ok = parts.length > 0 && parts.every((p) => typeof p === 'object' && p !== null && ((p as Json).type === 'input_text' || (p as Json).type === 'text') && typeof (p as Json).text === 'string');
    if (!ok) return bad('item.content', "expected a list of {type: 'input_text', text} parts.");
    const clean = (parts as Json[]).map((p) => ({ type: p.type as 'input_text' | 'text', text: p.text as string }));
    const text = clean.map((p) => p.text).join('');
    ctx.order.created({ id, object: 'realtime.item', type: 'message', status: 'completed', role, content: clean });
    if (role === 'user') {
      ctx.pending().texts.push(text);
      ctx.pending().historyEntries++;
    }
    ctx.conversation.add({ role: role === 'assistant' ? 'assistant' : 'user', text, billText: true, audioMs: 0, audioFactor: 1, imageTokens: [] });
    return 'message';
  }
  if (item.type === 'mcp_approval_response') {
    if (!model.mcpTools) return bad('item.type', `model ${model.id} has no MCP tools.`);
    if (typeof item.approval_request_id !== 'string' || typeof item.approve !== 'boolean') return bad('item', 'expected approval_request_id (string) and approve (boolean).');
    ctx.order.created({ id, object: 'realtime.item', type: 'mcp_approval_response', approval_request_id: item.approval_request_id, approve: item.approve });
    return 'mcp_approval_response';
  }
  return bad('item.type', "expected 'function_call_output' or 'message'.");
}
