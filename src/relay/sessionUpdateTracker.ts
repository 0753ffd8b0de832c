/**
 * The relay's own `session.update` (its `session` option): sent upstream when `session.created`
 * arrives, before the browser sees `session.created` and so before the browser can send its own
 * update. The service answers updates in order (§0.1.6) with `session.updated`, or with an
 * `error` naming the update's `event_id` (§0.1.2), so a queue of who sent each update tells which
 * answer is the relay's: that `session.updated` is kept from the browser (whose SDK would take it
 * as the answer to its own update), and a refusal closes the connection.
 */
import { newEventId } from '../protocol/ids.js';
import type { SessionConfig } from '../protocol/session.js';

/** What to do with one upstream text frame. */
export interface TrackerVerdict {
  /** Send this upstream before forwarding the frame. */
  sendFirst?: string;
  /** Do not forward the frame to the browser. */
  swallow: boolean;
  /** The service refused the relay's settings with this message. */
  refused?: string;
}

const PASS: TrackerVerdict = { swallow: false };
const B_SESSION = Buffer.from('"session.');
const B_ERROR = Buffer.from('"error"');

/** Tracks the session updates in flight on one connection. */
export class SessionUpdateTracker {
  private readonly inFlight: Array<{ from: 'relay' | 'browser'; eventId: string | undefined }> = [];
  private sent = false;

  /** The relay's own `session.update` has gone upstream: the browser's frames may follow it. */
  get sentOwnUpdate(): boolean {
    return this.sent;
  }

  constructor(private readonly session: SessionConfig) {}

  /** The browser sent a `session.update` (already on its way upstream, in order). */
  browserUpdate(eventId: string | undefined): void {
    this.inFlight.push({ from: 'browser', eventId });
  }

  /** Looks at an upstream text frame. */
  fromUpstream(data: Buffer): TrackerVerdict {
    // Audio deltas are most frames: look for the three types before parsing anything.
    if (!data.includes(B_SESSION) && !data.includes(B_ERROR)) return PASS;
    let event: { type?: unknown; error?: { event_id?: unknown; param?: unknown; message?: unknown } };
    try {
      event = JSON.parse(data.toString('utf8')) as typeof event;
    } catch {
      return PASS;
    }
    if (event.type === 'session.created' && !this.sent) {
      this.sent = true;
      const eventId = newEventId();
      // First in line: the browser's updates seen so far are still held, and go upstream after it.
      this.inFlight.unshift({ from: 'relay', eventId });
      return { swallow: false, sendFirst: JSON.stringify({ event_id: eventId, type: 'session.update', session: this.session }) };
    }
    if (event.type === 'session.updated') {
      return { swallow: this.inFlight.shift()?.from === 'relay' };
    }
    if (event.type === 'error') {
      const id = typeof event.error?.event_id === 'string' ? event.error.event_id : '';
      const param = typeof event.error?.param === 'string' ? event.error.param : '';
      // As in the client: an error without event_id that names a session field answers the oldest update.
      const index = id ? this.inFlight.findIndex((u) => u.eventId === id) : param.startsWith('session') ? 0 : -1;
      const answered = index >= 0 ? this.inFlight.splice(index, 1)[0] : undefined;
      if (answered?.from === 'relay') {
        const message = typeof event.error?.message === 'string' ? event.error.message : 'error';
        return { swallow: true, refused: message };
      }
    }
    return PASS;
  }
}
