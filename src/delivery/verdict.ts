// What one delivery attempt came to, named by what was observed — and nothing else. Every transport (HTTP, the
// gateway) and every report (rows, JSON, the contract table) goes through these types and functions, so that a
// verdict is worded in one place.

/**
 * What happened to one attempt:
 * - `delivered`: HTTP 200 (or ack code 200) within the deadline — what the platform counts as delivered;
 * - `late`: answered, but after the deadline (the platform has given up and will push the event again);
 * - `wrong-status`: answered in time with another status (202 and 204 included: the platform asks for 200);
 * - `no-answer`: nothing came back, not even late;
 * - `refused`: nothing listens there (connection refused);
 * - `reset`: the connection was closed or reset before an answer;
 * - `dns`: the host name does not resolve;
 * - `error`: any other failure of the HTTP client (TLS, protocol…), with its message;
 * - `bad-answer`: a callback answered 200 in time, but with an answer the client cannot use (not JSON, or not what
 *   the answer's schema allows): the user sees an error code instead of a toast or a card.
 */
export type VerdictKind = 'delivered' | 'late' | 'wrong-status' | 'no-answer' | 'refused' | 'reset' | 'dns' | 'error' | 'bad-answer';

/**
 * Whether the app read a delivered event, as far as the control delivery can tell:
 * - `distinct`: its answer differs from the answer to the control (an event it cannot accept): it read it;
 * - `unknown`: same answer as the control: replay cannot tell whether it read anything;
 * - `unchecked`: no control was sent (`--no-control`, `--gateway`) or it was not answered.
 */
export type ReadEvidence = 'distinct' | 'unknown' | 'unchecked';

/** ✓ delivered and read (or unchecked), ⚠ delivered but read unknown, ✗ not delivered. */
export type Mark = 'ok' | 'warn' | 'fail';

export interface Verdict {
  kind: VerdictKind;
  /** One line: what was observed (`HTTP 204`, `answered 200 after 3326 ms, past the 3000 ms deadline`…). */
  reason?: string;
  /** What the user can do about it, worded for this cause only. */
  hint?: string;
}

/** The platform's answer rule: HTTP 200, within 3 s. */
export const PLATFORM_DEADLINE_MS = 3000;

export function isDelivered(kind: VerdictKind): boolean {
  return kind === 'delivered';
}

