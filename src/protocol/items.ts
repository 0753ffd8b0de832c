/**
 * Conversation items, content parts, responses and usage as they appear inside server events
 * (protocol.md §4.8, §4.12 to §4.21) and inside `conversation.item.create` (§3.8).
 */
import type { Modality } from './session.js';

/** Item status values seen on the wire. */
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** A content part of a message item. */
export type ContentPart =
  /** A user audio turn (the buffer itself is not echoed). */
  | { type: 'input_audio'; transcript?: string | null }
  /** A user text turn (`conversation.item.create`, §3.8). */
  | { type: 'input_text'; text: string }
  /** Assistant text (text-only modality). */
  | { type: 'text'; text: string }
  /**
   * Assistant audio. DashScope uses `text` in `content_part.*` and `transcript` in
   * `output_item.done` / `response.done` (§4.14, §4.20, §8.11); both may be present.
   */
  | { type: 'audio'; transcript?: string; text?: string };

/** A message item (user or assistant). */
export interface MessageItem {
  id: string;
  object?: 'realtime.item';
  type: 'message';
  status?: ItemStatus;
  role: 'user' | 'assistant' | 'system';
  content: ContentPart[];
}

/** A function call the model made (§4.8, §4.13, §4.20). */
export interface FunctionCallItem {
  id: string;
  object?: 'realtime.item';
  type: 'function_call';
  status?: ItemStatus;
  /** Id to answer with a `function_call_output` item. */
  call_id: string;
  /** Name of the called function. */
  name: string;
  /** JSON arguments as a string; may carry a leading space (§4.18): trim before parsing. */
  arguments: string;
}

/** A function result sent by the client (§3.8), echoed by `conversation.item.created`. */
export interface FunctionCallOutputItem {
  id?: string;
  object?: 'realtime.item';
  type: 'function_call_output';
  status?: ItemStatus;
  /** The `call_id` of the function call being answered. */
  call_id: string;
  /** The result as a string (a JSON string is recommended). */
  output: string;
}

/** qwen3.8 MCP approval answer (§3.8); the service echoes it in `conversation.item.created`. */
export interface McpApprovalResponseItem {
  id?: string;
  object?: 'realtime.item';
  type: 'mcp_approval_response';
  approval_request_id: string;
  approve: boolean;
}

/** Any item a server event may carry (an MCP approval answer is echoed too, §3.8). */
export type ConversationItem = MessageItem | FunctionCallItem | FunctionCallOutputItem | McpApprovalResponseItem;

/** A user text message as sent in `conversation.item.create` (§3.8, §5.6). */
export interface UserMessageInput {
  id?: string;
  type: 'message';
  role: 'user' | 'assistant' | 'system';
  content: Array<{ type: 'input_text' | 'text'; text: string }>;
}

/** Items a client may create with `conversation.item.create`. */
export type ClientItem = FunctionCallOutputItem | UserMessageInput | McpApprovalResponseItem;

/** Token usage of one response (§4.21). */
export interface Usage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: {
    text_tokens?: number;
    audio_tokens?: number;
    image_tokens?: number;
    cached_tokens?: number;
    [extra: string]: unknown;
  };
  output_tokens_details?: { text_tokens?: number; audio_tokens?: number; [extra: string]: unknown };
  /** Present with web search: `{ search: { count, strategy: "agent" } }`. */
  plugins?: { search?: { count: number; strategy: string }; [extra: string]: unknown };
  [extra: string]: unknown;
}

/**
 * Response status. The docs list `completed`, `failed`, `in_progress`, `incomplete`; a cancelled
 * or interrupted response ends with `cancelled` (§0.1.4).
 */
export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled' | 'incomplete' | 'failed';

/** The `response` object of `response.created` and `response.done` (§4.12, §4.21). */
export interface Response {
  id: string;
  object: 'realtime.response';
  conversation_id?: string;
  status: ResponseStatus;
  /** Present on some cancelled responses, e.g. `{ type: "cancelled", reason: "client_cancelled" }`. */
  status_details?: { type?: string; reason?: string; [extra: string]: unknown } | null;
  modalities?: Modality[];
  voice?: string;
  output_audio_format?: string;
  /** Output items without raw audio; empty in `response.created`. */
  output: ConversationItem[];
  /** Token usage; in `response.done` only. */
  usage?: Usage;
}
