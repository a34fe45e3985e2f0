// replay --gateway: each delivery is pushed through a running `feishu-events gateway` (its control API, over HTTP)
// to one of the WSClient apps connected to it. Kept light: undici only; no ws, no SDK.
import { ExitCode, UserError } from '../errors.js';
import { readExcerpt } from '../limits.js';
import { maskUrlCredentials } from '../safe-text.js';
import type { CommandIO } from '../io.js';
import type { AttemptOutcome, PlannedDelivery, Transport } from './deliveries.js';
import { formatDuration, networkReason, plural } from '../report/format.js';
import { lateGraceMs } from './http-sender.js';
import type { VerdictKind } from './verdict.js';
import type { PushResult } from '../gateway/types.js';
import type { CallRecord } from '../gateway/open-api/types.js';
import { summarizeCall, tallyCalls, type CallTally } from './gateway-calls.js';

export interface GatewayTransportOptions {
  /** The gateway's domain, as it prints it: `http://127.0.0.1:PORT`. */
  gateway: string;
  /** How long to wait for each event's ack. */
  timeoutMs: number;
  /** How long to wait, once, for a client to be connected. */
  waitClientMs: number;
  io: CommandIO;
  /** Ends the wait for a client (SIGINT, SIGTERM): the transport is then not made (it rejects). */
  signal?: AbortSignal;
}

/** The control API's push answer is the gateway's PushResult, as JSON (see src/gateway/control-api.ts). */
type PushAnswer = PushResult;

export interface GatewayTransport extends Transport {
  /**
   * The Open API calls the run's events caused, once the app has gone quiet, and the events over `limit` calls of a
   * kind. Undefined when the gateway does not record calls (an older version).
   */
  calls(eventIds: ReadonlySet<string>, limit?: number): Promise<CallTally | undefined>;
}

/** After the last delivery, calls may still come (a handler that acks first and replies afterwards): wait for quiet. */
const CALLS_QUIET_MS = 300;
const CALLS_SETTLE_MAX_MS = 3000;
const CALLS_POLL_MS = 100;

const CONTROL_PATH = '_feishu-events/';
/** The gateway's answers are small (an ack's data is at most 1 MiB): something else answering is not read whole. */
const GATEWAY_ANSWER_LIMIT = 4 * 1024 * 1024;
/** Extra time over the gateway's own deadline before we stop waiting for its answer. */
const ANSWER_SLACK_MS = 10_000;

/**
 * What the push answer means for replay: delivered when the app acked with code 200 within the deadline. An ack that
 * came later is `late` with its real latency (the gateway is asked to wait a grace period past the deadline for it).
 */
