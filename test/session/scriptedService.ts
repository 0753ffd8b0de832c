/**
 * A scripted DashScope service for the live behaviours of protocol.md §0.2 the simulator cannot
 * (yet) produce: a `ws` server on 127.0.0.1 (test/client/mockServer.ts) that answers
 * `session.update` and lets each test send the exact event sequence it needs.
 */
import { startMockServer, type MockServer } from '../client/mockServer.js';
import { closeAfter } from './helpers.js';

let n = 0;

/** A server event with a fresh `event_id`. */
export function ev(type: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_id: `event_s${++n}`, type, ...fields };
}

const AUDIO = Buffer.alloc(4800).toString('base64'); // 100 ms of silence at 24 kHz

/** The events of one assistant reply; without `done`, no `response.done` (§0.2.8). */
export function reply(responseId: string, itemId: string, text: string, { done = true, created = true } = {}): Array<Record<string, unknown>> {
  const content = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
  const item = { id: itemId, object: 'realtime.item', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'audio', transcript: text }] };
  return [
    ...(created ? [ev('response.created', { response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } })] : []),
    ev('response.output_item.added', { response_id: responseId, output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
    ev('response.audio_transcript.delta', { ...content, delta: text }),
    ev('response.audio.delta', { ...content, delta: AUDIO }),
    ev('response.audio_transcript.done', { ...content, transcript: text }),
    ev('response.audio.done', content),
    ev('response.output_item.done', { response_id: responseId, output_index: 0, item }),
    ...(done ? [responseDone(responseId, [item])] : []),
  ];
}

/** `response.done` of `responseId`. */
export function responseDone(responseId: string, output: unknown[] = [], status = 'completed'): Record<string, unknown> {
  return ev('response.done', { response: { id: responseId, object: 'realtime.response', status, output, usage: { total_tokens: 2, input_tokens: 1, output_tokens: 1 } } });
}

/** The events of a function call response. */
export function functionCall(responseId: string, itemId: string, callId: string, name: string, args: string): Array<Record<string, unknown>> {
  const item = { id: itemId, object: 'realtime.item', type: 'function_call', status: 'completed', call_id: callId, name, arguments: args };
  return [
    ev('response.created', { response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } }),
    ev('response.output_item.added', { response_id: responseId, output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } }),
    ev('response.function_call_arguments.done', { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, name, arguments: args }),
    ev('response.output_item.done', { response_id: responseId, output_index: 0, item }),
    responseDone(responseId, [item]),
  ];
}

/** A VAD user turn: speech, then (unless `commit: false`) its commit and item, in `order`. */
export function userSpeech(itemId: string, { earlyItem = false } = {}): { started: Array<Record<string, unknown>>; ended: Array<Record<string, unknown>> } {
  const created = ev('conversation.item.created', { item: { id: itemId, object: 'realtime.item', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] } });
  return {
    started: [ev('input_audio_buffer.speech_started', { audio_start_ms: 0, item_id: itemId }), ...(earlyItem ? [created] : [])],
    ended: [ev('input_audio_buffer.speech_stopped', { audio_end_ms: 900, item_id: itemId }), ev('input_audio_buffer.committed', { item_id: itemId }), ...(earlyItem ? [] : [created])],
  };
}

/** A scripted service; `onFrame` sees every client frame after `session.update` was answered. */
export async function scriptedService(onFrame: (frame: Record<string, unknown>, server: MockServer) => void = () => {}): Promise<MockServer> {
  const server = await startMockServer({
    onFrame: (frame, s) => {
      if (frame.type === 'session.update') {
        const created = { id: 'sess_TestSession000000000', object: 'realtime.session', model: 'qwen3.5-omni-plus-realtime', ...(frame.session as object) };
        s.send(ev('session.updated', { session: created }));
      }
      if (frame.type === 'session.finish') {
        s.send(ev('session.finished'));
        s.socket().close(1000);
      }
      onFrame(frame, s);
    },
  });
  closeAfter(() => server.close());
  return server;
}

/** Sends `events` in order. */
export function sendAll(server: MockServer, events: Array<Record<string, unknown>>): void {
  for (const e of events) server.send(e);
}
