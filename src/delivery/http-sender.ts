import type { Dispatcher } from 'undici';
import type { HttpDelivery } from '../protocol/http-request.js';

/** What came back for one HTTP push. */
export interface HttpOutcome {
  ok: boolean;
  status?: number;
  /** Wall time from sending to the end of the answer, in ms. */
  ms: number;
  /** The answer's body (truncated), when there was one. */
  body?: string;
  /** Short reason for a failure: `HTTP 500`, `connection refused`, `no answer within 3000 ms`… */
  error?: string;
  /** What the user can do about it. */
  hint?: string;
}

const BODY_LIMIT = 64 * 1024;

export interface SendOptions {
  timeoutMs: number;
  dispatcher: Dispatcher;
}

function describeNetworkError(error: unknown, url: URL, timeoutMs: number): { error: string; hint?: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  const name = err?.name;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return {
      error: `no answer within ${timeoutMs} ms`,
      hint: `the platform gives up after 3 s and re-pushes the event: answer 200 first and do the work afterwards. (The node SDK's adaptDefault never answers a request whose path is not exactly its own: check the path of ${url.href}.)`,
    };
  }
  if (code === 'ECONNREFUSED') return { error: 'connection refused', hint: `nothing is listening on ${url.host}: start your app, or point --to at it` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { error: `cannot resolve ${url.hostname}` };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return { error: 'the connection was closed before an answer', hint: 'the app may have crashed while handling the event: check its log' };
  return { error: err?.message ? `${err.message}${code ? ` (${code})` : ''}` : String(error) };
}

/** POST one delivery with undici and wait for the whole answer, within the deadline. */
export async function sendHttp(delivery: HttpDelivery, options: SendOptions): Promise<HttpOutcome> {
  const { request } = await import('undici');
  const url = new URL(delivery.url);
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await request(url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
      signal,
      dispatcher: options.dispatcher,
    });
    let body = '';
    for await (const chunk of response.body) {
      if (body.length < BODY_LIMIT) body += (chunk as Buffer).toString('utf8');
    }
    const ms = performance.now() - started;
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return {
      ok,
      status: response.statusCode,
      ms,
      body: body.slice(0, BODY_LIMIT),
      ...(ok ? {} : { error: `HTTP ${response.statusCode}` }),
    };
  } catch (error) {
    return { ok: false, ms: performance.now() - started, ...describeNetworkError(error, url, options.timeoutMs) };
  }
}
