/**
 * Frame records for logs, the per-frame hook and `simulate --record file.jsonl`: one JSON object
 * per frame with time, connection and direction. Base64 payloads are replaced by
 * `"<base64 len=N>"` exactly as the official traces do (official-sdk-traces/README.md), frames
 * that are not JSON are described, never copied, and the API key never reaches a frame; an MCP
 * tool's URL, authorization and headers in a `session.update` are masked (§3.1.6).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { hideMcpSecrets } from '../protocol/mcpSecrets.js';

/** One frame, redacted. */
export interface FrameRecord {
  /** Milliseconds since the epoch. */
  t: number;
  /** Connection index (0, 1, …). */
  connection: number;
  /** `client` (client → server) or `server` (server → client). */
  direction: 'client' | 'server';
  /** The event, with base64 payloads shortened. */
  event?: Record<string, unknown>;
  /** A frame that was not a JSON object, described (e.g. `<binary len=12>`). */
  frame?: string;
}

const BASE64_FIELDS = new Set(['audio', 'image', 'delta']);
const LONG_BASE64 = /^[A-Za-z0-9+/]{64,}={0,2}$/;
const MAX_DEPTH = 8;

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return LONG_BASE64.test(value) ? `<base64 len=${value.length}>` : value;
  }
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v, depth + 1);
  return out;
}

/**
 * `event` with its base64 payloads (`audio`, `image`, audio `delta`, and any long base64
 * string) replaced by `"<base64 len=N>"`. Text deltas are kept.
 */
export function redactEvent(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const textDelta = typeof event.type === 'string' && !event.type.includes('audio.delta');
  for (const [k, v] of Object.entries(event)) {
    if (BASE64_FIELDS.has(k) && typeof v === 'string' && !(k === 'delta' && textDelta)) out[k] = `<base64 len=${v.length}>`;
    else if (k === 'session' && event.type === 'session.update') out[k] = redactValue(hideMcpSecrets(v, true), 0);
    else out[k] = k === 'delta' ? v : redactValue(v, 0);
  }
  return out;
}

/** A description of a frame that is not a JSON object, without its content. */
export function describeFrame(data: string | Buffer, binary: boolean): string {
  return binary ? `<binary len=${data.length}>` : `<non-JSON text len=${data.length}>`;
}

/** Appends records to a JSONL file. */
export class FileRecorder {
  private readonly stream: WriteStream;
  private failed = false;

  constructor(path: string, onError: (message: string) => void) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (error) => {
      this.failed = true;
      onError(`cannot write the recording: ${error.message}`);
    });
  }

  /** Writes one record; records are dropped while the disk is far behind (memory bound). */
  write(record: FrameRecord): void {
    if (this.failed || this.stream.writableLength > 64 * 1024 * 1024) return;
    this.stream.write(JSON.stringify(record) + '\n');
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}
