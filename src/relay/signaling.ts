/**
 * WebRTC signalling through the relay (protocol.md §6.1). The service's SDP endpoint wants
 * `Authorization: Bearer <key>` and sends no CORS headers, so a page cannot call it; the page
 * POSTs its offer here instead (behind the same origin and authentication checks as the
 * WebSocket), and the relay forwards it with the key and returns the answer SDP — or the
 * upstream status with a JSON error, never the key. The upstream is the realtime host's
 * `/api/v1/webrtc/realtime` (relay options), so it follows `region: 'qwencloud'` (§0.2.16) and
 * workspace hosts (§0.2.18).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Redactor } from '../internal/redact.js';
import { parseErrorBody, readResponseBody } from '../transport/handshakeError.js';
import { admit } from './admission.js';
import { corsHeaders, sendRefusal } from './httpReply.js';
import type { ResolvedRelayOptions } from './options.js';

/** Largest offer accepted: real offers are a few KB. */
export const MAX_SDP_BYTES = 64 * 1024;

function readLimited(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function describeUpstream(body: string): { code: string; message: string } {
  const parsed = parseErrorBody(body);
  if (parsed.code !== undefined || parsed.message !== undefined) return { code: parsed.code ?? '', message: parsed.message ?? '' };
  return { code: '', message: /^\s*[{[]/.test(body) ? '' : body.trim().replace(/\s+/g, ' ').slice(0, 200) };
}

/** Handles OPTIONS and POST on the signalling path. */
export async function handleSignaling(options: ResolvedRelayOptions, webrtcUrl: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const cors = corsHeaders(req);
  if (req.method === 'OPTIONS') {
    // A preflight carries no credentials: only the origin can be checked here.
    if (!options.originAllowed(typeof req.headers.origin === 'string' ? req.headers.origin : undefined, req.headers.host)) {
      sendRefusal(res, { status: 403, code: 'Forbidden.Origin', message: 'This origin is not allowed to use this relay.' });
      return;
    }
    res.writeHead(204, cors).end();
    return;
  }
  if (req.method !== 'POST') {
    sendRefusal(res, { status: 405, code: 'MethodNotAllowed', message: 'Use POST with an SDP offer (Content-Type: application/sdp).' }, { Allow: 'POST, OPTIONS' });
    return;
  }
  const admission = await admit(options, req, url);
  if (!admission.ok) {
    options.log('info', `signalling refused with ${admission.refusal.status} ${admission.refusal.code}`);
    sendRefusal(res, admission.refusal, admission.refusal.code === 'Forbidden.Origin' || admission.refusal.code === 'Forbidden.Host' ? {} : cors);
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/sdp') {
    sendRefusal(res, { status: 415, code: 'UnsupportedMediaType', message: 'The offer must be sent with Content-Type: application/sdp (protocol.md §6.1).' }, cors);
    return;
  }
  const offer = await readLimited(req, MAX_SDP_BYTES);
  if (offer === undefined) {
    sendRefusal(res, { status: 413, code: 'PayloadTooLarge', message: `The offer is larger than ${MAX_SDP_BYTES} bytes.` }, cors);
    return;
  }
  if (!/^v=0/m.test(offer) || !/^m=audio /m.test(offer)) {
    sendRefusal(res, { status: 400, code: 'InvalidParameter', message: 'The body is not an SDP offer with an audio section (add a microphone track before createOffer, §6.1).' }, cors);
    return;
  }
  let key: string;
  try {
    key = await options.getApiKey();
  } catch {
    sendRefusal(res, { status: 500, code: 'InternalError', message: 'The relay has no API key configured.' }, cors);
    return;
  }
  const target = new URL(webrtcUrl);
  target.searchParams.set('model', admission.model);
  const headers: Record<string, string> = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/sdp' };
  if (options.workspaceId !== undefined) headers['X-DashScope-WorkSpace'] = options.workspaceId;
  const redactor = new Redactor();
  redactor.set([key]);
  let upstream: Response;
  try {
    // redirect: 'manual' — the key must never follow a redirect to another host.
    upstream = await fetch(target, { method: 'POST', headers, body: offer, redirect: 'manual', signal: AbortSignal.timeout(options.timeouts.signalingMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    options.log('warn', `signalling upstream ${timedOut ? 'timed out' : 'failed'}: ${redactor.text(error instanceof Error ? error.message : String(error))}`);
    sendRefusal(res, timedOut
      ? { status: 504, code: 'UpstreamTimeout', message: `The WebRTC endpoint did not answer within ${Math.round(options.timeouts.signalingMs / 1000)} s.` }
      : { status: 502, code: 'UpstreamUnavailable', message: 'The WebRTC endpoint could not be reached.' }, cors);
    return;
  }
  // Read up to the limit and no further (a 200 MB answer costs 64 KiB); redacted, then cut.
  const read = await readResponseBody(upstream.body, MAX_SDP_BYTES);
  const body = redactor.cut(read.text, MAX_SDP_BYTES, read.truncated);
  if (upstream.status >= 200 && upstream.status < 300 && read.truncated) {
    options.log('warn', `signalling upstream answered more than ${MAX_SDP_BYTES} bytes; refused`);
    sendRefusal(res, { status: 502, code: 'UpstreamAnswerTooLarge', message: `The WebRTC endpoint answered more than ${MAX_SDP_BYTES} bytes; a real SDP answer is a few KB.` }, cors);
    return;
  }
  if (upstream.status >= 200 && upstream.status < 300) {
    options.log('info', `signalling answered for model ${admission.model}`);
    res.writeHead(200, { 'Content-Type': 'application/sdp', 'Cache-Control': 'no-store', ...cors }).end(body);
    return;
  }
  const described = describeUpstream(body);
  const status = upstream.status >= 400 && upstream.status < 600 ? upstream.status : 502;
  options.log('warn', `signalling upstream answered ${upstream.status}${described.code ? ` ${described.code}` : ''}`);
  sendRefusal(res, {
    status,
    code: described.code || `Upstream.${upstream.status}`,
    message: described.message || `The WebRTC endpoint answered HTTP ${upstream.status}.`,
  }, cors);
}
