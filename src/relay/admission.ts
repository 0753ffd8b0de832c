/**
 * Who may use the relay: the origin allow-list (403), the operator's `authenticate` hook (401;
 * `false`, a throw or a timeout all refuse), and the model of `?model=` (400 when missing, like
 * the service's `BadRequest.EmptyModel`, §0.1.3; 403 when not allowed). Checked for WebSocket
 * upgrades and signalling requests alike, before anything reaches the service.
 */
import type { IncomingMessage } from 'node:http';
import type { ResolvedRelayOptions } from './options.js';

/** An HTTP refusal: status and a DashScope-style `code` and `message`. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

/** The outcome of the checks. */
export type Admission = { ok: true; model: string } | { ok: false; refusal: Refusal };

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function authenticated(options: ResolvedRelayOptions, request: IncomingMessage): Promise<boolean> {
  const hook = options.authenticate;
  if (!hook) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const verdict = await Promise.race([
      Promise.resolve().then(() => hook(request)),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), options.timeouts.authenticateMs);
      }),
    ]);
    return verdict === true;
  } catch (error) {
    options.log('warn', `authenticate threw: ${error instanceof Error ? error.name : 'error'}; refusing`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the origin, authentication and model checks for `request` with query `url`. */
export async function admit(options: ResolvedRelayOptions, request: IncomingMessage, url: URL): Promise<Admission> {
  const origin = header(request, 'origin');
  const host = header(request, 'host');
  if (!options.originAllowed(origin, host)) {
    if (options.originRefusal(origin, host) === 'host') {
      // DNS rebinding: a page on the attacker's name, resolved to this relay (docs: Origins).
      const message = `Host ${(host ?? '').slice(0, 100)} is not a name of this relay; set allowedHosts (or allowedOrigins) to serve pages under it.`;
      return { ok: false, refusal: { status: 403, code: 'Forbidden.Host', message } };
    }
    return { ok: false, refusal: { status: 403, code: 'Forbidden.Origin', message: `Origin ${origin ?? ''} is not allowed to use this relay.`.slice(0, 300) } };
  }
  if (!(await authenticated(options, request))) {
    return { ok: false, refusal: { status: 401, code: 'Unauthorized', message: 'The relay did not accept this request’s credentials.' } };
  }
  const model = url.searchParams.get('model');
  if (!model) return { ok: false, refusal: { status: 400, code: 'BadRequest.EmptyModel', message: 'Required parameter "model" missing from request.' } };
  if (options.allowedModels && !options.allowedModels.has(model)) {
    return { ok: false, refusal: { status: 403, code: 'Forbidden.Model', message: `This relay does not serve model ${JSON.stringify(model.slice(0, 100))}.` } };
  }
  return { ok: true, model };
}
