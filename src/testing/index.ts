/**
 * `dashscope-realtime/testing`: test an application's realtime code without a socket.
 */
export { SCRIPT_MISMATCH_CLOSE_CODE, scriptedTransport, sessionCreated } from './scriptedTransport.js';
export type { DeepPartial, ExpectedClientEvent, ScriptOptions, ScriptStep, ScriptedServerEvent, ScriptedTransport } from './scriptedTransport.js';
