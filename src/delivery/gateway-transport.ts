// replay --gateway: each delivery is pushed through a running `feishu-events gateway` (its control API, over HTTP)
// to one of the WSClient apps connected to it. Kept light: undici only; no ws, no SDK.
import { ExitCode, UserError } from '../errors.js';
import type { CommandIO } from '../io.js';
import type { AttemptOutcome, PlannedDelivery, Transport } from './replay.js';
import { formatDuration } from './schedule.js';
import type { PushResult } from '../gateway/types.js';

export interface GatewayTransportOptions {
  /** The gateway's domain, as it prints it: `http://127.0.0.1:PORT`. */
  gateway: string;
  /** How long to wait for each event's ack. */
  timeoutMs: number;
  /** How long to wait, once, for a client to be connected. */
  waitClientMs: number;
  io: CommandIO;
}

/** The control API's push answer is the gateway's PushResult, as JSON (see src/gateway/control-api.ts). */
type PushAnswer = PushResult;

const CONTROL_PATH = '_feishu-events/';
/** Extra time over the gateway's own deadline before we stop waiting for its answer. */
const ANSWER_SLACK_MS = 10_000;

function networkReason(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'no answer';
  return err?.message ? `${err.message}${code ? ` (${code})` : ''}` : String(error);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the push answer means for replay: ok when the app acked with code 200 in time. */
export function outcomeOfPush(answer: PushAnswer, eventType: string, timeoutMs: number): AttemptOutcome {
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
  if (!answer.acked) {
    return {
      ok: false,
      ms: answer.total_ms,
      error: answer.state === 'closed' ? 'the gateway stopped before an ack came' : `no ack within ${timeoutMs} ms`,
      hint: `${repushed ? `${repushed}; ` : ''}a handler must return within 3 s or the platform re-pushes the event: ack first, work afterwards`,
      details,
    };
  }
  const code = answer.ack_code as number;
  if (code !== 200) {
    return {
      ok: false,
      ms: answer.total_ms,
      status: code,
      error: `ack code ${code}`,
      ...(body !== undefined ? { body } : {}),
      hint: code === 500 ? 'the handler threw: see the app\'s log (the node SDK acks {"code":500} when a handler throws)' : 'the app acked with an error code',
      details,
    };
  }
  const notes: string[] = [];
  if (repushed) notes.push(`${repushed} before the ack (acks are due within 3 s)`);
  else if (answer.late) notes.push("acked after the gateway's ack deadline: the platform would have pushed it again");
  if (typeof answer.ack_data === 'string' && answer.ack_data.includes(`no ${eventType} event handle`)) notes.push(`the app has no handler registered for ${eventType}`);
  return {
    ok: true,
    ms: answer.total_ms,
    status: code,
    ...(body !== undefined ? { body } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    details,
  };
}

export async function createGatewayTransport(options: GatewayTransportOptions): Promise<Transport> {
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
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
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

  try {
    let clients = await listClients(0);
    if (clients.length === 0 && options.waitClientMs > 0) {
      options.io.stderr.write(`waiting up to ${formatDuration(options.waitClientMs)} for a WSClient to connect to ${domain}…\n`);
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
      let status: number;
      let text: string;
      try {
        const response = await request(`${api}push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ envelope: delivery.envelope, timeout_ms: options.timeoutMs }),
          headersTimeout: options.timeoutMs + ANSWER_SLACK_MS,
          bodyTimeout: ANSWER_SLACK_MS,
          dispatcher,
        });
        status = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        return {
          ok: false,
          ms: performance.now() - started,
          error: `the gateway did not answer (${networkReason(error)})`,
          hint: `is \`feishu-events gateway\` still running at ${domain}?`,
        };
      }
      const ms = performance.now() - started;
      if (status === 503) return { ok: false, ms, error: 'no WSClient is connected to the gateway any more', hint: startHint };
      let answer: PushAnswer | undefined;
      try {
        answer = JSON.parse(text) as PushAnswer;
      } catch {
        answer = undefined;
      }
      if (status !== 200 || answer === undefined || typeof answer.acked !== 'boolean') {
        return { ok: false, ms, error: `the gateway answered HTTP ${status}`, body: text };
      }
      return outcomeOfPush(answer, delivery.eventType, options.timeoutMs);
    },
    async close() {
      await dispatcher.close();
    },
  };
}
