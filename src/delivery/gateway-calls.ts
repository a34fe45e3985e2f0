// replay --gateway: what the app did about each event, read from the gateway's record of Open API calls, and the
// `--max-calls-per-event` check. Light on purpose: types and a summary function from the gateway, nothing else.
import { describeCall, UNCOUNTED_KINDS } from '../gateway/open-api/summary.js';
import type { CallRecord } from '../gateway/open-api/types.js';

/** A call as a replay row and `--json` carry it. */
export interface CallSummary {
  seq: number;
  at: string;
  kind: string;
  api: string;
  method: string;
  path: string;
  target?: string;
  text?: string;
  status: number;
  code: number;
  /** How the call was tied to the event (see the gateway's CallEventLink). */
  by?: string;
  /** The push (delivery) it was tied to, and which push of it (2 and up: the gateway's re-pushes). */
  push?: string;
  attempt?: number;
  fault?: string;
  /** Not sent again: the same `uuid` as an earlier call (see the gateway's CallRecord). */
  repeat_of?: string;
  /** `reply om_ec85ff7d6… "hello"`. */
  summary: string;
}

export function summarizeCall(call: CallRecord): CallSummary {
  return {
    seq: call.seq,
    at: call.at,
    kind: call.kind,
    api: call.api,
    method: call.method,
    path: call.path,
    ...(call.target !== undefined ? { target: call.target } : {}),
    ...(call.text !== undefined ? { text: call.text } : {}),
    status: call.status,
    code: call.code,
    ...(call.event !== undefined ? { by: call.event.by } : {}),
    ...(call.event?.push !== undefined ? { push: call.event.push } : {}),
    ...(call.event?.attempt !== undefined ? { attempt: call.event.attempt } : {}),
    ...(call.fault !== undefined ? { fault: call.fault } : {}),
    ...(call.repeat_of !== undefined ? { repeat_of: call.repeat_of } : {}),
    summary: describeCall(call),
  };
}

/** An event that caused more calls of one kind than allowed. */
export interface CallLimitFinding {
  eventId: string;
  eventType?: string;
  kind: string;
  count: number;
  limit: number;
  calls: CallSummary[];
}

export interface CallTally {
  /** Calls tied to the run's events. */
  total: number;
  byKind: Record<string, number>;
  /** Calls made during the run that no event of the run could be tied to. */
  untied: number;
  findings: CallLimitFinding[];
}

/**
 * Count the calls of the run's events by kind, and find each event (its duplicates and re-pushes included: they
 * share its event_id) that caused more than `limit` calls of one kind. Tokens, reads, unknown paths, refused calls and
 * sends that repeat a `uuid` change nothing a user sees: they are counted but never held against the limit.
 */
export function tallyCalls(calls: readonly CallRecord[], eventIds: ReadonlySet<string>, limit?: number): CallTally {
  const byKind: Record<string, number> = {};
  const byEvent = new Map<string, Map<string, CallRecord[]>>();
  let total = 0;
  let untied = 0;
  for (const call of calls) {
    const eventId = call.event?.event_id;
    if (eventId === undefined || !eventIds.has(eventId)) {
      untied++;
      continue;
    }
    total++;
    byKind[call.kind] = (byKind[call.kind] ?? 0) + 1;
    // What changes nothing a user sees is not held against the limit: reads, tokens, refused calls, uuid repeats.
    if (UNCOUNTED_KINDS.has(call.kind) || call.repeat_of !== undefined || call.status !== 200 || call.code !== 0) continue;
    const kinds = byEvent.get(eventId) ?? new Map<string, CallRecord[]>();
    const list = kinds.get(call.kind) ?? [];
    list.push(call);
    kinds.set(call.kind, list);
    byEvent.set(eventId, kinds);
  }
  const findings: CallLimitFinding[] = [];
  if (limit !== undefined) {
    for (const [eventId, kinds] of byEvent) {
      for (const [kind, list] of kinds) {
        if (list.length <= limit) continue;
        const eventType = list[0]?.event?.event_type;
        findings.push({ eventId, ...(eventType !== undefined ? { eventType } : {}), kind, count: list.length, limit, calls: list.map(summarizeCall) });
      }
    }
  }
  return { total, byKind, untied, findings };
}

/** `3 calls: 2 reply, 1 token`. */
export function formatTally(tally: CallTally): string {
  const kinds = Object.entries(tally.byKind)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${n} ${kind}`);
  return `${tally.total} call${tally.total === 1 ? '' : 's'}${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}${tally.untied > 0 ? ` · ${tally.untied} not tied to an event of this run` : ''}`;
}
