import type { ChalkInstance } from 'chalk';
import type { ControlOutcome } from '../delivery/control.js';
import type { ChallengeOutcome } from '../delivery/http-transport.js';
import type { AttemptReport, ReplaySummary } from '../delivery/deliveries.js';
import { formatDuration, ms } from './format.js';
import { formatTally, type CallSummary, type CallTally } from '../delivery/gateway-calls.js';
import { escapeControl, maskUrlCredentials } from '../safe-text.js';
import { excerpt, markOf, unknownReadExplanation, type Mark, type VerdictKind } from '../delivery/verdict.js';

export interface SummaryContext {
  challengeFailed?: boolean;
  /** The input was not read to its end (a streamed input whose challenge failed): the counts are of what was read. */
  inputUnread?: boolean;
  /** The control delivery, when one was sent. */
  control?: ControlOutcome;
  /** Why no control was sent (`--no-control`, the long connection). */
  noControl?: string;
  /** ⚠ counts as a failure. */
  strict?: boolean;
  /** With --gateway: the Open API calls the run's events caused, and those over the limit. */
  calls?: CallTally;
  maxCallsPerEvent?: number;
}

export interface ReplayReporter {
  /** `deliveries`: undefined while a large input is still being read (it is counted as it is sent). */
  start(info: { target: string; deliveries: number | undefined; encrypted: boolean }): void;
  challenge(outcome: ChallengeOutcome): void;
  control(outcome: ControlOutcome): void;
  attempt(report: AttemptReport): void;
  summary(summary: ReplaySummary, context?: SummaryContext): void;
}

interface Sink {
  write(text: string): unknown;
}

const EXCERPT = 200;

