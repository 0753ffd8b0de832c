/**
 * What a browser may send through the relay: the client event types (§3) and the `session`
 * fields of `session.update` (§3.1) the operator allows, with the relay's own `session` fields
 * merged over the browser's. Frames are parsed only when a filter or relay session is set;
 * otherwise they pass untouched.
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
    const e = event as { type: string; event_id?: unknown; session?: unknown };
    const eventId = typeof e.event_id === 'string' ? e.event_id : undefined;
    if (this.eventTypes && !this.eventTypes.has(e.type)) {
      return {
        ok: false,
        error: relayErrorEvent('event_not_allowed', `The relay does not allow '${e.type.slice(0, 64)}' events from the browser. Allowed: ${shownList(this.eventTypes)}.`, 'type', eventId ?? ''),
      };
    }
    if (e.type !== 'session.update') return { ok: true, text, type: e.type, eventId };
    if (e.session !== undefined && (e.session === null || typeof e.session !== 'object' || Array.isArray(e.session))) {
      return { ok: false, error: relayErrorEvent('invalid_event', 'session.update needs a "session" object (protocol.md §3.1).', 'session', eventId ?? '') };
    }
    const session = (e.session ?? {}) as Record<string, unknown>;
    if (this.sessionFields) {
      const refused = Object.keys(session).filter((key) => !this.sessionFields!.has(key));
      if (refused.length > 0) {
        const first = refused[0]!.slice(0, 64);
        return {
          ok: false,
          error: relayErrorEvent(
            'session_field_not_allowed',
            `The relay does not allow the browser to set session.${first}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}. Allowed fields: ${shownList(this.sessionFields) || 'none'}.`,
            `session.${first}`,
            eventId ?? '',
          ),
        };
      }
    }
    if (!this.enforced) return { ok: true, text, type: e.type, eventId };
    // The operator's fields win, and are re-sent with every update so that they survive either
    // merge or replace semantics of session.update (§3.1, §9.3).
    return { ok: true, text: JSON.stringify({ ...e, session: { ...session, ...this.enforced } }), type: e.type, eventId };
  }
}
