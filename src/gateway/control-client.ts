// Talking to a running gateway's control API about faults: `gateway fault`, `gateway report` and
// `replay --fault-every`. Node's own fetch only: nothing here loads ws or the SDK.
import { networkReason } from '../report/format.js';
import type { FaultSpec } from './fault-spec.js';
import { formatFaultSpec } from './fault-spec.js';
import type { FaultRecord } from './types.js';

const CONTROL_PATH = '_feishu-events/';

/** The gateway could not be reached, or answered something that is not its control API. */
export class ControlUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlUnreachable';
  }
}

/** The gateway refused the fault (unknown client, none connected, restarting) or the request (bad fault). */
export class ControlRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlRefused';
    this.status = status;
  }
}

const reason = networkReason;

async function call(domain: string, route: string, init: { method: string; body?: unknown }, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const base = domain.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/${CONTROL_PATH}${route}`, {
      method: init.method,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json; charset=utf-8' } } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
  } catch (error) {
    throw new ControlUnreachable(`cannot reach the gateway at ${base} (${reason(error)})`);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null) {
    throw new ControlUnreachable(`${base} is not a feishu-events gateway (${init.method} /${CONTROL_PATH}${route} answered HTTP ${response.status})`);
  }
  const fields = body as Record<string, unknown>;
  if (response.status === 404 && fields.error === 'not_found') {
    throw new ControlUnreachable(`the gateway at ${base} has no /${CONTROL_PATH}${route}: is it an older feishu-events?`);
  }
  if (response.status !== 200) throw new ControlRefused(response.status, typeof fields.message === 'string' ? fields.message : `HTTP ${response.status}`);
  return fields;
}

/** Inject a fault into the gateway at `domain`; resolves to the records it opened. */
export async function injectFault(domain: string, spec: FaultSpec, client?: string, signal?: AbortSignal): Promise<FaultRecord[]> {
  const answer = await call(domain, 'fault', { method: 'POST', body: { fault: formatFaultSpec(spec), ...(client !== undefined ? { client } : {}) } }, signal);
  return Array.isArray(answer.faults) ? (answer.faults as FaultRecord[]) : [];
}

/** The gateway's resilience report so far. */
export async function fetchFaultReport(domain: string, signal?: AbortSignal): Promise<FaultRecord[]> {
  const answer = await call(domain, 'faults', { method: 'GET' }, signal);
  if (!Array.isArray(answer.faults)) throw new ControlUnreachable(`${domain} answered GET /${CONTROL_PATH}faults without a faults list`);
  return answer.faults as FaultRecord[];
}

/** Events of the report that were not acked with code 200, or acked more than once: what a CI job checks. */
export function summarizeFaults(records: readonly FaultRecord[]): { faults: number; events: number; unacked: number; duplicates: number; recovered: number; active: number } {
  const events = new Map<string, { acked: boolean; acks: number }>();
  for (const record of records) {
    for (const event of record.events) {
      const seen = events.get(event.message_id);
      events.set(event.message_id, { acked: (seen?.acked ?? false) || event.acked_ms !== null, acks: Math.max(seen?.acks ?? 0, event.acks) });
    }
  }
  const all = [...events.values()];
  return {
    faults: records.length,
    events: all.length,
    unacked: all.filter((e) => !e.acked).length,
    duplicates: all.filter((e) => e.acks > 1).length,
    recovered: records.filter((r) => r.state === 'recovered').length,
    active: records.filter((r) => r.state === 'active').length,
  };
}

/** Resolves true once the gateway's control API answers again (after a `restart`), false after `timeoutMs`. */
export async function waitForGateway(domain: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const base = domain.replace(/\/+$/, '');
  for (;;) {
    try {
      const response = await fetch(`${base}/${CONTROL_PATH}`, { ...(signal !== undefined ? { signal } : {}) });
      await response.body?.cancel();
      if (response.status === 200) return true;
    } catch {
      // Not back yet.
    }
    if (performance.now() > deadline || signal?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
