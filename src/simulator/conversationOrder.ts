/**
 * The one place that knows the order of the conversation's items: every
 * `conversation.item.created` goes out through {@link ConversationOrder.created}, which adds
 * `previous_item_id` (the id of the item announced before it, `null` for the first, §0.2.25).
 * The Qwen team's client walks that chain back from a reply's first output item to check the
 * reply answers the item it asked about; without it, the reply is dropped.
 */
import type { ConversationItem } from '../protocol/index.js';
import type { EventSink } from './outbox.js';

/** Announces items in conversation order. */
export class ConversationOrder {
  private last: string | null = null;

  constructor(private readonly out: EventSink) {}

  /** Sends `conversation.item.created` for `item`, chained to the item announced before it. */
  created(item: ConversationItem): void {
    const id = item.id ?? null;
    this.out.emit('conversation.item.created', { previous_item_id: this.last, item });
    if (id !== null) this.last = id;
  }
}