export function markOf(kind: VerdictKind, read: ReadEvidence = 'unchecked'): Mark {
  if (kind !== 'delivered') return 'fail';
  return read === 'unknown' ? 'warn' : 'ok';
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** What a request is for: the wording of deadlines and hints differs between events and the challenge. */
export type Purpose = 'event' | 'challenge' | 'ack';

export interface HttpObservation {
  /** The URL the request went to. */
  url: URL;
  purpose: Purpose;
  deadlineMs: number;
  /** When an answer came: its status, latency and body. */
  status?: number;
  ms: number;
  body?: string;
  /** When no answer came: the client's error code (`ECONNREFUSED`…) and message. */
  errorCode?: string;
  errorMessage?: string;
  /** True when the request was still unanswered when the deadline passed and nothing came afterwards either. */
  timedOut?: boolean;
  /** Whether the user gave an Encrypt Key (decides the wording of a decryption failure). */
  encrypted?: boolean;
}

const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

function deadlineHint(purpose: Purpose): string {
  if (purpose === 'challenge') {
    return 'the console gives the request URL 1 s to echo the challenge when you save it: answer it before any other work';
  }
  return 'the platform counts an answer after 3 s as failed and pushes the event again (15 s, 5 min, 1 h, 6 h later): answer 200 first, then do the work';
}

function statusHint(status: number, observation: HttpObservation): string {
  const { url, body, purpose } = observation;
  if (status >= 200 && status < 300) {
    return `the platform expects HTTP 200: a ${status} is a failed delivery${purpose === 'event' ? ' and the event is pushed again' : ''}`;
  }
  if (status === 404 || status === 405) {
    return `nothing handles POST ${url.pathname} there: check the path in --to (the node SDK's adaptDefault(path, …) serves exactly one path)`;
  }
  if (status >= 500 && body !== undefined && /bad decrypt|wrong final block length|auto-challenge need encryptKey|decrypt/i.test(body)) {
    return observation.encrypted
      ? "the answer says the app could not decrypt the body: check that --encrypt-key is the app's Encrypt Key"
      : 'the answer says the app could not decrypt the body: pass the app\'s Encrypt Key with --encrypt-key';
  }
  if (status >= 500) return "the app failed while handling it: see the app's log (the answer's body is shown above)";
  return `the platform expects HTTP 200: a ${status} is a failed delivery${purpose === 'event' ? ' and the event is pushed again' : ''}`;
}

/** Judge one HTTP request from what came back, or did not. */
export function judgeHttp(o: HttpObservation): Verdict {
  const target = o.url.host;
  if (o.status !== undefined) {
    if (o.ms > o.deadlineMs) {
      return {
        kind: 'late',
        reason: `answered ${o.status} after ${ms(o.ms)}, past the ${ms(o.deadlineMs)} deadline`,
        hint: deadlineHint(o.purpose),
      };
    }
    if (o.status === 200) return { kind: 'delivered' };
    return { kind: 'wrong-status', reason: `HTTP ${o.status}`, hint: statusHint(o.status, o) };
  }
  if (o.timedOut) {
    return {
      kind: 'no-answer',
      reason: `no answer within ${ms(o.deadlineMs)}`,
      hint:
        o.purpose === 'challenge'
          ? `${deadlineHint('challenge')}. A node SDK app answers it only with adaptDefault(path, dispatcher, { autoChallenge: true }), and never answers a URL other than exactly its path: check the path of ${o.url.href}`
          : `nothing came back, not even late. The node SDK's adaptDefault(path, …) never answers a request whose URL is not exactly its path (a query string included): check the path of ${o.url.href}; otherwise the handler hangs`,
    };
  }
  const code = o.errorCode ?? '';
  if (code === 'ECONNREFUSED') return { kind: 'refused', reason: 'connection refused', hint: `nothing is listening on ${target}: start your app, or point --to at it` };
  if (DNS_CODES.has(code)) return { kind: 'dns', reason: `cannot resolve ${o.url.hostname}`, hint: 'check the host name in --to' };
  if (RESET_CODES.has(code)) {
    return {
      kind: 'reset',
      reason: 'the connection was closed before an answer',
      hint: "the app closed the connection without answering (did it crash while handling the event?): check its log",
    };
  }
  return { kind: 'error', reason: o.errorMessage ? `${o.errorMessage}${code ? ` (${code})` : ''}` : code || 'the request failed' };
}

/**
 * Compare a delivery's answer with the control's. Answers are the same when the status and the body are: the app
 * then answered an event it cannot accept exactly as it answered this one.
 */
export function readEvidence(answer: { status?: number; body?: string }, control: { status?: number; body?: string } | undefined): ReadEvidence {
  if (control === undefined || control.status === undefined || answer.status === undefined) return 'unchecked';
  return answer.status === control.status && (answer.body ?? '') === (control.body ?? '') ? 'unknown' : 'distinct';
}

/**
 * The one explanation for ⚠ rows. The observation has several possible causes; none is presented as the fact.
 * SDK versions are named as their sources were read (`adaptDefault` in lib/index.js of each).
 */
export function unknownReadExplanation(control: { status?: number; body?: string; form: string; causes: readonly string[] }, count: number): string[] {
  const answer = `HTTP ${control.status}${control.body ? ` ${JSON.stringify(excerpt(control.body, 60))}` : ' with an empty body'}`;
  return [
    `${count} deliver${count === 1 ? 'y was' : 'ies were'} answered 200 in time (delivered, as the platform counts it), but exactly as the`,
    `control delivery was (${answer}): replay cannot tell whether the app read ${count === 1 ? 'it' : 'them'}.`,
    'Possible causes, any of them:',
    ...control.causes.map((cause) => `  · ${cause};`),
    "  · the node SDK answers every event with an empty body in 1.17.0, 1.26.0 and 1.40.1 (adaptDefault: res.end(''));",
    "    1.60.0 and 1.74.0 answer the handler's return value as JSON, and '' when verification fails.",
    'To make deliveries tell: return a value from your handlers (node SDK 1.60 or later). --strict makes ⚠ exit 1.',
  ];
}

export function excerpt(body: string, limit = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/** The example of a good answer, per callback type, for hints. */
const GOOD_ANSWERS: Record<string, string> = {
  'card.action.trigger': '{"toast":{"type":"success","content":"Approved"}} and/or {"card":{"type":"raw","data":{…card JSON…}}}, or {} to show nothing',
  'url.preview.get': '{"inline":{"title":"…"}} and/or {"card":{"type":"raw","data":{…}}}',
  'card.action.legacy': 'a new card JSON ({"elements":[…]}) to replace the card, {"toast":{"type":"info","content":"…"}}, or {}',
};

/**
 * A callback answered 200 in time with an answer that is not good: the reason names the pointer and the problem, the
 * hint what the user sees and what a good answer looks like.
 */
export function judgeCallbackAnswer(callbackType: string, problem: string, client: { code: number; words: string; meaning: string } | undefined): Verdict {
  const sees = client ? `the user sees "${client.words}" (${client.meaning})` : 'the client shows an error instead of the toast or card';
  return {
    kind: 'bad-answer',
    reason: problem,
    hint: `${sees}; a good answer: ${GOOD_ANSWERS[callbackType] ?? 'a JSON object'} (schemas/answer-${callbackType}.schema.json)`,
  };
}
