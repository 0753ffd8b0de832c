/**
 * Testing your own realtime code without a socket: the scripted transport of
 * `dashscope-realtime/testing` expects the events your code sends and answers with server events.
 *
 *   node --import tsx --test examples/testing-your-app.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RealtimeClient } from 'dashscope-realtime';
import { scriptedTransport, sessionCreated } from 'dashscope-realtime/testing';

/** The application code under test: asks a question, returns the text answer. */
async function askForText(client: RealtimeClient, question: string): Promise<string> {
  let answer = '';
  const off = client.on('response.text.delta', (e) => (answer += e.delta));
  client.sendText(question);
  client.createResponse();
  await client.waitFor('response.done', { timeoutMs: 2000 });
  off();
  return answer;
}

test('askForText sends a text item and a response.create, and collects the deltas', async () => {
  const ids = { response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0 };
  const script = scriptedTransport([
    { emit: [sessionCreated()] },
    { expect: { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi?' }] } } },
    {
      expect: { type: 'response.create' },
      respond: [
        { type: 'response.text.delta', ...ids, delta: 'Hel' },
        { type: 'response.text.delta', ...ids, delta: 'lo!' },
        { type: 'response.done', response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [] } },
      ],
    },
  ]);
  const client = new RealtimeClient({ apiKey: 'test', url: 'ws://127.0.0.1:1/api-ws/v1/realtime', socketFactory: script.factory });
  await client.connect();
  assert.equal(await askForText(client, 'Hi?'), 'Hello!');
  await script.done();
});
