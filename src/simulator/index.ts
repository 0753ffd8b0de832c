/**
 * The embedded DashScope Qwen-Omni-Realtime simulator (`dashscope-realtime/simulator`): a local
 * WebSocket server that speaks the protocol of protocol.md — handshake, session configuration,
 * Manual and VAD turns, responses with real (synthetic) audio, function calls, limits and errors —
 * so that clients, the official SDKs included, run the whole protocol offline. Faults can be
 * injected per connection for tests.
 *
 * ```ts
 * const sim = await startSimulator({ speed: 0 });
 * // connect a client to `${sim.url}?model=qwen3.5-omni-plus-realtime` with any API key
 * await sim.close();
 * ```
 */
import { resolveOptions, type SimulatorOptions } from './options.js';
import type { FaultPlan } from './faults.js';
import type { FrameRecord } from './recorder.js';
import { SimulatorServer } from './server.js';

export type { SimulatorOptions, CloseCodes, HandshakeRefusal } from './options.js';
export { DEFAULT_CLOSE_CODES } from './options.js';
export type { FaultPlan, FaultSelector, ConnectionInfo } from './faults.js';
export { faultPresets } from './faults.js';
export type { FrameRecord } from './recorder.js';
export type { ErrorTexts } from './errors.js';
export { DEFAULT_ERROR_TEXTS } from './errors.js';
export {
  defaultResponder,
  scriptedResponder,
  describeAudio,
  buildToolArguments,
  ScriptExhaustedError,
  type Responder,
  type ResponderTurn,
  type ResponderReply,
  type ResponderToolCall,
  type ResponderTool,
  type ResponderToolOutput,
  type ResponderImage,
  type ResponderHistoryEntry,
} from './responder.js';
export { synthesizeSpeech, speechDurationMs, type SynthesizeOptions } from './synthesizer.js';
export { SpeechDetector, type SpeechDetectorOptions, type SpeechBoundary } from './speechDetector.js';

/** A live connection, as tests see it. */
export interface SimulatorConnection {
  /** 0, 1, … in order of accepted upgrades. */
  readonly index: number;
  /** The model bound by the URL. */
  readonly model: string;
  /** The `session.id` announced in `session.created`. */
  readonly sessionId: string;
  /** Closes it with a close frame (default 1000). */
  close(code?: number, reason?: string): void;
  /** Drops it without a close frame. */
  terminate(): void;
}

/** A running simulator. */
export interface Simulator {
  /** `ws://HOST:PORT/api-ws/v1/realtime`; a client appends `?model=…`. */
  readonly url: string;
  /** The bound interface. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** The live connections. */
  readonly connections: readonly SimulatorConnection[];
  /** Upgrades accepted so far (after authentication and model checks), including those refused by a fault plan. */
  readonly connectionCount: number;
  /** Faults for the next accepted connection only. */
  setNextFaults(plan: FaultPlan | undefined): void;
  /** Calls `listener` for every frame in both directions (redacted); returns the unsubscribe function. */
  onFrame(listener: (record: FrameRecord) => void): () => void;
  /** Closes every connection (1001) and stops listening. */
  close(): Promise<void>;
}

/** Starts a simulator; binds 127.0.0.1 on a free port unless told otherwise. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const server = new SimulatorServer(resolved);
  const address = await server.listen();
  const host = address.address;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${address.port}/api-ws/v1/realtime`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port: address.port,
    get connections(): SimulatorConnection[] {
      return [...server.live].map((c) => ({
        index: c.index,
        model: c.model.id,
        sessionId: c.sessionId,
        close: (code = 1000, reason = '') => c.closeNow(code, reason),
        terminate: () => c.terminate(),
      }));
    },
    get connectionCount(): number {
      return server.accepted;
    },
    setNextFaults: (plan) => server.setNextFaults(plan),
    onFrame: (listener) => server.subscribe(listener),
    close: () => (closing ??= server.close()),
  };
}
