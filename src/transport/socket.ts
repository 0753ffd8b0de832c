/**
 * The transport interface: the only thing the client knows of a WebSocket. Node uses `ws`
 * (`nodeSocket.ts`); Deno, Bun and browsers use the runtime's WebSocket (`nativeSocket.ts`).
 */

/** What a transport reports while a socket is open. */
export interface SocketHandlers {
  /** A text frame (events are JSON text frames, protocol.md §1.4). */
  onText(data: string): void;
  /** A binary frame (never expected from DashScope). */
  onBinary(byteLength: number): void;
  /** The socket closed; `code` 1006 when it died without a close frame. */
  onClose(code: number, reason: string): void;
}

/** How to open a socket. */
export interface OpenSocketOptions {
  /** Full `wss://…?model=…` URL. */
  url: string;
  /** Handshake headers (Node, Deno and Bun send them; browsers cannot). */
  headers: Record<string, string>;
  /** Give up on the handshake after this long. */
  timeoutMs: number;
  /** Largest frame accepted from the server, in bytes. */
  maxPayload: number;
  /** Strings to remove from any error text (the API key). */
  secrets: readonly string[];
  /** Aborts the handshake (the client was closed during connect); the factory rejects and leaves nothing open. */
  signal?: AbortSignal;
}

/** An open socket. */
export interface Socket {
  /** Send a text frame. */
  send(data: string): void;
  /** Start a close handshake. */
  close(code?: number, reason?: string): void;
  /** Drop the connection at once, without a close handshake. */
  terminate(): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** True while the socket can send. */
  readonly isOpen: boolean;
  /** Stop reading frames (backpressure), where the runtime allows it. */
  pause?(): void;
  /** Resume reading frames. */
  resume?(): void;
  /** Send a WebSocket ping; `onPong` is called on the answer. Node only. */
  ping?(onPong: () => void): void;
}

/** Opens a socket; resolves once the handshake succeeded, rejects with a typed error. */
export type SocketFactory = (options: OpenSocketOptions, handlers: SocketHandlers) => Promise<Socket>;
