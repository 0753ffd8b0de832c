/**
 * The seam under the session (issue 15.8): `RealtimeSession` uses its connection only through
 * `RealtimeTransport`. Here the transport is a small in-process fake (no socket, no
 * `RealtimeClient`): the session configures it, runs a turn on it, and on a dropped connection
 * builds a new one from the factory and replays its configuration there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionError, RealtimeSession, type AnyServerEvent, type CloseInfo, type OutgoingEvent, type RealtimeTransport, type RealtimeTransportEvents, type Session, type SessionConfig, type TransportState } from '../../src/index.js';
import { getModelInfo } from '../../src/protocol/models.js';

/** A transport that answers in-process: `session.update` with `session.updated`, `response.create` with a short reply. */
class FakeTransport implements RealtimeTransport {
  readonly model = 'qwen3.5-omni-plus-realtime';
  readonly modelInfo = getModelInfo(this.model);
  readonly inputSampleRate = 16_000;
  readonly outputSampleRate = 24_000;
  readonly audioInput = 'events' as const;
  readonly sent: OutgoingEvent[] = [];
  state: TransportState = 'idle';
  session: Session | undefined;
  readonly #listeners = new Map<string, Array<(event: never) => void>>();
  #n = 0;

  get isConnected(): boolean {
    return this.state === 'open';
  }

  on<K extends keyof RealtimeTransportEvents>(type: K, listener: (event: RealtimeTransportEvents[K]) => void): () => void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener as (event: never) => void);
    this.#listeners.set(type, list);
    return () => this.#listeners.set(type, (this.#listeners.get(type) ?? []).filter((l) => l !== listener));
  }

  #emit(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never);
  }

  #server(event: Record<string, unknown> & { type: string }): void {
    const full = { event_id: `event_f${++this.#n}`, ...event } as AnyServerEvent;
    queueMicrotask(() => {
      if (this.state !== 'open' && event.type !== 'session.created') return;
      if (event.type === 'session.created' || event.type === 'session.updated') this.session = (full as { session: Session }).session;
      this.#emit(event.type, full);
      this.#emit('*', full);
    });
  }

  async connect(): Promise<Session> {
    this.state = 'open';
    const session = { id: `sess_${this.#n}`, object: 'realtime.session', model: this.model, modalities: ['text'], turn_detection: null } as unknown as Session;
    this.session = session;
    return session;
  }

  send(event: OutgoingEvent): string {
    if (this.state !== 'open') throw new ConnectionError('fake: not open', 'not_connected');
    this.sent.push(event);
    if (event.type === 'conversation.item.create') this.#server({ type: 'conversation.item.created', previous_item_id: null, item: { id: `item_u${this.#n}`, type: 'message', role: 'user', status: 'completed', content: [] } });
    if (event.type === 'response.create') {
      const r = `resp_${this.#n}`;
      const part = { response_id: r, item_id: `item_a${r}`, output_index: 0, content_index: 0 };
      this.#server({ type: 'response.created', response: { id: r, object: 'realtime.response', status: 'in_progress', output: [] } });
      this.#server({ type: 'response.output_item.added', response_id: r, output_index: 0, item: { id: part.item_id, type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
      this.#server({ type: 'response.text.delta', ...part, delta: 'Hi from the fake.' });
      this.#server({ type: 'response.done', response: { id: r, object: 'realtime.response', status: 'completed', output: [] } });
    }
    return `event_c${this.sent.length}`;
  }

  async updateSession(config: SessionConfig): Promise<Session> {
    this.send({ type: 'session.update', session: config });
    this.session = { ...this.session!, ...config } as Session;
    return this.session;
  }

  appendAudio(): Promise<string> {
    return Promise.reject(new Error('fake: no audio'));
  }

  appendImage(): Promise<string> {
    return Promise.reject(new Error('fake: no images'));
  }

  commitAudio(): string {
    return this.send({ type: 'input_audio_buffer.commit' });
  }

  createResponse(): string {
    return this.send({ type: 'response.create' });
  }

  cancelResponse(): string {
    return this.send({ type: 'response.cancel' });
  }

  async finish(): Promise<{ finished: boolean; reason: 'closed' }> {
    await this.close();
    return { finished: true, reason: 'closed' };
  }

  async close(): Promise<void> {
    this.#end({ code: 1000, reason: '' });
  }

  terminate(): void {
    this.#end({ code: 1006, reason: '', error: new ConnectionError('fake: dropped', 'connection_closed', { closeCode: 1006 }) });
  }

  #end(info: CloseInfo): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.#emit('close', info);
  }
}

test('a session runs on any RealtimeTransport: configuration, a turn, and a reconnect through the factory', async () => {
  const built: FakeTransport[] = [];
  const session = new RealtimeSession({
    transport: () => {
      const transport = new FakeTransport();
      built.push(transport);
      return transport;
    },
    session: { instructions: 'Be brief.', turn_detection: null, modalities: ['text'] },
    reconnect: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  assert.equal(built.length, 1, 'the factory builds the first transport; no RealtimeClient is made');
  await session.connect();
  assert.equal(session.client, built[0]);
  assert.deepEqual(built[0]!.sent[0], { type: 'session.update', session: { instructions: 'Be brief.', turn_detection: null, modalities: ['text'] } });

  const result = await session.ask('Hello').done;
  assert.equal(result.status, 'completed');
  assert.equal(result.text, 'Hi from the fake.');
  assert.deepEqual(built[0]!.sent.map((e) => e.type), ['session.update', 'conversation.item.create', 'response.create']);

  const reconnected = new Promise((resolve) => session.on('reconnected', resolve));
  built[0]!.terminate(); // the transport reports a drop: a close with a ConnectionError
  await reconnected;
  assert.equal(built.length, 2, 'a new transport from the factory');
  assert.equal(session.client, built[1]);
  assert.equal(built[1]!.sent[0]?.type, 'session.update', 'the configuration is replayed on the new transport');
  assert.equal((built[1]!.sent[0] as { session: SessionConfig }).session.instructions, 'Be brief.');
  await session.close();
  assert.equal(built[1]!.state, 'closed');
});
