/**
 * The session layer: a conversation with history, tools, interruption, reconnect and metrics.
 * Not an entry point: the root `index.ts` lists what is public.
 */
export { RealtimeSession } from './realtimeSession.js';
export type { AskInput, ReconnectedInfo, RealtimeSessionEvents, RealtimeSessionOptions, SessionState, SessionUpdate, ToolResultInfo } from './realtimeSession.js';
export { Turn } from './turn.js';
export type { TurnLatency, TurnResult, TurnToolCall } from './turn.js';
export { tool } from './tools.js';
export type { Tool, ToolContext, ToolDefinition, ToolRun, ToolStatus, ZodLike } from './tools.js';
export type { JsonSchema } from './jsonSchema.js';
export { ConversationHistory } from './history.js';
export type { AssistantItem, HistoryChange, FunctionCallHistoryItem, FunctionOutputHistoryItem, HistoryItem, HistoryStatus, UserItem } from './history.js';
export type { PlaybackAdapter } from './interruption.js';
export type { MetricsSnapshot } from './metrics.js';
export type { ReconnectOptions } from './reconnect.js';
export type { RestoreMode } from './restore.js';
