/**
 * A scripted transport for testing applications without a socket: the test declares the client
 * events it expects the application to send, in order, and the server events to answer with.
 * Plug it into a client or a session with `socketFactory` (or spread {@link ScriptedTransport.clientOptions}).
 *
 * - Expectations match partially (only the fields given are compared, arrays item by item;
 *   `event_id` is ignored unless given) and are typed with the protocol's event types, so a typo
 *   in a type or field name does not compile.
 * - `repeat: true` matches one or more events in a row (every audio chunk of a turn).
 * - `session.update` and `session.finish` are answered by default when the script does not
 *   expect them there: `session.updated` with the merged session (top-level keys replaced, as
 *   the service merges, protocol.md §3.1), and `session.finished` (§3.9).
 * - A mismatch fails at once: the socket closes with code {@link SCRIPT_MISMATCH_CLOSE_CODE}
 *   (not retried by a session) and a reason showing what was expected and what was received, so
 *   the application's pending turn fails with that message, and `done()` rejects with it.
 */
import { newServerId } from '../protocol/ids.js';
import type { ClientEvent, ClientEventType } from '../protocol/clientEvents.js';
import type { ServerEvent, ServerEventType } from '../protocol/serverEvents.js';
import type { SocketFactory, SocketHandlers } from '../transport/socket.js';
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import { RealtimeClient } from '../client/realtimeClient.js';
import type { RealtimeClientOptions } from '../client/options.js';

/** Every field optional, at every depth (an expectation or a scripted event names what it cares about). */
export type DeepPartial<T> = T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepPartial<U>> : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** An expected client event: its `type` and any of its fields. */
export type ExpectedClientEvent = { [K in ClientEventType]: { type: K } & DeepPartial<Omit<Extract<ClientEvent, { type: K }>, 'type'>> }[ClientEventType];

/** A server event to send: its `type` and any of its fields; `event_id` is filled in when missing. */
export type ScriptedServerEvent = { [K in ServerEventType]: { type: K; event_id?: string } & DeepPartial<Omit<Extract<ServerEvent, { type: K }>, 'type' | 'event_id'>> }[ServerEventType];

/** One step of a script. */
export type ScriptStep =
  /** The server sends these events (at connect, or after the previous expectation). */
  | { emit: ScriptedServerEvent[] }
  /**
   * The application must send an event matching `expect`; then the server sends `respond` (a
   * list, or a function of the event received). With `repeat: true` the step matches one or
   * more such events in a row, answering each; the first event that does not match moves on to
   * the next steps (so an `emit` right after a repeated step waits for that event).
   */
  | {
      expect: ExpectedClientEvent;
      respond?: ScriptedServerEvent[] | ((event: ClientEvent) => ScriptedServerEvent[]);
      repeat?: boolean;
    }
  /** The server closes the socket. */
  | { close: { code: number; reason?: string } };

/** Options of {@link scriptedTransport}. */
export interface ScriptOptions {
  /**
   * Answer `session.update` with the merged `session.updated`, and `session.finish` with
   * `session.finished`, wherever the script does not expect them. Default true.
   */
  defaultAnswers?: boolean;
}

/** The close code of a script mismatch: in 4000–4099, which a session does not retry. */
export const SCRIPT_MISMATCH_CLOSE_CODE = 4000;

/** A running script. */
export interface ScriptedTransport {
  /** Pass as `socketFactory` to `RealtimeClient` or `RealtimeSession`. */
  factory: SocketFactory;
  /** `{ url, apiKey, socketFactory }` to spread into client or session options: no socket, no key. */
  clientOptions: { url: string; apiKey: string; socketFactory: SocketFactory };
  /**
   * Pass as `transport` to `RealtimeSession`: a {@link RealtimeTransport} (a `RealtimeClient` on
   * this script's socket; a url and key are filled in when the options have none).
   */
  transport(options?: RealtimeClientOptions): RealtimeTransport;
  /** Every event the application sent, parsed, in order. */
  sent: ClientEvent[];
  /** Mismatches found so far (an unexpected event, a wrong field). */
  mismatches: string[];
  /** Sends an event now, outside the script. */
  emit(event: ScriptedServerEvent): void;
  /** Resolves once every step ran; rejects at once on a mismatch, or after `timeoutMs`. */
  done(timeoutMs?: number): Promise<void>;
}

/** A shortened JSON text of `value` for messages (base64 audio and long texts cut). */
function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 40)}…(${v.length} chars)` : v));
  return text === undefined ? 'undefined' : text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** `event` without its generated `event_id`, for messages. */
function withoutId(event: ClientEvent): Omit<ClientEvent, 'event_id'> {
  const { event_id: _id, ...rest } = event;
  return rest;
}

function matches(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${path}: expected ${expected.length} items, got ${show(actual)}`);
      return;
    }
    expected.forEach((item, i) => matches(item, actual[i], `${path}[${i}]`, out));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') {
      out.push(`${path}: expected an object, got ${show(actual)}`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) matches(value, (actual as Record<string, unknown>)[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
}

/** A `session.created` event with plausible defaults, for the start of a script. */
export function sessionCreated(model = 'qwen3.5-omni-plus-realtime', session: DeepPartial<Extract<ServerEvent, { type: 'session.created' }>['session']> = {}): Extract<ScriptedServerEvent, { type: 'session.created' }> {
  return {
    type: 'session.created',
    session: { id: newServerId('sess'), object: 'realtime.session', model, modalities: ['text', 'audio'], voice: 'Tina', input_audio_format: 'pcm', output_audio_format: 'pcm', turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 800 }, tools: [], ...session },
  };
}

