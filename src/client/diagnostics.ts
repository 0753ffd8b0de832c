/**
 * Where the client reports: warnings to the logger, and with `debug` every frame in both
 * directions, base64 shortened and the key removed. A logger that throws is ignored: it runs
 * inside frame handling, which it must not break.
 */
import { previewFrame, type Redactor } from '../internal/redact.js';
import { hideMcpSecrets } from '../protocol/mcpSecrets.js';
import type { Logger } from './options.js';

/** Longest frame preview in a debug line. */
const DEBUG_PREVIEW_CHARS = 2000;

/** Warnings and debug lines of one client. */
export class Diagnostics {
  readonly #logger: Logger;
  readonly #debug: boolean;

  constructor(logger: Logger, debug: boolean) {
    this.#logger = logger;
    this.#debug = debug;
  }

  /** A warning, prefixed with the SDK's name. */
  warn(message: string): void {
    try {
      this.#logger.warn(`dashscope-realtime: ${message}`);
    } catch {
      // nowhere left to report it
    }
  }

  /**
   * A frame received (`←`) or sent (`→`), at debug level only when `debug` is on. A sent
   * `session.update` with MCP tools shows their URL, authorization and headers as `***`.
   */
  frame(direction: '←' | '→', text: string, secrets: Redactor): void {
    if (!this.#debug) return;
    try {
      const shown = direction === '→' && text.includes('"type":"mcp"') ? maskMcp(text) : text;
      this.#logger.debug?.(`${direction} ${previewFrame(shown, secrets, DEBUG_PREVIEW_CHARS)}`);
    } catch {
      // as warn
    }
  }
}

/** A sent frame's text with its MCP credentials masked (§3.1.6); unchanged unless it is a `session.update`. */
function maskMcp(text: string): string {
  const event = JSON.parse(text) as { type?: unknown; session?: unknown };
  return event.type === 'session.update' ? JSON.stringify({ ...event, session: hideMcpSecrets(event.session, true) }) : text;
}
