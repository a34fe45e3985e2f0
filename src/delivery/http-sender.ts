import type { Dispatcher } from 'undici';
import type { HttpDelivery } from '../protocol/http-request.js';
import { ANSWER_EXCERPT_BYTES } from '../limits.js';
import { judgeHttp, type Purpose, type VerdictKind } from './verdict.js';

/** What came back for one HTTP push, and the verdict on it. */
export interface HttpOutcome {
  ok: boolean;
  verdict: VerdictKind;
  status?: number;
  /** Wall time from sending to the end of the answer (or to the deadline, when none came), in ms. */
  ms: number;
  /** The deadline the answer was judged against. */
  deadlineMs: number;
  /** When the delivery was judged failed by our own timer, in ms after it was sent (undefined when answered in time). */
  judgedAtMs?: number;
  /** The answer's body (truncated), when there was one. */
  body?: string;
  /** Short reason for a failure: `HTTP 500`, `connection refused`, `no answer within 3000 ms`… */
  error?: string;
  /** What the user can do about it. */
  hint?: string;
}

/** The most of an answer that is read: enough for any excerpt and verdict; a 300 MB answer is not buffered. */
const BODY_LIMIT = ANSWER_EXCERPT_BYTES;

/** Ends a body that is still arriving when the wait is over (a trickled answer): `--timeout` bounds the whole answer. */
class AnswerDeadlineError extends Error {
  constructor() {
    super('the answer was still arriving at the deadline');
    this.name = 'BodyTimeoutError';
  }
}

/**
 * The answer's body, at most BODY_LIMIT bytes of it, as text: whole when it fits (as undici's `text()` reads it, a
 * leading byte order mark dropped), else cut on a character boundary.
 */
function decodeAnswer(chunks: Buffer[], size: number): string {
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  if (size <= BODY_LIMIT) {
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return bytes.toString('utf8', bom);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, BODY_LIMIT)).replace(/\uFFFD$/, '');
}

/** An answer as far as it was read: its status and (part of) its body. */
interface Exchange {
  status: number;
  body: string;
}

/**
 * One POST through undici's dispatcher, with a handler that gathers the body in Buffers: no Readable stream per
 * answer (what `request()` makes), which is most of undici's cost per request at thousands a second. `cut` ends the
 * exchange with an error from outside (the deadline's hard stop). Reading stops at BODY_LIMIT: the rest is not
 * waited for (the connection is dropped, as leaving a body stream half read does).
 */
function exchange(delivery: HttpDelivery, url: URL, dispatcher: Dispatcher, waitMs: number, cut: (abort: (error: Error) => void) => void): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    let status = 0;
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let abortRequest: ((error: Error) => void) | undefined;
    const done = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      if (error !== undefined) reject(error);
      else resolve({ status, body: decodeAnswer(chunks, size) });
      chunks = [];
    };
    dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: delivery.method, headers: delivery.headers, body: delivery.body, headersTimeout: waitMs, bodyTimeout: waitMs },
      {
        onConnect(abort: (error?: Error) => void) {
          abortRequest = abort;
          cut(abort);
        },
        onHeaders(statusCode: number) {
          // 1xx answers are not the answer.
          if (statusCode >= 200) status = statusCode;
          return true;
        },
        onData(chunk: Buffer) {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= BODY_LIMIT) {
            // Enough for any excerpt and verdict: the rest is not read.
            done(undefined);
            abortRequest?.(new AnswerExcerptTaken());
            return false;
          }
          return true;
        },
        onComplete() {
          done(undefined);
        },
        onError(error: Error) {
          done(error);
        },
      },
    );
  });
}

/** Ends a request whose answer was read as far as needed (never reported: the exchange has its answer by then). */
class AnswerExcerptTaken extends Error {
  constructor() {
    super('the answer was read as far as needed');
    this.name = 'AnswerExcerptTaken';
  }
}

/** After the deadline, how much longer an answer is waited for, to report it as late with its real latency. */
export function lateGraceMs(deadlineMs: number): number {
  return Math.min(Math.max(deadlineMs, 1000), 10_000);
}

