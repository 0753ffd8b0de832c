/**
 * Carrying a conversation into a new connection: the service keeps no state across sockets, so
 * after a reconnect the history is replayed as text items (§3.8, §5.6), or folded into the
 * instructions as a summary where items are not wanted.
 */
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import { newClientItemId } from '../protocol/ids.js';
import type { SessionConfig } from '../protocol/session.js';
import type { HistoryItem } from './history.js';

/** `items`: text items; `instructions`: a summary in the instructions; `none`: nothing. */
export type RestoreMode = 'items' | 'instructions' | 'none';

const MAX_ITEMS = 40;
const MAX_SUMMARY_CHARS = 8000;

function lines(items: HistoryItem[]): Array<{ role: 'user' | 'assistant'; text: string }> {
  const out: Array<{ role: 'user' | 'assistant'; text: string }> = [];
  for (const item of items) {
    if (item.type === 'user') {
      const text = item.text ?? item.transcript;
      if (text) out.push({ role: 'user', text });
    } else if (item.type === 'assistant' && item.status !== 'failed') {
      const text = item.status === 'interrupted' ? item.heard?.text ?? '' : item.text;
      if (text) out.push({ role: 'assistant', text });
    } else if (item.type === 'function_call_output') {
      out.push({ role: 'assistant', text: `(tool result: ${item.output.slice(0, 500)})` });
    }
  }
  return out.slice(-MAX_ITEMS);
}

/** Replays `items` on `client`; returns what was restored. Ids sent are added to `sentIds`. */
export async function restoreConversation(client: RealtimeTransport, items: HistoryItem[], config: SessionConfig, mode: RestoreMode, sentIds: Set<string>): Promise<{ items: number; mode: RestoreMode }> {
  const turns = lines(items);
  if (mode === 'none' || turns.length === 0) return { items: 0, mode };
  const useItems = mode === 'items' && client.modelInfo?.textInput !== false;
  if (useItems) {
    for (const turn of turns) {
      const id = newClientItemId();
      sentIds.add(id);
      client.send({ type: 'conversation.item.create', item: { id, type: 'message', role: turn.role, content: [{ type: turn.role === 'user' ? 'input_text' : 'text', text: turn.text }] } });
    }
    return { items: turns.length, mode: 'items' };
  }
  let summary = turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.text}`).join('\n');
  if (summary.length > MAX_SUMMARY_CHARS) summary = summary.slice(-MAX_SUMMARY_CHARS);
  const instructions = `${config.instructions ?? ''}\n\nThe conversation so far (carried over from an earlier connection):\n${summary}`.trim();
  await client.updateSession({ instructions });
  return { items: turns.length, mode: 'instructions' };
}
