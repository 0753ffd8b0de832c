/**
 * How a session ends its connection when the application closes it (§3.9, §0.1.1, issue 19):
 * `session.finish`, then `session.finished` (the service first finishes pending work, streaming
 * as it goes), then the close. Two bounds keep `close()` short where no answer is coming:
 *
 * - A model whose catalog entry says it does not answer `session.finish` with `session.finished`
 *   (`ModelInfo.sessionFinish`, e.g. `error` on qwen3.5-omni-flash): the socket is closed at once,
 *   without sending `session.finish` (its only answer would be an `error` event reaching the
 *   application's `error` listeners while it closes).
 * - A server that ignores `session.finish` (a looser peer): the socket is closed after
 *   {@link FINISH_QUIET_MS} without any event. Every event restarts that wait, so a service still
 *   finishing a reply gets up to {@link FINISH_CAP_MS}, as before.
 */
import type { ModelInfo } from '../protocol/models.js';

/** What ending needs of a connection: `RealtimeClient` has it (and any transport like it). */
export interface FinishableConnection {
  readonly modelInfo: ModelInfo | undefined;
  readonly isConnected: boolean;
  on(type: '*', listener: (event: unknown) => void): () => void;
  finish(options: { timeoutMs: number }): Promise<unknown>;
  close(): Promise<void>;
}

/** Longest wait for `session.finished` while the server keeps sending (it finishes pending work first, §3.9). */
export const FINISH_CAP_MS = 5000;
/**
 * Silence after which an unanswered `session.finish` counts as ignored. The service answers an
 * idle session at once (one round trip) and streams while it finishes a reply, so 1.5 s without a
 * single event means no answer is coming.
 */
export const FINISH_QUIET_MS = 1500;

/** Ends `client`'s connection as described above; never rejects. */
export async function finishConnection(client: FinishableConnection): Promise<void> {
  const answers = client.modelInfo?.sessionFinish ?? 'session.finished';
  if (answers !== 'session.finished' || !client.isConnected) {
    await client.close();
    return;
  }
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const restart = () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => void client.close(), FINISH_QUIET_MS);
  };
  const off = client.on('*', restart);
  restart();
  try {
    await client.finish({ timeoutMs: FINISH_CAP_MS });
  } catch {
    await client.close();
  } finally {
    off();
    clearTimeout(quiet);
  }
}