/** Builds a scripted transport from `steps`. */
export function scriptedTransport(steps: ScriptStep[], options: ScriptOptions = {}): ScriptedTransport {
  const defaultAnswers = options.defaultAnswers ?? true;
  const queue = [...steps];
  const sent: ClientEvent[] = [];
  const mismatches: string[] = [];
  let handlers: SocketHandlers | undefined;
  let open = false;
  /** The session as the script's server holds it: from session.created/updated, merged with each update. */
  let session: Record<string, unknown> = {};
  /** The current step is a `repeat` step that matched at least once. */
  let repeating = false;
  const waiters: Array<() => void> = [];
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };

  const deliver = (event: ScriptedServerEvent) => {
    const full = { event_id: event.event_id ?? newServerId('event'), ...event };
    if ((full.type === 'session.created' || full.type === 'session.updated') && 'session' in full && full.session) session = { ...(full.session as object) };
    // Delivered asynchronously, as a socket would.
    queueMicrotask(() => open && handlers?.onText(JSON.stringify(full)));
  };
  const closeSocket = (code: number, reason = '') => {
    if (!open) return;
    open = false;
    queueMicrotask(() => handlers?.onClose(code, reason));
  };
  const runEmits = () => {
    while (queue.length > 0) {
      const step = queue[0]!;
      if ('emit' in step) {
        queue.shift();
        step.emit.forEach(deliver);
      } else if ('close' in step) {
        queue.shift();
        closeSocket(step.close.code, step.close.reason);
      } else break;
    }
    notify();
  };
  const fail = (message: string) => {
    mismatches.push(message);
    closeSocket(SCRIPT_MISMATCH_CLOSE_CODE, `script mismatch: ${message}`);
    notify();
  };
  /** The default answer to `event`, if it has one (§3.1, §3.9). */
  const answerByDefault = (event: ClientEvent): boolean => {
    if (!defaultAnswers) return false;
    if (event.type === 'session.update') {
      deliver({ type: 'session.updated', session: { ...session, ...(event.session as object) } } as ScriptedServerEvent);
      return true;
    }
    if (event.type === 'session.finish') {
      deliver({ type: 'session.finished' });
      return true;
    }
    return false;
  };

  const receive = (event: ClientEvent) => {
    for (;;) {
      const step = queue[0];
      if (!step || !('expect' in step)) {
        if (answerByDefault(event)) return;
        fail(`unexpected ${show(event.type)}: the script expected ${step ? 'no client event here' : 'nothing more'}; received ${show(withoutId(event))}`);
        return;
      }
      const problems: string[] = [];
      matches(step.expect, event, '', problems);
      if (problems.length > 0) {
        if (repeating) {
          // The repeated step is over: try the next one.
          repeating = false;
          queue.shift();
          runEmits();
          continue;
        }
        if (step.expect.type !== event.type && answerByDefault(event)) return;
        fail(`expected ${show(step.expect)}, received ${show(withoutId(event))} (${problems.join('; ')})`);
        return;
      }
      if (step.repeat) repeating = true;
      else queue.shift();
      const replies = typeof step.respond === 'function' ? step.respond(event) : step.respond ?? [];
      replies.forEach(deliver);
      if (!step.repeat) runEmits();
      else notify();
      return;
    }
  };

  const factory: SocketFactory = async (_options, h) => {
    handlers = h;
    open = true;
    queueMicrotask(runEmits);
    return {
      send(data: string) {
        if (!open) throw new Error('scripted socket is closed');
        const event = JSON.parse(data) as ClientEvent;
        sent.push(event);
        receive(event);
      },
      close(code = 1000, reason = '') {
        closeSocket(code, reason);
      },
      terminate() {
        closeSocket(1006);
      },
      get bufferedAmount() {
        return 0;
      },
      get isOpen() {
        return open;
      },
    };
  };

  /** Steps left, a finished repeat step not counting (nothing more needs to arrive). */
  const remaining = () => queue.length - (repeating ? 1 : 0);

  return {
    factory,
    clientOptions: { url: 'ws://127.0.0.1:1/api-ws/v1/realtime', apiKey: 'scripted', socketFactory: factory },
    transport: (options = {}) => new RealtimeClient({ url: 'ws://127.0.0.1:1/api-ws/v1/realtime', apiKey: 'scripted', keepaliveMs: false, ...options, socketFactory: factory }),
    sent,
    mismatches,
    emit: deliver,
    done(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`script not finished after ${timeoutMs} ms; next step: ${show(queue[0])}${mismatches.length ? `; mismatches: ${mismatches.join(' | ')}` : ''}`)), timeoutMs);
        const check = () => {
          if (mismatches.length > 0) {
            clearTimeout(timer);
            reject(new Error(`script mismatch: ${mismatches.join(' | ')}`));
          } else if (remaining() === 0) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
