/**
 * dashscope-realtime: a typed client for Alibaba Cloud Model Studio's Qwen-Omni-Realtime API.
 *
 * ```ts
 * import { RealtimeClient } from 'dashscope-realtime';
 * const client = new RealtimeClient({ model: 'qwen3.5-omni-plus-realtime' });
 * await client.connect();
 * ```
 *
 * This list is the public API, reviewed name by name (test/package/exports.test.ts snapshots it):
 * helpers the SDK uses inside (ids, event-shape tables, the response sequencer, backoff) are not
 * on it and may change.
 */

// The client and the transport seam under the session.
export { RealtimeClient } from './client/realtimeClient.js';
export type { ClientState, RealtimeClientEvents } from './client/realtimeClient.js';
export type { WaitForOptions } from './client/eventChannel.js';
export type { ClientTimeouts, Logger, RealtimeClientOptions } from './client/options.js';
export type { EndpointOptions } from './client/endpoint.js';
export { createTemporaryKey } from './client/temporaryKey.js';
export type { TemporaryKey, TemporaryKeyOptions } from './client/temporaryKey.js';
export type { AudioInput, AudioInputFormat, ImageInput } from './client/encodeInput.js';
export type {
  CloseInfo, CreateResponseOptions, FinishResult, MediaPlaybackStop, OutgoingEvent, RealtimeTransport, RealtimeTransportEvents, TransportAudio, TransportState,
} from './transport/realtimeTransport.js';
export type { OpenSocketOptions, Socket, SocketFactory, SocketHandlers } from './transport/socket.js';

// Errors.
export { AbortError, AuthenticationError, ConnectionError, ProtocolError, RealtimeError, ServerError, TimeoutError, ValidationError } from './errors.js';
export type { HandshakeResponse } from './errors.js';

// The session.
export { RealtimeSession } from './session/realtimeSession.js';
export type { AskInput, ReconnectedInfo, RealtimeSessionEvents, RealtimeSessionOptions, SessionState, SessionUpdate, ToolResultInfo } from './session/realtimeSession.js';
export { Turn } from './session/turn.js';
export type { TurnLatency, TurnResult, TurnToolCall } from './session/turn.js';
export { tool } from './session/tools.js';
export type { Tool, ToolContext, ToolDefinition, ToolRun, ToolStatus, ZodLike } from './session/tools.js';
export type { JsonSchema } from './session/jsonSchema.js';
export type { ConversationHistory } from './session/history.js';
export type { AssistantItem, FunctionCallHistoryItem, FunctionOutputHistoryItem, HistoryChange, HistoryItem, HistoryStatus, UserItem } from './session/history.js';
export type { PlaybackAdapter } from './session/interruption.js';
export type { MetricsSnapshot } from './session/metrics.js';
export type { ReconnectOptions } from './session/reconnect.js';
export type { RestoreMode } from './session/restore.js';

// The wire protocol: event and configuration types, the model catalog, endpoints.
export { CLIENT_EVENT_TYPES } from './protocol/clientEvents.js';
export type {
  ClientEvent, ClientEventOf, ClientEventType, ConversationItemCreateEvent, InputAudioBufferAppendEvent, InputAudioBufferClearEvent,
  InputAudioBufferCommitEvent, InputImageBufferAppendEvent, ResponseCancelEvent, ResponseCreateEvent, SessionFinishEvent, SessionUpdateEvent,
} from './protocol/clientEvents.js';
export { SERVER_EVENT_TYPES, isServerEventType } from './protocol/serverEvents.js';
export type {
  AnyServerEvent, ConversationItemCreatedEvent, ErrorDetail, ErrorEvent, InputAudioBufferClearedEvent, InputAudioBufferCommittedEvent,
  InputAudioBufferSpeechStartedEvent, InputAudioBufferSpeechStoppedEvent, InputAudioTranscriptionCompletedEvent, InputAudioTranscriptionDeltaEvent,
  InputAudioTranscriptionFailedEvent, ResponseAudioDeltaEvent, ResponseAudioDoneEvent, ResponseAudioTranscriptDeltaEvent, ResponseAudioTranscriptDoneEvent,
  ResponseContentPartAddedEvent, ResponseContentPartDoneEvent, ResponseCreatedEvent, ResponseDoneEvent, ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent, ResponseOutputItemAddedEvent, ResponseOutputItemDoneEvent, ResponseTextDeltaEvent, ResponseTextDoneEvent,
  ServerEvent, ServerEventOf, ServerEventType, SessionCreatedEvent, SessionFinishedEvent, SessionUpdatedEvent, UnknownServerEvent,
} from './protocol/serverEvents.js';
export type {
  AudioConfig, AudioFormatConfig, AudioFormatType, AudioSampleRate, ChannelLayout, FlatFunctionTool, FunctionParameters, FunctionTool,
  InputAudioTranscriptionConfig, LegacyAudioFormat, McpTool, Modality, Session, SessionConfig, ToolDeclaration, TurnDetectionConfig, TurnDetectionType,
} from './protocol/session.js';
export type {
  ClientItem, ContentPart, ConversationItem, FunctionCallItem, FunctionCallOutputItem, ItemStatus, McpApprovalResponseItem, MessageItem, Response,
  ResponseStatus, Usage, UserMessageInput,
} from './protocol/items.js';
export { DEFAULT_MODEL, MODELS, getModelInfo, listModels } from './protocol/models.js';
export type { ModelInfo, ModelLimits, SamplingDefaults, TokenRules } from './protocol/models.js';
export { validateSessionConfig } from './protocol/validateSession.js';
export type { SessionIssue, ValidateOptions } from './protocol/validateSession.js';
export { REGIONS, compatibleModeBaseUrl, realtimeBaseUrl } from './protocol/endpoints.js';
export type { Region } from './protocol/endpoints.js';

export { VERSION } from './version.js';
