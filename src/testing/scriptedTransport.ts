/**
 * A scripted transport for testing applications without a socket: the test declares the client
 * events it expects the application to send, in order, and the server events to answer with.
 * Plug it into a client with `socketFactory`. Expectations match partially (only the fields
 * given are compared, arrays item by item; `event_id` is ignored unless given).
 */
import { newServerId } from '../protocol/ids.js';
import type { ClientEvent } from '../protocol/clientEvents.js';
import type { SocketFactory, SocketHandlers } from '../transport/socket.js';

/** A server event to send; `event_id` is filled in when missing. */
export type ScriptedServerEvent = { type: string; event_id?: string } & Record<string, unknown>;

/** One step of a script. */
export type ScriptStep =
  /** The server sends these events (at connect, or after the previous expectation). */
  | { emit: ScriptedServerEvent[] }
  /** The application must send an event matching `expect`; then the server sends `respond`. */
  | {
      expect: { type: ClientEvent['type'] | string } & Record<string, unknown>;
      respond?: ScriptedServerEvent[] | ((event: Record<string, unknown>) => ScriptedServerEvent[]);
    }
  /** The server closes the socket. */
  | { close: { code: number; reason?: string } };

/** A running script. */
export interface ScriptedTransport {
  /** Pass as `socketFactory` to `RealtimeClient`. */
  factory: SocketFactory;
  /** Every event the application sent, parsed, in order. */
  sent: Array<Record<string, unknown>>;
  /** Mismatches found so far (an unexpected event, a wrong field). */
  mismatches: string[];
  /** Sends an event now, outside the script. */
  emit(event: ScriptedServerEvent): void;
  /** Resolves once every step ran; rejects with the mismatches or after `timeoutMs`. */
  done(timeoutMs?: number): Promise<void>;
}

function matches(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((item, i) => matches(item, actual[i], `${path}[${i}]`, out));
    return;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object') {
      out.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) matches(value, (actual as Record<string, unknown>)[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** A `session.created` event with plausible defaults, for the start of a script. */
export function sessionCreated(model = 'qwen3.5-omni-plus-realtime', session: Record<string, unknown> = {}): ScriptedServerEvent {
  return {
    type: 'session.created',
    session: { id: newServerId('sess'), object: 'realtime.session', model, modalities: ['text', 'audio'], voice: 'Tina', input_audio_format: 'pcm', output_audio_format: 'pcm', turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 800 }, tools: [], ...session },
  };
}

/** Builds a scripted transport from `steps`. */
export function scriptedTransport(steps: ScriptStep[]): ScriptedTransport {
  const queue = [...steps];
  const sent: Array<Record<string, unknown>> = [];
  const mismatches: string[] = [];
  let handlers: SocketHandlers | undefined;
  let open = false;
  let waiters: Array<() => void> = [];
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };

  const deliver = (event: ScriptedServerEvent) => {
    const full = { event_id: event.event_id ?? newServerId('event'), ...event };
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

  const factory: SocketFactory = async (_options, h) => {
    handlers = h;
    open = true;
    queueMicrotask(runEmits);
    return {
      send(data: string) {
        if (!open) throw new Error('scripted socket is closed');
        const event = JSON.parse(data) as Record<string, unknown>;
        sent.push(event);
        const step = queue[0];
        if (!step || !('expect' in step)) {
          mismatches.push(`unexpected ${String(event.type)}: the script expected ${step ? 'no client event here' : 'nothing more'}`);
          notify();
          return;
        }
        const problems: string[] = [];
        matches(step.expect, event, '', problems);
        if (problems.length > 0) {
          mismatches.push(`${String(step.expect.type)}: ${problems.join('; ')}`);
          notify();
          return;
        }
        queue.shift();
        const replies = typeof step.respond === 'function' ? step.respond(event) : step.respond ?? [];
        replies.forEach(deliver);
        runEmits();
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

  return {
    factory,
    sent,
    mismatches,
    emit: deliver,
    done(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`script not finished after ${timeoutMs} ms; next step: ${JSON.stringify(queue[0])}${mismatches.length ? `; mismatches: ${mismatches.join(' | ')}` : ''}`)), timeoutMs);
        const check = () => {
          if (mismatches.length > 0) {
            clearTimeout(timer);
            reject(new Error(`script mismatch: ${mismatches.join(' | ')}`));
          } else if (queue.length === 0) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
