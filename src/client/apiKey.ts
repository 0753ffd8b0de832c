/**
 * The API key of one connect: `apiKey` as given, or its function called within the connect
 * deadline. Only typed errors come out, and a long-lived `sk-` key is refused in a browser, where
 * any visitor could read it (protocol.md §1.3: browsers go through the relay).
 */
import { RealtimeError, TimeoutError, ValidationError } from '../errors.js';
import { untilAborted } from '../internal/untilAborted.js';
import { detectRuntime } from '../transport/runtime.js';
import type { ResolvedOptions } from './options.js';

/** The key to send, or undefined for a keyless endpoint (a relay, the simulator). */
export async function resolveApiKey(opts: ResolvedOptions, signal: AbortSignal): Promise<string | undefined> {
  const apiKey = await callKeyFunction(opts, signal);
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.trim() === '')) {
    throw new ValidationError('The apiKey function returned no key; return a non-empty string.', 'apiKey');
  }
  if (apiKey !== undefined && detectRuntime().name === 'browser' && apiKey.startsWith('sk-') && !opts.dangerouslyAllowBrowser) {
    throw new ValidationError(
      'Refusing to use a long-lived sk- API key in a browser, where any visitor can read it. Run the relay (dashscope-realtime relay) on your server and connect the browser to its URL without a key; pass dangerouslyAllowBrowser: true only for local experiments.',
      'apiKey',
    );
  }
  return apiKey;
}

async function callKeyFunction(opts: ResolvedOptions, signal: AbortSignal): Promise<string | undefined> {
  const getApiKey = opts.getApiKey;
  if (!getApiKey) return undefined;
  const timeoutMs = opts.timeouts.connectMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError('connect (waiting for the apiKey function)', timeoutMs)), timeoutMs);
  });
  try {
    return await untilAborted(Promise.race([getApiKey(), deadline]), signal, 'connect');
  } catch (error) {
    if (error instanceof RealtimeError) throw error;
    // The function's own message is kept (it names the failing vault or file); nothing was sent.
    throw new RealtimeError(`The apiKey function failed: ${error instanceof Error ? error.message : String(error)}. Nothing was sent; fix the function or pass the key as a string.`, 'api_key_unavailable', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
