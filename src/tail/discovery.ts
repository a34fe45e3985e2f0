import { DISCOVERY_PATH, DiscoveryCode } from '../protocol/discovery.js';
import { ExitCode, UserError } from '../errors.js';
import { networkReason } from '../report/format.js';
import { readExcerpt } from '../limits.js';
import { escapeControl } from '../safe-text.js';

/** The platform's domains by name; anything else is used as given (e.g. a local `feishu-events gateway`). */
export function resolveDomain(domain: string): string {
  const named: Record<string, string> = { feishu: 'https://open.feishu.cn', lark: 'https://open.larksuite.com' };
  const value = named[domain.toLowerCase()] ?? domain;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`--domain: "${domain}" is not feishu, lark or a URL`, { exitCode: ExitCode.usage });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--domain: "${domain}" is not an http(s) URL`, { exitCode: ExitCode.usage });
  return value.replace(/\/+$/, '');
}

export const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;

/** The discovery answer is a few hundred bytes: read no more than this of whatever answers. */
const DISCOVERY_ANSWER_LIMIT = 16 * 1024;

function describeAnswer(text: string): string {
  const flat = escapeControl(text.replace(/\s+/g, ' ').trim());
  if (flat === '') return 'with an empty body';
  return `without a discovery answer: ${flat.length > 80 ? `${flat.slice(0, 80)}…` : flat}`;
}

const DISCOVERY_ERRORS: Record<number, string> = {
  [DiscoveryCode.busy]: 'the platform is busy',
  [DiscoveryCode.forbidden]: 'forbidden: the app may not use the long connection (only self-built apps can)',
  [DiscoveryCode.authFailed]: 'the app id or app secret was rejected',
  [DiscoveryCode.tooManyConnections]: 'too many connections: at most 50 per app',
};

/** Why the request failed, on one line: OpenSSL's own message names its source file and ends with a newline. */
function discoveryFailure(error: unknown): string {
  const tls = /SSL routines:[^:]*:([^:\n]+)/.exec(error instanceof Error ? error.message : '');
  return tls ? `the TLS handshake failed: ${tls[1]}` : networkReason(error);
}

/**
 * POST the discovery request on a connection of its own (closed after the answer) and read at most
 * DISCOVERY_ANSWER_LIMIT bytes of the answer. node:http(s), not undici: the SDK's WSClient loads node:http(s) right
 * after (its axios and ws use them), while loading undici cost tail's start-up ~60 ms of CPU for this one request.
 * `timeoutMs` is the longest the socket may stay silent (connecting, waiting for the answer, between its chunks):
 * past it the request fails with ETIMEDOUT ("no answer").
 */
async function postDiscovery(url: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), locale: 'zh' },
      timeout: timeoutMs,
    });
    // A silence while the answer is read ends the read with the response's own "aborted": the timeout is the reason.
    let silent: Error | undefined;
    req.on('timeout', () => {
      silent = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
      req.destroy(silent);
    });
    req.on('error', (error) => reject(silent ?? error));
    req.on('response', (response) => {
      readExcerpt(response, DISCOVERY_ANSWER_LIMIT).then(
        (text) => {
          // Whatever is left of a longer answer is not read: the connection is closed.
          req.destroy();
          resolve({ status: response.statusCode ?? 0, text });
        },
        (error: unknown) => reject(silent ?? error),
      );
    });
    req.end(body);
  });
}

/**
 * Ask the endpoint-discovery API once before handing over to the SDK's WSClient, which otherwise retries a
 * wrong secret or an unreachable domain quietly, forever. Throws a UserError with a one-line reason.
 */
export async function checkDiscovery(domain: string, appId: string, appSecret: string, timeoutMs = 10_000): Promise<void> {
  let status: number;
  let text: string;
  try {
    ({ status, text } = await postDiscovery(`${domain}${DISCOVERY_PATH}`, JSON.stringify({ AppID: appId, AppSecret: appSecret }), timeoutMs));
  } catch (error) {
    throw new UserError(`cannot reach ${domain}: ${discoveryFailure(error)}`, { exitCode: ExitCode.usage, hint: 'check --domain (feishu, lark, or the URL `feishu-events gateway` printed)' });
  }
  let body: { code?: number; msg?: string } | undefined;
  try {
    body = JSON.parse(text) as { code?: number; msg?: string };
  } catch {
    body = undefined;
  }
  // Anything but the discovery answer's shape ({"code": <number>, …}) is not the endpoint: a web server, a proxy.
  if (typeof body !== 'object' || body === null || typeof body.code !== 'number') {
    throw new UserError(`${domain} is not a long-connection endpoint: POST ${DISCOVERY_PATH} answered HTTP ${status} ${describeAnswer(text)}`, {
      exitCode: ExitCode.usage,
      hint: 'check --domain (feishu, lark, or the URL `feishu-events gateway` printed)',
    });
  }
  if (body.code === DiscoveryCode.ok) return;
  if (body.code === DiscoveryCode.internal) return; // internal error: retryable, the SDK will retry
  const known = DISCOVERY_ERRORS[body.code];
  const msg = typeof body.msg === 'string' && body.msg !== '' ? escapeControl(body.msg.length > 200 ? `${body.msg.slice(0, 200)}…` : body.msg) : undefined;
  throw new UserError(`${domain} refused the connection: ${known ?? msg ?? `code ${body.code}`} (code ${body.code}${msg ? `: ${msg}` : ''})`, {
    exitCode: ExitCode.usage,
    ...(body.code === DiscoveryCode.authFailed ? { hint: 'check FEISHU_APP_ID / FEISHU_APP_SECRET (flags, environment or .env)' } : {}),
  });
}
