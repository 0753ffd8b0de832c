/**
 * Text in, text out with the protocol client.
 *
 *   DASHSCOPE_API_KEY=sk-… npx tsx examples/text-chat.ts "What is the capital of France?"
 *   # or offline: npx dashscope-realtime simulate --port 8765, then
 *   DASHSCOPE_REALTIME_URL=ws://127.0.0.1:8765/api-ws/v1/realtime DASHSCOPE_API_KEY=test npx tsx examples/text-chat.ts
 */
import { RealtimeClient } from 'dashscope-realtime';

const question = process.argv[2] ?? 'Hello! Who are you?';
const client = new RealtimeClient({ model: 'qwen3.5-omni-plus-realtime' });
await client.connect();
await client.updateSession({ modalities: ['text'], turn_detection: null, instructions: 'Answer in one sentence.' });

client.on('response.text.delta', (event) => process.stdout.write(event.delta));
client.sendText(question);
client.createResponse();

const done = await client.waitFor('response.done', { timeoutMs: 60_000 });
process.stdout.write(`\n[${done.response.status}, ${done.response.usage?.total_tokens ?? 0} tokens]\n`);
await client.finish();
