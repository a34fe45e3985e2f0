import type { ChalkInstance } from 'chalk';
import type { ChallengeOutcome } from '../delivery/http-transport.js';
import type { AttemptReport, ReplaySummary } from '../delivery/replay.js';
import { formatDuration } from '../delivery/schedule.js';

export interface ReplayReporter {
  start(info: { target: string; deliveries: number; encrypted: boolean }): void;
  challenge(outcome: ChallengeOutcome): void;
  attempt(report: AttemptReport): void;
  summary(summary: ReplaySummary, context?: { challengeFailed?: boolean }): void;
}

interface Sink {
  write(text: string): unknown;
}

const EXCERPT = 200;

function excerpt(body: string | undefined): string | undefined {
  if (!body) return undefined;
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat === '') return undefined;
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** Human-readable report: one line per attempt, then a summary. Results on stdout, progress on stderr. */
export function prettyReplayReporter(out: Sink, err: Sink, c: ChalkInstance): ReplayReporter {
  return {
    start({ target, deliveries, encrypted }) {
      err.write(c.dim(`replaying ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'} to ${target}${encrypted ? ' (encrypted + signed)' : ' (plaintext)'}\n`));
    },
    challenge(o) {
      const status = o.status === undefined ? '---' : String(o.status);
      if (o.ok) {
        out.write(`${c.green('✓')} ${status} ${ms(o.ms).padStart(8)}  ${c.bold('url_verification')}  challenge echoed\n`);
        return;
      }
      out.write(`${c.red('✗')} ${status} ${ms(o.ms).padStart(8)}  ${c.bold('url_verification')}  ${o.reason ?? o.error ?? 'failed'}\n`);
      const body = excerpt(o.body);
      if (body !== undefined) out.write(`    ${c.dim('answer:')} ${body}\n`);
      if (o.hint) out.write(`    ${c.yellow('hint:')} ${o.hint}\n`);
    },
    attempt(r) {
      const d = r.delivery;
      const status = r.status === undefined ? '---' : String(r.status);
      const mark = r.ok ? c.green('✓') : c.red('✗');
      const tags: string[] = [];
      if (r.attempt > 1) tags.push(`attempt ${r.attempt}`);
      if (d.copy > 0) tags.push(`duplicate ${d.copy}`);
      const clientTag = typeof r.details?.client === 'string' ? `→ ${r.details.client}` : '';
      if (clientTag) tags.push(clientTag);
      const line = `${mark} ${status} ${ms(r.ms).padStart(8)}  ${c.bold(d.eventType)}  ${c.dim(d.eventId)}${tags.length ? `  ${c.cyan(tags.join(', '))}` : ''}`;
      out.write(`${line}\n`);
      if (!r.ok) {
        const reason = r.error ?? 'failed';
        const body = excerpt(r.body);
        out.write(`    ${c.red(reason)}${body !== undefined ? `: ${body}` : ''}  ${c.dim(d.source)}\n`);
        if (r.hint) out.write(`    ${c.yellow('hint:')} ${r.hint}\n`);
        if (r.retryInMs !== undefined) out.write(`    ${c.dim(`↻ re-push ${r.attempt + 1} with the same event_id in ${formatDuration(r.retryInMs)}`)}\n`);
      } else if (r.note) {
        out.write(`    ${c.yellow('note:')} ${r.note}\n`);
      }
    },
    summary(s, context) {
      if (context?.challengeFailed) {
        out.write(`\n${c.red('the challenge failed')}: ${s.deliveries} deliver${s.deliveries === 1 ? 'y' : 'ies'} not sent\n`);
        return;
      }
      const parts = [`${c.green(`${s.delivered} delivered`)}`, s.failed > 0 ? c.red(`${s.failed} failed`) : `${s.failed} failed`];
      if (s.retried > 0) parts.push(`${s.retried} retried`);
      const extra = s.deliveries !== s.events ? ` (${s.events} events, ${s.deliveries} deliveries)` : '';
      out.write(
        `\n${parts.join(', ')}${extra} · ${s.attempts} attempt${s.attempts === 1 ? '' : 's'} · p50 ${s.delivered ? ms(s.p50Ms) : '-'} · p95 ${s.delivered ? ms(s.p95Ms) : '-'} · ${formatDuration(s.elapsedMs)}\n`,
      );
      if (s.emptyAnswers > 0) {
        err.write(
          c.yellow(
            `note: ${s.emptyAnswers} answer${s.emptyAnswers === 1 ? ' was' : 's were'} HTTP 200 with an empty body. An app built on the node SDK answers that way when the signature check fails and no handler runs: check that --encrypt-key matches the app's Encrypt Key.\n`,
          ),
        );
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
        status: o.status ?? null,
        ms: Math.round(o.ms * 10) / 10,
        challenge: o.challenge,
        ...(o.reason ? { error: o.reason } : {}),
        ...(o.body !== undefined && !o.ok ? { body: o.body.slice(0, EXCERPT * 5) } : {}),
      });
    },
    attempt(r) {
      const d = r.delivery;
      line({
        type: 'delivery',
        event_type: d.eventType,
        event_id: d.eventId,
        attempt: r.attempt,
        duplicate: d.copy,
        seq: d.seq,
        status: r.status ?? null,
        ms: Math.round(r.ms * 10) / 10,
        ok: r.ok,
        source: d.source,
        ...(r.error ? { error: r.error } : {}),
        ...(r.hint ? { hint: r.hint } : {}),
        ...(r.note ? { note: r.note } : {}),
        ...(r.body !== undefined && !r.ok ? { body: r.body.slice(0, EXCERPT * 5) } : {}),
        ...(r.retryInMs !== undefined ? { retry_in_ms: r.retryInMs } : {}),
        ...(r.details ?? {}),
      });
    },
    summary(s, context) {
      line({
        type: 'summary',
        ...(context?.challengeFailed ? { challenge_failed: true, not_sent: s.deliveries } : {}),
        events: s.events,
        deliveries: s.deliveries,
        delivered: s.delivered,
        failed: s.failed,
        attempts: s.attempts,
        retried: s.retried,
        empty_answers: s.emptyAnswers,
        p50_ms: Math.round(s.p50Ms * 10) / 10,
        p95_ms: Math.round(s.p95Ms * 10) / 10,
        elapsed_ms: Math.round(s.elapsedMs),
      });
    },
  };
}
