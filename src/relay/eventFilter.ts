/**
 * What a browser may send through the relay: the client event types (§3) and the `session`
 * fields of `session.update` (§3.1) the operator allows, with the relay's own `session` fields
 * merged over the browser's. The same policy covers `response.create`'s `response` object
 * (§3.6), whose `instructions` and `modalities` override the session's for one response. Frames
 * are parsed only when a filter or relay session is set; otherwise they pass untouched. A parsed
 * frame is always forwarded re-serialised: with duplicate keys (`{"instructions":1,
 * "instructions":2}`) the relay checked the last one, and a service keeping the first must not
 * get another value than the one checked.
 */
import type { SessionConfig } from '../protocol/session.js';
import { relayErrorEvent } from './errorEvent.js';

/** The verdict on one browser text frame. */
export type FilterVerdict =
  | { ok: true; text: string; type: string | undefined; eventId: string | undefined }
  | { ok: false; error: string };

const MAX_SHOWN = 10;

function shownList(values: Iterable<string>): string {
  const all = [...values];
  return all.length > MAX_SHOWN ? `${all.slice(0, MAX_SHOWN).join(', ')}, …` : all.join(', ');
}

/** Checks (and where the relay sets session fields, rewrites) browser frames. */
export class ClientEventFilter {
  constructor(
    private readonly eventTypes: ReadonlySet<string> | undefined,
    private readonly sessionFields: ReadonlySet<string> | undefined,
    private readonly enforced: SessionConfig | undefined,
  ) {}

  /** True when frames must be parsed; false means every frame is forwarded as it is. */
  get active(): boolean {
    return this.eventTypes !== undefined || this.sessionFields !== undefined || this.enforced !== undefined;
  }

  /** The verdict on a text frame from the browser. */
  check(text: string): FilterVerdict {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return { ok: false, error: relayErrorEvent('invalid_event', 'The relay accepts JSON client events only (protocol.md §1.4).') };
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event) || typeof (event as { type?: unknown }).type !== 'string') {
      return { ok: false, error: relayErrorEvent('invalid_event', 'A client event must be a JSON object with a string "type".', 'type') };
    }
    const e = event as { type: string; event_id?: unknown; [key: string]: unknown };
    const eventId = typeof e.event_id === 'string' ? e.event_id : undefined;
    if (this.eventTypes && !this.eventTypes.has(e.type)) {
      return {
        ok: false,
        error: relayErrorEvent('event_not_allowed', `The relay does not allow '${e.type.slice(0, 64)}' events from the browser. Allowed: ${shownList(this.eventTypes)}.`, 'type', eventId ?? ''),
      };
    }
    if (e.type === 'response.create') return this.#checkFields(e, 'response', eventId);
    if (e.type !== 'session.update') return { ok: true, text: JSON.stringify(e), type: e.type, eventId };
    return this.#checkFields(e, 'session', eventId);
  }

  /**
   * `session.update`'s `session` or `response.create`'s `response`: only allowed fields, and the
   * relay's own fields over the browser's. Re-sent with every update so that they survive either
   * merge or replace semantics of session.update (§3.1, §9.3).
   */
  #checkFields(e: { type: string; [key: string]: unknown }, field: 'session' | 'response', eventId: string | undefined): FilterVerdict {
    const value = e[field];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      return { ok: false, error: relayErrorEvent('invalid_event', `${e.type} needs a "${field}" object (protocol.md ${field === 'session' ? '§3.1' : '§3.6'}).`, field, eventId ?? '') };
    }
    if (value === undefined && field === 'response') return { ok: true, text: JSON.stringify(e), type: e.type, eventId };
    const fields = (value ?? {}) as Record<string, unknown>;
    if (this.sessionFields) {
      // A null per-response field sets nothing (the Python SDK always sends `instructions: null`).
      const refused = Object.keys(fields).filter((key) => !this.sessionFields!.has(key) && (field === 'session' || fields[key] !== null));
      if (refused.length > 0) {
        const first = refused[0]!.slice(0, 64);
        return {
          ok: false,
          error: relayErrorEvent(
            'session_field_not_allowed',
            `The relay does not allow the browser to set ${field}.${first}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}. Allowed fields: ${shownList(this.sessionFields) || 'none'}.`,
            `${field}.${first}`,
            eventId ?? '',
          ),
        };
      }
    }
    if (!this.enforced) return { ok: true, text: JSON.stringify(e), type: e.type, eventId };
    if (field === 'session') return { ok: true, text: JSON.stringify({ ...e, session: { ...fields, ...this.enforced } }), type: e.type, eventId };
    // A response may not override what the relay enforces: its fields of the same name get the relay's value.
    const locked = Object.fromEntries(Object.keys(fields).filter((key) => key in this.enforced!).map((key) => [key, (this.enforced as Record<string, unknown>)[key]]));
    return { ok: true, text: JSON.stringify({ ...e, response: { ...fields, ...locked } }), type: e.type, eventId };
  }
}