export interface SendOptions {
  timeoutMs: number;
  dispatcher: Dispatcher;
  purpose?: Purpose;
  encrypted?: boolean;
}

function errorCodeOf(error: unknown): { code?: string; message?: string; timeout: boolean } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  const name = err?.name;
  const timeout =
    name === 'TimeoutError' || name === 'AbortError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_ABORTED';
  return { ...(code !== undefined ? { code } : {}), ...(err?.message ? { message: err.message } : {}), timeout };
}

/** The URL of every push of a run is the same string: parsed once. */
let lastUrl: { text: string; url: URL } | undefined;
function urlOf(text: string): URL {
  if (lastUrl?.text !== text) lastUrl = { text, url: new URL(text) };
  return lastUrl.url;
}

/**
 * POST one delivery with undici and wait for the whole answer. The deadline is judged by a timer of our own, to the
 * millisecond: undici's header and body timeouts fire up to a second late, so they only end the wait for a late
 * answer (the deadline plus a grace period), after which the attempt is "no answer".
 */
export async function sendHttp(delivery: HttpDelivery, options: SendOptions): Promise<HttpOutcome> {
  const deadlineMs = options.timeoutMs;
  const purpose = options.purpose ?? 'event';
  const url = urlOf(delivery.url);
  const started = performance.now();
  let judgedAtMs: number | undefined;
  const waitMs = deadlineMs + lateGraceMs(deadlineMs);
  let abort: ((error: Error) => void) | undefined;
  let hardStop: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    judgedAtMs = performance.now() - started;
    // Past the deadline, a late answer is waited for a grace period; a body still trickling then is cut off
    // (undici's body timeout is per chunk, so a trickle would never trip it). Armed only for late answers.
    hardStop = setTimeout(() => abort?.(new AnswerDeadlineError()), waitMs - deadlineMs);
  }, deadlineMs);
  try {
    const answer = await exchange(delivery, url, options.dispatcher, waitMs, (cut) => {
      abort = cut;
    });
    const ms = performance.now() - started;
    clearTimeout(timer);
    clearTimeout(hardStop);
    const status = answer.status;
    const body = answer.body;
    // Delivered (200 in time), the common case, as judgeHttp says it.
    if (status === 200 && ms <= deadlineMs) return { ok: true, verdict: 'delivered', status, ms, deadlineMs, body };
    const verdict = judgeHttp({ url, purpose, deadlineMs, status, ms, body, encrypted: options.encrypted ?? false });
    return {
      ok: verdict.kind === 'delivered',
      verdict: verdict.kind,
      status,
      ms,
      deadlineMs,
      ...(verdict.kind === 'late' && judgedAtMs !== undefined ? { judgedAtMs } : {}),
      body,
      ...(verdict.reason !== undefined && verdict.kind !== 'delivered' ? { error: verdict.reason } : {}),
      ...(verdict.hint !== undefined ? { hint: verdict.hint } : {}),
    };
  } catch (error) {
    const elapsed = performance.now() - started;
    clearTimeout(timer);
    clearTimeout(hardStop);
    const { code, message, timeout } = errorCodeOf(error);
    const timedOut = timeout || (judgedAtMs !== undefined && code === undefined);
    const verdict = judgeHttp({ url, purpose, deadlineMs, ms: elapsed, timedOut, ...(code !== undefined ? { errorCode: code } : {}), ...(message !== undefined ? { errorMessage: message } : {}) });
    // A request that died after the deadline was already judged then: report that moment.
    const judged = judgedAtMs ?? (timedOut ? elapsed : undefined);
    return {
      ok: false,
      verdict: verdict.kind,
      ms: timedOut && judged !== undefined ? judged : elapsed,
      deadlineMs,
      ...(judged !== undefined ? { judgedAtMs: judged } : {}),
      ...(verdict.reason !== undefined ? { error: verdict.reason } : {}),
      ...(verdict.hint !== undefined ? { hint: verdict.hint } : {}),
    };
  }
}
