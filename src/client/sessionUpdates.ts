/**
 * Request matching for `session.update` (§3.1, §4.3): each request resolves with its own
 * `session.updated` (they come back in order) or rejects with the `error` that names its
 * `event_id`. Shared by the WebSocket client and the WebRTC transport.
 */
import { ConnectionError, ServerError, TimeoutError, ValidationError } from '../errors.js';
import { newEventId } from '../protocol/ids.js';
import type { ModelInfo } from '../protocol/models.js';
import type { AnyServerEvent } from '../protocol/serverEvents.js';
import type { Session, SessionConfig } from '../protocol/session.js';
import { describeIssue, validateSessionConfig } from '../protocol/validateSession.js';
import { checkJsonValue } from './encodeInput.js';

interface PendingUpdate {
  eventId: string;
  resolve(session: Session): void;
  reject(error: Error): void;
}

/**
 * Throws a {@link ValidationError} (nothing sent) when `config` is not an object, or does not fit
 * the model while `validate` is on (voices that fail silently, §0.2.2, unless `allowBrokenVoices`).
 */
export function checkSessionConfig(config: SessionConfig, modelInfo: ModelInfo | undefined, validate: boolean, allowBrokenVoices = false): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ValidationError('updateSession: pass a session configuration object.', 'session');
  }
  checkJsonValue(config, 'session');
  if (!validate || !modelInfo) return;
  const [issue] = validateSessionConfig(modelInfo, config, { refuseSilentFailureVoices: !allowBrokenVoices });
  if (issue) throw new ValidationError(describeIssue(issue, modelInfo), issue.param, issue.allowed, issue.kind === 'unsupported' ? 'unsupported_feature' : 'invalid_value');
}

/** The `session.update` requests waiting for their answer. */
export class SessionUpdates {
  #pending: PendingUpdate[] = [];

  /** Sends `session.update` with `send` and resolves with its `session.updated`, within `timeoutMs`. */
  request(config: SessionConfig, timeoutMs: number, send: (event: { type: 'session.update'; event_id: string; session: SessionConfig }) => void): Promise<Session> {
    const eventId = newEventId();
    return new Promise<Session>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = this.#pending.filter((p) => p !== pending);
        reject(new TimeoutError('updateSession (waiting for session.updated)', timeoutMs));
      }, timeoutMs);
      const pending: PendingUpdate = {
        eventId,
        resolve: (session) => {
          clearTimeout(timer);
          resolve(session);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#pending.push(pending);
      try {
        send({ type: 'session.update', event_id: eventId, session: config });
      } catch (error) {
        this.#pending = this.#pending.filter((p) => p !== pending);
        pending.reject(error as Error);
      }
    });
  }

  /** Settles the request an event answers: `session.updated` the oldest, an `error` the one it names. */
  settle(event: AnyServerEvent): void {
    if (event.type === 'session.updated') {
      this.#pending.shift()?.resolve(event.session);
      return;
    }
    if (event.type !== 'error' || this.#pending.length === 0) return;
    // ServerError keeps only the fields that are strings (optional fields are not shape-checked).
    const error = new ServerError(event.error, event.event_id);
    const index = error.eventId ? this.#pending.findIndex((p) => p.eventId === error.eventId) : -1;
    // An error without event_id that names a session field belongs to the oldest update.
    const fallback = index < 0 && !error.eventId && (error.param ?? '').startsWith('session') ? 0 : index;
    const pending = fallback >= 0 ? this.#pending.splice(fallback, 1)[0] : undefined;
    pending?.reject(error);
  }

  /** Rejects every waiting request: the connection closed (with `error` when it dropped). */
  closed(code: number, reason: string, error: ConnectionError | undefined): void {
    for (const pending of this.#pending.splice(0)) {
      pending.reject(error ?? new ConnectionError('The connection closed before session.updated arrived.', 'connection_closed', { closeCode: code, closeReason: reason }));
    }
  }
}