function bodyExcerpt(body: string | undefined): string | undefined {
  if (!body) return undefined;
  // An answer may hold escape sequences: shown, not obeyed.
  const flat = escapeControl(excerpt(body, EXCERPT));
  return flat === '' ? undefined : flat;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

const VERDICT_WORDS: Record<VerdictKind, string> = {
  delivered: 'delivered',
  late: 'late',
  'wrong-status': 'wrong status',
  'no-answer': 'no answer',
  refused: 'refused',
  reset: 'reset',
  dns: 'DNS',
  error: 'error',
  'bad-answer': 'wrong answer',
};

/** `2 late, 1 wrong status`: what the failed deliveries came to. */
export function failureBreakdown(verdicts: ReplaySummary['verdicts']): string {
  return (Object.keys(VERDICT_WORDS) as VerdictKind[])
    .filter((kind) => kind !== 'delivered' && (verdicts[kind] ?? 0) > 0)
    .map((kind) => `${verdicts[kind]} ${VERDICT_WORDS[kind]}`)
    .join(', ');
}

/** Hints that repeat are printed once, with how many deliveries they concern. */
function hintCounter(): { add(hint: string | undefined): void; lines(): Array<[string, number]> } {
  const counts = new Map<string, number>();
  return {
    add(hint) {
      if (hint) counts.set(hint, (counts.get(hint) ?? 0) + 1);
    },
    lines: () => [...counts.entries()],
  };
}

/** `interrupted by SIGINT: 37 deliveries not finished (2 in flight were not waited for)`. */
function interruptedLine(i: NonNullable<ReplaySummary['interrupted']>): string {
  const by = i.signal ? ` by ${i.signal}` : '';
  const left = i.unfinished === 0 ? 'every delivery had finished' : `${i.unfinished} deliver${i.unfinished === 1 ? 'y' : 'ies'} not finished`;
  const abandoned = i.abandoned > 0 ? ` (${i.abandoned} in flight ${i.abandoned === 1 ? 'was' : 'were'} not waited for)` : '';
  const unread = i.unread ? '; the rest of the input was not read' : '';
  return `interrupted${by}: ${left}${abandoned}${unread}`;
}

export function exitCodeOf(summary: ReplaySummary, strict: boolean): number {
  if (summary.failed > 0 || summary.stopped) return 1;
  return strict && summary.unknownRead > 0 ? 1 : 0;
}

/** Human-readable report: one line per attempt, then a summary. Results on stdout, progress on stderr. */
/** The calls a delivery caused, from the gateway transport's details. */
function callsOf(details: Record<string, unknown> | undefined): CallSummary[] {
  return Array.isArray(details?.calls) ? (details.calls as CallSummary[]) : [];
}

export function prettyReplayReporter(out: Sink, err: Sink, c: ChalkInstance): ReplayReporter {
  const hints = hintCounter();
  // Which row each push was (for naming the deliveries behind an event's calls in the summary).
  const pushLabels = new Map<string, string>();
  const callLine = (call: CallSummary, label?: string): string => {
    const ok = call.status === 200 && call.code === 0;
    const text = `→ ${call.summary}${label !== undefined ? c.dim(`  (${label})`) : ''}`;
    return `    ${call.kind === 'token' || call.kind === 'read' ? c.dim(text) : ok ? c.magenta(text) : c.red(text)}\n`;
  };
  const markText = (mark: Mark): string => (mark === 'ok' ? c.green('✓') : mark === 'warn' ? c.yellow('⚠') : c.red('✗'));
  return {
    start({ target, deliveries, encrypted }) {
      const what = deliveries === undefined ? 'deliveries as the input is read' : `${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}`;
      err.write(c.dim(`replaying ${what} to ${maskUrlCredentials(target)}${encrypted ? ' (encrypted + signed)' : ' (plaintext)'}\n`));
    },
    challenge(o) {
      const status = o.status === undefined ? '---' : String(o.status);
      if (o.ok) {
        out.write(`${c.green('✓')} ${status} ${ms(o.ms).padStart(8)}  ${c.bold('url_verification')}  challenge echoed\n`);
        return;
      }
      out.write(`${c.red('✗')} ${status} ${ms(o.ms).padStart(8)}  ${c.bold('url_verification')}  ${o.reason ?? o.error ?? 'failed'}\n`);
      const body = bodyExcerpt(o.body);
      if (body !== undefined) out.write(`    ${c.dim('answer:')} ${body}\n`);
      if (o.hint) out.write(`    ${c.yellow('hint:')} ${o.hint}\n`);
    },
    control(o) {
      const status = o.status === undefined ? '---' : String(o.status);
      const answer = o.status === undefined || o.verdict === 'late' ? (o.error ?? 'no answer') : o.body ? `answered ${JSON.stringify(excerpt(o.body, 60))}` : 'answered with an empty body';
      out.write(`${c.dim('·')} ${status} ${ms(o.ms).padStart(8)}  ${c.bold('control')}  ${c.dim(`${o.form}: ${answer}`)}\n`);
    },
    attempt(r) {
      const d = r.delivery;
      const status = r.status === undefined ? '---' : String(r.status);
      const mark = markText(markOf(r.verdict, r.read));
      const tags: string[] = [];
      if (r.attempt > 1) tags.push(`attempt ${r.attempt}`);
      if (d.copy > 0) tags.push(`duplicate ${d.copy}`);
      const clientTag = typeof r.details?.client === 'string' ? `→ ${r.details.client}` : '';
      if (clientTag) tags.push(clientTag);
      // A callback's answer is what the user sees: shown on its row.
      const answer = r.answer !== undefined ? `  ${r.ok ? c.magenta(`→ ${escapeControl(r.answer.summary)}`) : c.red(`→ ${escapeControl(r.answer.summary)}`)}` : '';
      const line = `${mark} ${status} ${ms(r.ms).padStart(8)}  ${c.bold(escapeControl(d.eventType))}  ${c.dim(escapeControl(d.eventId))}${tags.length ? `  ${c.cyan(tags.join(', '))}` : ''}${answer}`;
      out.write(`${line}\n`);
      if (typeof r.details?.message_id === 'string') pushLabels.set(r.details.message_id, d.copy > 0 ? `duplicate ${d.copy}` : r.attempt > 1 ? `attempt ${r.attempt}` : `delivery #${d.seq}`);
      for (const call of callsOf(r.details)) out.write(callLine(call));
      if (!r.ok) {
        const reason = r.error ?? 'failed';
        const judged = r.judgedAtMs !== undefined && r.verdict === 'late' ? ` (failed at ${ms(r.judgedAtMs)})` : '';
        const body = bodyExcerpt(r.body);
        out.write(`    ${c.red(`${escapeControl(reason)}${judged}`)}${body !== undefined ? `: ${body}` : ''}  ${c.dim(escapeControl(d.source))}\n`);
        if (r.clientError) out.write(`    ${c.dim('in the client:')} ${r.clientError.words}\n`);
        hints.add(r.hint);
        if (r.retryInMs !== undefined) out.write(`    ${c.dim(`↻ re-push ${r.attempt + 1} with the same event_id in ${formatDuration(r.retryInMs)}`)}\n`);
      } else if (r.note) {
        out.write(`    ${c.yellow('note:')} ${r.note}\n`);
      }
    },
    summary(s, context = {}) {
      if (context.challengeFailed) {
        const what = context.inputUnread ? 'nothing was sent (the rest of the input was not read)' : `${s.deliveries} deliver${s.deliveries === 1 ? 'y' : 'ies'} not sent`;
        out.write(`\n${c.red('the challenge failed')}: ${what}\n`);
        return;
      }
      const unknown = s.unknownRead > 0 ? ` (${c.yellow(`${s.unknownRead} ⚠ read unknown`)})` : '';
      const breakdown = failureBreakdown(s.verdicts);
      const parts = [`${c.green(`${s.delivered} delivered`)}${unknown}`, `${s.failed > 0 ? c.red(`${s.failed} failed`) : `${s.failed} failed`}${s.failed > 0 && breakdown ? ` (${breakdown})` : ''}`];
      if (s.retried > 0) parts.push(`${s.retried} retried`);
      const extra = s.deliveries !== s.events ? ` (${s.events} events, ${s.deliveries} deliveries)` : '';
      out.write(
        `\n${parts.join(', ')}${extra} · ${s.attempts} attempt${s.attempts === 1 ? '' : 's'} · p50 ${s.delivered ? ms(s.p50Ms) : '-'} · p95 ${s.delivered ? ms(s.p95Ms) : '-'} · ${formatDuration(s.elapsedMs)}\n`,
      );
      if (s.interrupted) out.write(`${c.yellow(interruptedLine(s.interrupted))}\n`);
      for (const [hint, count] of hints.lines()) out.write(`${c.yellow('hint')}${count > 1 ? c.dim(` (${count} deliveries)`) : ''}${c.yellow(':')} ${hint}\n`);
      if (context.calls !== undefined) {
        const tally = context.calls;
        out.write(`${c.dim('Open API:')} ${formatTally(tally)}\n`);
        for (const f of tally.findings) {
          out.write(`${c.red('✗')} ${c.bold(f.eventType ?? 'event')} ${f.eventId}: ${f.count} ${f.kind} calls, more than --max-calls-per-event ${f.limit}\n`);
          for (const call of f.calls) {
            const label = call.push !== undefined ? pushLabels.get(call.push) : undefined;
            const repush = call.attempt !== undefined && call.attempt > 1 ? `re-push ${call.attempt - 1} by the gateway` : undefined;
            out.write(callLine(call, [label, repush].filter(Boolean).join(', ') || undefined));
          }
        }
        if (context.maxCallsPerEvent !== undefined && tally.findings.length === 0) {
          out.write(`${c.green('✓')} no event caused more than ${context.maxCallsPerEvent} call${context.maxCallsPerEvent === 1 ? '' : 's'} of a kind\n`);
        }
        if (tally.findings.length > 0) out.write(`${c.yellow('hint:')} the platform pushes an event again when its ack is late or missing: de-duplicate on event_id (or the message_id) before you act, in a store that outlives a restart\n`);
      }
      if (s.unknownRead > 0 && context.control) {
        const lines = unknownReadExplanation(context.control, s.unknownRead);
        out.write(`${c.yellow('⚠')} ${lines.join('\n  ')}\n`);
      } else if (context.control && (context.control.status === undefined || context.control.verdict === 'late') && s.delivered > 0) {
        out.write(`${c.dim(`note: the control delivery got no answer (${context.control.error ?? 'no answer'}): whether the app read the events was not checked`)}\n`);
      } else if (context.noControl && s.delivered > 0) {
        out.write(`${c.dim(`note: ${context.noControl}`)}\n`);
      }
    },
  };
}

/** Machine-readable report: one JSON object per line on stdout, nothing else there. */
export function jsonReplayReporter(out: Sink): ReplayReporter {
  const line = (value: unknown): void => {
    out.write(`${JSON.stringify(value)}\n`);
  };
  return {
    start() {},
    challenge(o) {
      line({
        type: 'challenge',
        ok: o.ok,
        verdict: o.verdict,
        status: o.status ?? null,
        ms: round1(o.ms),
        deadline_ms: o.deadlineMs,
        ...(o.judgedAtMs !== undefined ? { judged_at_ms: round1(o.judgedAtMs) } : {}),
        challenge: o.challenge,
        ...(o.reason ? { error: o.reason } : {}),
        ...(o.hint ? { hint: o.hint } : {}),
        ...(o.body !== undefined && !o.ok ? { body: o.body.slice(0, EXCERPT * 5) } : {}),
      });
    },
    control(o) {
      line({
        type: 'control',
        form: o.form,
        event_type: o.eventType,
        verdict: o.verdict,
        status: o.status ?? null,
        ms: round1(o.ms),
        ...(o.body !== undefined ? { body: o.body.slice(0, EXCERPT * 5) } : {}),
        ...(o.error ? { error: o.error } : {}),
      });
    },
    attempt(r) {
      // One line a delivery, thousands a second: the object is built by assignment, in the order of its keys, rather
      // than with a spread per optional key (each a temporary object); JSON.stringify writes the same line.
      const d = r.delivery;
      const mark = markOf(r.verdict, r.read);
      const o: Record<string, unknown> = {
        type: 'delivery',
        event_type: d.eventType,
        event_id: d.eventId,
        attempt: r.attempt,
        duplicate: d.copy,
        seq: d.seq,
        status: r.status ?? null,
        ms: round1(r.ms),
        ok: r.ok,
        verdict: r.verdict,
        read: r.read,
        mark,
      };
      if (r.deadlineMs !== undefined) o.deadline_ms = r.deadlineMs;
      if (r.judgedAtMs !== undefined) o.judged_at_ms = round1(r.judgedAtMs);
      o.source = d.source;
      if (r.error) o.error = r.error;
      if (r.hint) o.hint = r.hint;
      if (r.note) o.note = r.note;
      if (r.body !== undefined && (!r.ok || mark === 'warn')) o.body = r.body.slice(0, EXCERPT * 5);
      if (r.retryInMs !== undefined) o.retry_in_ms = r.retryInMs;
      if (r.answer !== undefined) {
        o.answer = r.answer.value ?? null;
        o.answer_summary = r.answer.summary;
        if (r.answer.problems.length > 0) o.answer_problems = r.answer.problems;
      }
      if (r.clientError) o.client_error = { code: r.clientError.code, words: r.clientError.words, meaning: r.clientError.meaning };
      line(r.details ? { ...o, ...r.details } : o);
    },
    summary(s, context = {}) {
      for (const f of context.calls?.findings ?? []) {
        line({ type: 'calls_over_limit', event_id: f.eventId, event_type: f.eventType ?? null, kind: f.kind, count: f.count, limit: f.limit, calls: f.calls });
      }
      line({
        type: 'summary',
        ...(context.challengeFailed ? { challenge_failed: true, not_sent: s.deliveries, ...(context.inputUnread ? { input_unread: true } : {}) } : {}),
        events: s.events,
        deliveries: s.deliveries,
        delivered: s.delivered,
        unknown_read: s.unknownRead,
        failed: s.failed,
        verdicts: s.verdicts,
        attempts: s.attempts,
        retried: s.retried,
        control: context.control ? { form: context.control.form, status: context.control.status ?? null, verdict: context.control.verdict } : null,
        ...(context.calls !== undefined
          ? {
              calls: {
                total: context.calls.total,
                by_kind: context.calls.byKind,
                untied: context.calls.untied,
                over_limit: context.calls.findings.length,
                ...(context.maxCallsPerEvent !== undefined ? { max_per_event: context.maxCallsPerEvent } : {}),
              },
            }
          : {}),
        // Nothing delivered, nothing to measure: null, not a latency of 0.
        p50_ms: s.delivered > 0 ? round1(s.p50Ms) : null,
        p95_ms: s.delivered > 0 ? round1(s.p95Ms) : null,
        elapsed_ms: Math.round(s.elapsedMs),
        ...(s.interrupted
          ? { interrupted: s.interrupted.signal ?? true, unfinished: s.interrupted.unfinished, abandoned_in_flight: s.interrupted.abandoned, ...(s.interrupted.unread ? { input_unread: true } : {}) }
          : {}),
      });
    },
  };
}