export function outcomeOfPush(answer: PushAnswer, eventType: string, timeoutMs: number, judgedAtMs?: number): AttemptOutcome {
  const details: Record<string, unknown> = {
    ...(answer.client !== undefined ? { client: answer.client } : {}),
    ...(answer.clients.length > 1 ? { clients: answer.clients } : {}),
    message_id: answer.message_id,
    ack_code: answer.ack_code ?? null,
    ack_ms: answer.ack_ms ?? null,
    ...(answer.handler_ms !== undefined ? { handler_ms: answer.handler_ms } : {}),
    fragments: answer.fragments,
    bytes: answer.bytes,
    redelivered: answer.redelivered,
  };
  const body = answer.ack_data === undefined ? undefined : typeof answer.ack_data === 'string' ? answer.ack_data : JSON.stringify(answer.ack_data);
  const repushed = answer.redelivered > 0 ? `the gateway re-pushed it ${plural(answer.redelivered, 'time', 'times')}` : undefined;
  const judged = judgedAtMs !== undefined ? { judgedAtMs } : {};
  const fail = (verdict: VerdictKind, rest: Partial<AttemptOutcome>): AttemptOutcome => ({ ok: false, verdict, ms: answer.total_ms, deadlineMs: timeoutMs, details, ...rest });
  if (!answer.acked) {
    if (answer.state === 'closed') return fail('reset', { error: 'the gateway stopped before an ack came', hint: 'keep `feishu-events gateway` running until replay ends' });
    if (answer.held === true && answer.pushes === 0) {
      return fail('no-answer', {
        ms: judgedAtMs ?? timeoutMs,
        ...judged,
        error: `no client was connected within ${timeoutMs} ms`,
        hint: 'the gateway keeps the event and pushes it as soon as a client connects again; did the app go away? (give --timeout room for a reconnect)',
      });
    }
    return fail('no-answer', {
      ms: judgedAtMs ?? timeoutMs,
      ...judged,
      error: `no ack within ${timeoutMs} ms`,
      hint: `${repushed ? `${repushed}; ` : ''}nothing came back, not even late: a handler must return within 3 s or the platform pushes the event again — ack first, work afterwards`,
    });
  }
  const code = answer.ack_code as number;
  if (answer.total_ms > timeoutMs) {
    return fail('late', {
      status: code,
      ...judged,
      ...(body !== undefined ? { body } : {}),
      error: `acked ${code} after ${Math.round(answer.total_ms)} ms, past the ${timeoutMs} ms deadline${repushed ? ` (${repushed} before the ack)` : ''}`,
      hint: 'the platform counts an ack after 3 s as failed and pushes the event again: return from the handler first, then do the work',
    });
  }
  if (code !== 200) {
    return fail('wrong-status', {
      status: code,
      error: `ack code ${code}`,
      ...(body !== undefined ? { body } : {}),
      hint: code === 500 ? 'the handler threw: see the app\'s log (the node SDK acks {"code":500} when a handler throws, from 1.40 on)' : 'the platform expects ack code 200',
    });
  }
  const notes: string[] = [];
  if (repushed) notes.push(`${repushed} before the ack (acks are due within 3 s)`);
  else if (answer.late) notes.push("acked after the gateway's ack deadline: the platform would have pushed it again");
  if (typeof answer.ack_data === 'string' && answer.ack_data.includes(`no ${eventType} event handle`)) notes.push(`the app has no handler registered for ${eventType}`);
  return {
    ok: true,
    verdict: 'delivered',
    ms: answer.total_ms,
    deadlineMs: timeoutMs,
    status: code,
    ...(body !== undefined ? { body } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    details,
  };
}

export async function createGatewayTransport(options: GatewayTransportOptions): Promise<GatewayTransport> {
  const { Agent, request } = await import('undici');
  const domain = options.gateway.replace(/\/+$/, '');
  const api = `${domain}/${CONTROL_PATH}`;
  const dispatcher = new Agent({ pipelining: 1, keepAliveTimeout: 4_000 });
  const startHint = `start your app with WSClient({ domain: '${domain}' })`;

  const listClients = async (waitMs: number): Promise<unknown[]> => {
    let status: number;
    let text: string;
    try {
      const response = await request(`${api}clients${waitMs > 0 ? `?wait=${waitMs}` : ''}`, {
        method: 'GET',
        headersTimeout: waitMs + ANSWER_SLACK_MS,
        bodyTimeout: ANSWER_SLACK_MS,
        dispatcher,
        ...(waitMs > 0 && options.signal ? { signal: options.signal } : {}),
      });
      status = response.statusCode;
      text = await readExcerpt(response.body, GATEWAY_ANSWER_LIMIT);
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      throw new UserError(`cannot reach the gateway at ${domain} (${networkReason(error)})`, {
        exitCode: ExitCode.findings,
        hint: 'start it with `feishu-events gateway` and pass the domain it prints to --gateway',
      });
    }
    let clients: unknown;
    try {
      clients = (JSON.parse(text) as { clients?: unknown }).clients;
    } catch {
      clients = undefined;
    }
    if (status !== 200 || !Array.isArray(clients)) {
      throw new UserError(`${domain} is not a feishu-events gateway (GET /${CONTROL_PATH}clients answered HTTP ${status})`, {
        exitCode: ExitCode.usage,
        hint: 'pass the domain that `feishu-events gateway` prints; --to is for HTTP endpoints',
      });
    }
    return clients;
  };

  /** GET a control API path; undefined when it does not answer 200 with JSON. */
  const getJson = async (path: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const response = await request(`${api}${path}`, { method: 'GET', headersTimeout: ANSWER_SLACK_MS, bodyTimeout: ANSWER_SLACK_MS, dispatcher });
      const text = await response.body.text();
      if (response.statusCode !== 200) return undefined;
      const value = JSON.parse(text) as unknown;
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const callsAfter = async (query: string): Promise<CallRecord[] | undefined> => {
    const answer = await getJson(`calls?${query}`);
    return Array.isArray(answer?.calls) ? (answer.calls as CallRecord[]) : undefined;
  };

  // Where the gateway's record of Open API calls stands before the run: the run's calls are the ones after it.
  let callsBefore: number | undefined;
  try {
    let clients = await listClients(0);
    const info = await getJson('');
    callsBefore = typeof info?.calls === 'number' ? info.calls : undefined;
    if (clients.length === 0 && options.waitClientMs > 0) {
      options.io.stderr.write(`waiting up to ${formatDuration(options.waitClientMs)} for a WSClient to connect to ${maskUrlCredentials(domain)}…\n`);
      clients = await listClients(options.waitClientMs);
    }
    if (clients.length === 0) {
      throw new UserError(`no WSClient is connected to ${domain}`, { exitCode: ExitCode.findings, hint: startHint });
    }
  } catch (error) {
    await dispatcher.close();
    throw error;
  }

  return {
    async send(delivery: PlannedDelivery): Promise<AttemptOutcome> {
      const started = performance.now();
      // Our own timer marks the deadline to the millisecond; the gateway waits a grace period longer for a late ack.
      let judgedAtMs: number | undefined;
      const timer = setTimeout(() => {
        judgedAtMs = performance.now() - started;
      }, options.timeoutMs);
      const waitMs = options.timeoutMs + lateGraceMs(options.timeoutMs);
      let status: number;
      let text: string;
      try {
        const response = await request(`${api}push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ envelope: delivery.envelope, timeout_ms: waitMs }),
          headersTimeout: waitMs + ANSWER_SLACK_MS,
          bodyTimeout: ANSWER_SLACK_MS,
          dispatcher,
        });
        status = response.statusCode;
        text = await readExcerpt(response.body, GATEWAY_ANSWER_LIMIT);
      } catch (error) {
        clearTimeout(timer);
        const reason = networkReason(error);
        return {
          ok: false,
          verdict: reason === 'connection refused' ? 'refused' : reason === 'host not found' ? 'dns' : reason === 'the connection was closed' ? 'reset' : 'error',
          ms: performance.now() - started,
          error: `the gateway did not answer (${reason})`,
          hint: `is \`feishu-events gateway\` still running at ${domain}?`,
        };
      }
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (status === 503) return { ok: false, verdict: 'refused', ms, error: 'no WSClient is connected to the gateway any more', hint: startHint };
      let answer: PushAnswer | undefined;
      try {
        answer = JSON.parse(text) as PushAnswer;
      } catch {
        answer = undefined;
      }
      if (status !== 200 || answer === undefined || typeof answer.acked !== 'boolean') {
        return { ok: false, verdict: 'error', ms, error: `the gateway answered HTTP ${status}`, body: text };
      }
      const outcome = outcomeOfPush(answer, delivery.eventType, options.timeoutMs, judgedAtMs);
      if (callsBefore === undefined) return outcome;
      // What the app did about this delivery while it had it (calls that come after the ack are counted at the end).
      const calls = await callsAfter(`after=${callsBefore}&push=${encodeURIComponent(answer.message_id)}`);
      return calls === undefined ? outcome : { ...outcome, details: { ...outcome.details, calls: calls.map(summarizeCall) } };
    },
    async calls(eventIds, limit) {
      if (callsBefore === undefined) return undefined;
      const query = `after=${callsBefore}`;
      let calls = (await callsAfter(query)) ?? [];
      // Wait until no call has come for a while: the app may reply after its ack. An app that called nothing during
      // the whole run is not waited for, unless a limit is to be checked.
      const started = performance.now();
      let quietSince = performance.now();
      while ((limit !== undefined || calls.length > 0) && performance.now() - quietSince < CALLS_QUIET_MS && performance.now() - started < CALLS_SETTLE_MAX_MS) {
        await new Promise((resolve) => setTimeout(resolve, CALLS_POLL_MS));
        const next = (await callsAfter(query)) ?? calls;
        if (next.length !== calls.length) quietSince = performance.now();
        calls = next;
      }
      return tallyCalls(calls, eventIds, limit);
    },
    async close(closeOptions) {
      await (closeOptions?.force ? dispatcher.destroy() : dispatcher.close());
    },
  };
}
