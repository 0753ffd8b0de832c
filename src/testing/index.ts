/**
 * `dashscope-realtime/testing`: test an application's realtime code without a socket.
 */
export { scriptedTransport, sessionCreated } from './scriptedTransport.js';
export type { ScriptStep, ScriptedServerEvent, ScriptedTransport } from './scriptedTransport.js';
