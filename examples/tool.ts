/**
 * A tool that runs itself: the session declares it, runs it when the model calls it, sends the
 * result and asks for the spoken answer.
 *
 *   npx tsx examples/tool.ts "What's the weather in Hangzhou?"
 */
import { RealtimeSession, tool } from 'dashscope-realtime';

const getWeather = tool({
  name: 'get_current_weather',
  description: 'Current weather of a city.',
  parameters: { type: 'object', properties: { location: { type: 'string', description: 'City name' } }, required: ['location'] },
  timeoutMs: 5_000,
  execute: async ({ location }: { location: string }) => ({ location, weather: 'sunny', temperature_c: 21 }),
});

const session = new RealtimeSession({ model: 'qwen3.5-omni-plus-realtime', session: { turn_detection: null }, tools: [getWeather] });
session.on('tool_result', (r) => console.log(`[tool ${r.name}: ${r.status}] ${r.output}`));
await session.connect();

const result = await session.ask(process.argv[2] ?? 'Please call get_current_weather for Hangzhou.').done;
console.log(result.transcript);
await session.close();
