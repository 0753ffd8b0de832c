/**
 * Ids in the formats the official clients and the service use (protocol.md §3, §4). Server ids
 * are opaque to clients; these generators only mirror the documented shapes.
 */

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random bytes drawn 4 KiB at a time from the same source (`crypto.getRandomValues`): a call per
 * id costs ~1.9 µs of WebCrypto overhead, a slice of the pool ~0.2 µs (docs/benchmarks.md).
 */
const POOL = new Uint8Array(4096);
let poolUsed = POOL.length;

function randomChars(alphabet: string, length: number): string {
  if (poolUsed + length > POOL.length) {
    globalThis.crypto.getRandomValues(POOL);
    poolUsed = 0;
  }
  const start = poolUsed;
  poolUsed += length;
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[POOL[start + i]! % alphabet.length];
  return out;
}

/** A client event id as both official SDKs make it: `event_` + 32 lowercase hex characters. */
export function newEventId(): string {
  return `event_${randomChars(HEX, 32)}`;
}

/** A client item id as the official samples make it: `item_` + 32 lowercase hex characters. */
export function newClientItemId(): string {
  return `item_${randomChars(HEX, 32)}`;
}

/** A server-style id: `prefix_` + 21 alphanumerics (`event`, `sess`, `item`, `resp`, `conv`). */
export function newServerId(prefix: 'event' | 'sess' | 'item' | 'resp' | 'conv'): string {
  return `${prefix}_${randomChars(ALNUM, 21)}`;
}

/** A function call id: `call_` + 22 lowercase hex characters. */
export function newCallId(): string {
  return `call_${randomChars(HEX, 22)}`;
}
