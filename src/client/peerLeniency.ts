/**
 * What the client does when a peer is looser than the service (issue 19): a relay, a proxy or a
 * test server (the Qwen team's own fake server, say) may leave out fields DashScope always sends,
 * or announce a function call only as an output item. The client keeps whatever it can use and
 * says so once per connection and kind through `client_error` (a {@link ProtocolError} with code
 * `loose_event`), instead of dropping data silently or refusing the event.
 *
 * - Documented fields the SDK never reads (`LOOSE_FIELDS` in `protocol/eventShapes.ts`) may be
 *   missing: the event is delivered as received.
 * - `session.created` / `session.updated` without a `session` object (or without its `id`) get
 *   the session the client knows: the previous one, or for `session.created` one with `id: ''`
 *   and the URL's model, so that `event.session` is always an object (§4.2, §4.3).
 * - A function call that appears in `response.done.output` with no
 *   `response.function_call_arguments.done` before it (§4.18, §4.21) is reported here; the
 *   session runs it from the output items.
 */
import { ProtocolError } from '../errors.js';
import type { AnyServerEvent, ServerEventType } from '../protocol/serverEvents.js';
import type { Session } from '../protocol/session.js';

/** `call_id`s of announced function calls kept per connection (the newest; a response has a few). */
const MAX_ANNOUNCED_CALLS = 64;

/** Per-connection record of a peer's looseness; see the module comment. */
export class PeerLeniency {
  readonly #report: (error: ProtocolError) => void;
  /** Kinds already reported on this connection. */
  readonly #reported = new Set<string>();
  /** `call_id`s of `response.function_call_arguments.done` on this connection, oldest first. */
  readonly #announced = new Set<string>();

  /** `report` receives each kind of looseness once per connection. */
  constructor(report: (error: ProtocolError) => void) {
    this.#report = report;
  }

  /** A new connection: each kind is reported once again. */
  reset(): void {
    this.#reported.clear();
    this.#announced.clear();
  }

  /** An event of `type` was kept without the documented fields `missing`; `preview` makes the frame's preview. */
  missingFields(type: ServerEventType, missing: readonly string[], preview: () => string): void {
    const key = `${type} without ${missing.join(', ')}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    const them = missing.length === 1 ? 'it' : 'them';
    this.#report(new ProtocolError(`The server sent ${key}, which DashScope always sends (protocol.md §4); the client does not need ${them} and kept the event. The server is looser than the service; this is reported once per connection.`, 'loose_event', preview()));
  }

  /**
   * Called for every event before the client's own bookkeeping: fills a missing session and
   * notes function calls (see the module comment). Mutates `event` only where the peer left out
   * what the client needs.
   */
  admit(event: AnyServerEvent, known: Session | undefined, model: string): void {
    switch (event.type) {
      case 'session.created':
      case 'session.updated': {
        const loose = event as { session?: Session };
        if (loose.session === undefined) loose.session = known ?? { id: '', object: 'realtime.session', model };
        else if (loose.session.id === undefined) loose.session.id = known?.id ?? '';
        return;
      }
      case 'response.function_call_arguments.done':
        this.#announced.delete(event.call_id);
        this.#announced.add(event.call_id);
        if (this.#announced.size > MAX_ANNOUNCED_CALLS) this.#announced.delete(this.#announced.values().next().value!);
        return;
      case 'response.done': {
        const output: unknown = event.response.output;
        if (event.response.status !== 'completed' || !Array.isArray(output)) return;
        for (const item of output as Array<{ type?: unknown; call_id?: unknown; name?: unknown }>) {
          if (item?.type !== 'function_call' || typeof item.call_id !== 'string' || this.#announced.has(item.call_id)) continue;
          const key = 'function call without arguments events';
          if (this.#reported.has(key)) return;
          this.#reported.add(key);
          this.#report(
            new ProtocolError(
              `The server sent the function call ${String(item.name).slice(0, 64)} (call_id ${item.call_id.slice(0, 64)}) only as an output item, without response.function_call_arguments.done, which DashScope always sends (protocol.md §4.18). A RealtimeSession runs it from response.done; with the bare client read it from response.done.output. Reported once per connection.`,
              'loose_event',
            ),
          );
          return;
        }
        return;
      }
      default:
        return;
    }
  }
}
