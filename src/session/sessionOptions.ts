/**
 * The public shape of a {@link RealtimeSession}: its options with their defaults and bounds, its
 * events, its states, and what `updateSession` takes.
 */
import type { RealtimeClientOptions } from '../client/options.js';
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import type { RealtimeError, ServerError } from '../errors.js';
import type { SessionConfig } from '../protocol/session.js';
import type { HistoryItem } from './history.js';
import type { PlaybackAdapter } from './interruption.js';
import type { MetricsSnapshot } from './metrics.js';
import type { ReconnectOptions } from './reconnect.js';
import type { RestoreMode } from './restore.js';
import type { Tool, ToolStatus } from './tools.js';
import type { Turn } from './turn.js';

/** Options of {@link RealtimeSession}: the client's, plus the session's own. */
export interface RealtimeSessionOptions extends RealtimeClientOptions {
  /** Configuration sent after connecting and again after every reconnect; `updateSession()` changes it. */
  session?: SessionConfig;
  /** Tools declared in `session.update` and run automatically. */
  tools?: Tool[];
  /** `auto` runs tools and asks for the reply; `manual` emits `tool_call` for the application. Default `auto`. */
  toolExecution?: 'auto' | 'manual';
  /** Where reply audio is played; stopped on barge-in to learn what was heard. */
  playback?: PlaybackAdapter;
  /** Reconnect settings, or `false` to never reconnect. */
  reconnect?: ReconnectOptions | false;
  /** How the conversation is carried into a new connection. Default `items` (text items). */
  restore?: RestoreMode;
  /**
   * Items `history` keeps. Past it the oldest finished items are removed (`item_removed`), so a
   * session that runs for days (rolling over every two hours) holds bounded memory (the 30-minute
   * soak measured about 2.3 KB a spoken turn, a user and an assistant item). A reconnect restores
   * at most the last 40 either way. `Infinity` keeps everything. Default 1000.
   */
  maxHistoryItems?: number;
  /** Session duration cap. Default: the model's (120 min). */
  maxSessionMs?: number;
  /**
   * Roll over to a new connection this long before the cap: when idle, or as soon as the turn in
   * progress ends (never in the middle of a reply). Default 5 min.
   */
  rolloverMarginMs?: number;
  /** Audio kept while disconnected, in ms at the input rate. Default 10000. */
  disconnectedAudioMs?: number;
  /**
   * A response that was cancelled (`interrupt()`, barge-in) is over at its `response.done`, its
   * `response.output_item.done`, or this long after the cancel, whichever comes first: the service
   * may send no `response.done` after a cancel (protocol.md §5.3). Only then is the next
   * `response.create` sent. Default 5000 (the 3P measurement's advice).
   */
  cancelSettleMs?: number;
  /**
   * How long `ask()` and `updateSession()` made while the session (re)connects wait for it, and
   * the default of `whenReady()`. Past it the turn fails with a TimeoutError. Default 60000.
   */
  readyTimeoutMs?: number;
  /**
   * Silence appended after `ask({ audio })` in VAD mode so that the service hears the end of the
   * turn, in ms. Default: the session's `silence_duration_ms` (800 when not given) + 700, at least 1500.
   */
  askTrailingSilenceMs?: number;
  /**
   * Builds the connection, once per connect and again at every reconnect or rollover, from the
   * client options of this object. Default: a WebSocket `RealtimeClient`. In a browser over
   * WebRTC: `() => new WebRTCTransport({ signalingUrl })` (`dashscope-realtime/browser`); in
   * tests: `script.transport` (`dashscope-realtime/testing`). The session uses nothing else.
   */
  transport?: (options: RealtimeClientOptions) => RealtimeTransport;
}

/** What `updateSession()` takes: session fields (each replaces the one before), and the tools to declare. */
export type SessionUpdate = Omit<SessionConfig, 'tools'> & {
  /** Replaces the session's tools (declared and run automatically); `[]` removes them. */
  tools?: Tool[];
};

/** What `reconnected` reports. */
export interface ReconnectedInfo {
  /** `dropped` connection, `rollover` before the cap, or `resumed` after an inactivity close (§0.2.11). */
  reason: 'dropped' | 'rollover' | 'resumed';
  attempt: number;
  restored: { config: boolean; tools: number; items: number; mode: RestoreMode };
}

/** What `tool_result` reports. */
export interface ToolResultInfo {
  callId: string;
  name: string;
  status: ToolStatus;
  output: string;
  error?: string;
}

/** Events of a session. Listeners survive reconnects. */
export interface RealtimeSessionEvents {
  item_added: HistoryItem;
  item_updated: HistoryItem;
  item_completed: HistoryItem;
  /** The oldest item left `history` (past `maxHistoryItems`). */
  item_removed: HistoryItem;
  turn: Turn;
  tool_call: { callId: string; name: string; arguments: string };
  tool_result: ToolResultInfo;
  /** Reply audio was cut (once per cut): by `interrupt()`, or by the user's speech (§5.3). */
  interrupted: { itemId: string | undefined; heardMs: number; heardText: string };
  /** Semantic VAD did not accept a speech candidate (§0.2.3): no reply follows, nothing closes. */
  speech_rejected: { error: ServerError };
  reconnecting: { attempt: number; delayMs: number; error: Error };
  reconnected: ReconnectedInfo;
  /** The service closed the connection for inactivity (§0.2.11); the next `ask`, `appendAudio`, `updateSession` or `whenReady` reconnects. */
  suspended: { error: Error };
  audio_dropped: { droppedMs: number; totalDroppedMs: number };
  usage: MetricsSnapshot;
  error: RealtimeError;
  close: { error?: Error };
}

/**
 * Connection state of a {@link RealtimeSession}: `suspended` after an inactivity close (the next
 * use reconnects).
 */
export type SessionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'suspended' | 'closed';
