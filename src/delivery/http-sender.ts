import type { Dispatcher, request as undiciRequest } from 'undici';
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
  /** undici's `request`, loaded once by the caller. */
  request: typeof undiciRequest;
}

function describeNetworkError(error: unknown, url: URL, timeoutMs: number): { error: string; hint?: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  const name = err?.name;
  if (name === 'TimeoutError' || name === 'AbortError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
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

/**
 * POST one delivery with undici and wait for the whole answer. The deadline is enforced by undici's header and
 * body timeouts (cheaper than an AbortSignal per request) and checked once more on the total time, so that an
 * answer that arrives after the deadline counts as a failure, as it does on the platform.
 */
export async function sendHttp(delivery: HttpDelivery, options: SendOptions): Promise<HttpOutcome> {
  const started = performance.now();
  try {
    const response = await options.request(delivery.url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      dispatcher: options.dispatcher,
    });
    // text() is much cheaper than async-iterating the stream; answers to event pushes are small.
    const body = (await response.body.text()).slice(0, BODY_LIMIT);
    const ms = performance.now() - started;
    if (ms > options.timeoutMs) {
      return { ok: false, status: response.statusCode, ms, body, ...describeNetworkError({ name: 'TimeoutError' }, new URL(delivery.url), options.timeoutMs) };
    }
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return {
      ok,
      status: response.statusCode,
      ms,
      body,
      ...(ok ? {} : { error: `HTTP ${response.statusCode}` }),
    };
  } catch (error) {
    return { ok: false, ms: performance.now() - started, ...describeNetworkError(error, new URL(delivery.url), options.timeoutMs) };
  }
}
