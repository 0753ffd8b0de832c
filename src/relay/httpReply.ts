/**
 * HTTP answers of the relay: JSON refusals in DashScope's handshake shape (`code`, `message`,
 * `request_id`, §1.3, §0.1.3), on a raw upgrade socket or a normal response, and the CORS headers
 * a page on another (allowed) origin needs for the signalling POST.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Refusal } from './admission.js';

/** The JSON body of a refusal. */
export function refusalBody(refusal: Refusal): string {
  return JSON.stringify({ code: refusal.code, message: refusal.message, request_id: randomUUID() });
}

/** Refuses a WebSocket upgrade with an HTTP status and a JSON body, then closes the socket. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = refusalBody(refusal);
  const reason = STATUS_CODES[refusal.status] ?? 'Error';
  socket.end(`HTTP/1.1 ${refusal.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Sends a JSON refusal on a normal HTTP response. */
export function sendRefusal(res: ServerResponse, refusal: Refusal, extraHeaders: Record<string, string> = {}): void {
  const body = refusalBody(refusal);
  res.writeHead(refusal.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extraHeaders }).end(body);
}

/** CORS headers for an allowed cross-origin request (none when there is no Origin). */
export function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === '') return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}
