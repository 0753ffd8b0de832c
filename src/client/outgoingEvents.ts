/**
 * Client events built and checked before they are sent: the exact JSON of protocol.md §3, with
 * `event_id` first as both official SDKs put it (official-sdk-traces). Pure functions, shared by
 * every transport.
 */
import { ValidationError } from '../errors.js';
import type { ClientEvent, ConversationItemCreateEvent, ResponseCreateEvent } from '../protocol/clientEvents.js';
import { newClientItemId, newEventId } from '../protocol/ids.js';
import type { ModelInfo } from '../protocol/models.js';
import { validateSessionConfig } from '../protocol/validateSession.js';
import type { CreateResponseOptions, OutgoingEvent } from '../transport/realtimeTransport.js';

/** `event` as a JSON frame and its event id (added when it has none); a {@link ValidationError} for what cannot be sent. */
export function serializeEvent(event: OutgoingEvent): { eventId: string; json: string } {
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || event.type === '') {
    throw new ValidationError('send: pass an event object with a string "type".', 'send(event)');
  }
  const { event_id: given, ...rest } = event;
  const eventId = typeof given === 'string' && given !== '' ? given : newEventId();
  try {
    return { eventId, json: JSON.stringify({ event_id: eventId, ...rest }) };
  } catch (error) {
    throw new ValidationError(`send(${event.type}): the event cannot be serialised to JSON (${error instanceof Error ? error.message : String(error)}).`, 'send(event)');
  }
}

/** `response.create` with `options` as its `response` object (§3.6), checked against the model. */
export function responseCreateEvent(options: CreateResponseOptions | undefined, modelInfo: ModelInfo | undefined): ResponseCreateEvent {
  const event: ResponseCreateEvent = { type: 'response.create' };
  if (options === undefined) return event;
  if (typeof options !== 'object' || options === null) throw new ValidationError('createResponse: options must be an object.', 'createResponse(options)');
  const response: NonNullable<ResponseCreateEvent['response']> = {};
  if (options.instructions !== undefined) {
    if (options.instructions !== null && typeof options.instructions !== 'string') throw new ValidationError('createResponse: instructions must be a string or null.', 'response.instructions');
    response.instructions = options.instructions;
  }
  if (options.modalities !== undefined) {
    const issue = validateSessionConfig(modelInfo ?? ({} as ModelInfo), { modalities: options.modalities }).find((i) => i.param === 'session.modalities');
    if (issue) throw new ValidationError(issue.message, 'response.modalities', issue.allowed);
    response.modalities = options.modalities;
  }
  event.response = response;
  return event;
}

/** A tool's result (§3.8): a `function_call_output` item for `callId`; an object output becomes its JSON. */
export function functionCallOutputEvent(callId: string, output: string | Record<string, unknown> | unknown[]): ConversationItemCreateEvent {
  if (typeof callId !== 'string' || callId === '') {
    throw new ValidationError('sendFunctionCallOutput: callId must be the call_id of response.function_call_arguments.done.', 'item.call_id');
  }
  let text: string;
  if (typeof output === 'string') text = output;
  else {
    try {
      text = JSON.stringify(output);
    } catch {
      text = '';
    }
    if (typeof text !== 'string' || text === '') throw new ValidationError('sendFunctionCallOutput: output must be a string or a JSON-serialisable value.', 'item.output');
  }
  return { type: 'conversation.item.create', item: { id: newClientItemId(), type: 'function_call_output', call_id: callId, output: text } };
}

/** A user text message (`conversation.item.create` with `input_text`, §5.6). */
export function userTextEvent(text: string, model: string, modelInfo: ModelInfo | undefined, validate: boolean): ClientEvent {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ValidationError('sendText: pass a non-empty string.', 'item.content[0].text');
  }
  if (validate && modelInfo && !modelInfo.textInput) {
    throw new ValidationError(`sendText: ${model} does not take text input; send audio instead.`, 'item.content', undefined, 'unsupported_feature');
  }
  return { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } };
}
