import type { ChalkInstance } from 'chalk';
import type { ContractSummary, ProbeResult } from '../delivery/contract.js';
import { excerpt } from '../delivery/verdict.js';
import { escapeControl, maskUrlCredentials } from '../safe-text.js';
import { escapeXml } from './validate-junit.js';

interface Sink {
  write(text: string): unknown;
}

export interface ContractReporter {
  start(info: { target: string; eventType: string; source: string }): void;
  probe(result: ProbeResult): void;
  end(results: readonly ProbeResult[], summary: ContractSummary, context: { strict: boolean }): void;
}

const VERDICT_WORDS: Record<ProbeResult['verdict'], string> = {
  passed: 'passed',
  rejected: 'rejected',
  'treated-differently': 'treated differently',
  indistinguishable: 'indistinguishable',
  failed: 'failed',
  'not-sent': 'not sent',
};

const round1 = (value: number): number => Math.round(value * 10) / 10;

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** What each kind of finding means and what to do, said once under the table. */
function explanations(results: readonly ProbeResult[], strict: boolean): string[] {
  const lines: string[] = [];
  const required = results.filter((r) => r.probe.level === 'required' && r.verdict === 'indistinguishable');
  const advisory = results.filter((r) => r.probe.level === 'advisory' && r.verdict === 'indistinguishable');
  const valid = results.filter((r) => r.probe.level === 'valid' && r.verdict === 'failed');
  if (valid.length > 0) lines.push(`✗ ${valid.map((r) => r.probe.name).join(', ')}: what the platform sends was not answered as it requires (HTTP 200, within 3 s; the challenge echoed within 1 s).`);
  if (required.length > 0) {
    lines.push(
      `✗ ${required.map((r) => r.probe.name).join(', ')}: answered exactly as the valid delivery was, so replay cannot tell whether the app verified ${required.length === 1 ? 'it' : 'them'}.`,
      '  A node SDK app (EventDispatcher + adaptDefault) drops what fails its signature check and still answers 200, so to pass:',
      "  · return a value from your handlers: node SDK 1.60 and later answer it as the body (and '' when verification fails);",
      "    1.17 to 1.40 answer '' to every event whatever happened (adaptDefault: res.end('')), so only the next point helps there;",
      '  · or check X-Lark-Signature yourself and answer a status other than 200 when it does not match.',
    );
  }
  if (advisory.length > 0) {
    lines.push(
      `${strict ? '✗' : '⚠'} ${advisory.map((r) => r.probe.name).join(', ')}: accepted like a fresh delivery. The node SDK (1.17.0 to 1.74.0) verifies the signature only: it never checks`,
      '  the timestamp or the verification token of an encrypted event, so a captured delivery can be sent again later and is',
      '  accepted. To close it: refuse X-Lark-Request-Timestamp older than a few minutes, and event_ids already seen.',
      `  ${strict ? '(--strict: these fail the contract)' : 'Advisory: exit 0 (--strict makes them exit 1).'}`,
    );
  }
  const failed = results.filter((r) => r.probe.level !== 'valid' && r.probe.level !== 'info' && r.verdict === 'failed');
  if (failed.length > 0) lines.push(`✗ ${failed.map((r) => r.probe.name).join(', ')}: no proper answer to a request anyone can send — an app must answer (any status) and keep running.`);
  return lines;
}

function prettyReporter(out: Sink, c: ChalkInstance): ContractReporter {
  const markText = (mark: ProbeResult['mark']): string => (mark === 'ok' ? c.green('✓') : mark === 'warn' ? c.yellow('⚠') : mark === 'fail' ? c.red('✗') : c.dim('·'));
  return {
    start({ target, eventType, source }) {
      out.write(`${c.bold('contract')} ${maskUrlCredentials(target)}  ${c.dim(`with ${escapeControl(eventType)} (${escapeControl(source)}), encrypted + signed`)}\n\n`);
      out.write(c.dim(`  ${'probe'.padEnd(26)}${'level'.padEnd(10)}${'status'.padEnd(7)}${'time'.padStart(8)}  ${'verdict'.padEnd(21)}answer\n`));
    },
    probe(r) {
      const status = r.status === undefined ? '---' : String(r.status);
      // An answer may hold escape sequences: shown, not obeyed.
      const answer = r.verdict === 'not-sent' ? '' : r.body ? escapeControl(excerpt(r.body, 60)) : r.status !== undefined ? c.dim('(empty)') : '';
      const verdict = VERDICT_WORDS[r.verdict];
      const coloured = r.mark === 'ok' ? c.green(verdict.padEnd(21)) : r.mark === 'warn' ? c.yellow(verdict.padEnd(21)) : r.mark === 'fail' ? c.red(verdict.padEnd(21)) : verdict.padEnd(21);
      out.write(`${markText(r.mark)} ${r.probe.name.padEnd(26)}${r.probe.level.padEnd(10)}${status.padEnd(7)}${(r.verdict === 'not-sent' ? '' : ms(r.ms)).padStart(8)}  ${coloured}${answer}\n`);
      out.write(c.dim(`    sent: ${r.probe.sent}${r.reason && r.verdict !== 'passed' && r.verdict !== 'indistinguishable' ? ` — ${escapeControl(r.reason)}` : ''}\n`));
    },
    end(results, s, { strict }) {
      out.write(`\n${s.probes} probes: ${c.green(`${s.passed} passed`)}, ${s.findings > 0 ? c.yellow(`${s.findings} advisory finding${s.findings === 1 ? '' : 's'}`) : '0 advisory findings'}, ${s.failed > 0 ? c.red(`${s.failed} failed`) : '0 failed'}\n`);
      for (const line of explanations(results, strict)) out.write(`${line}\n`);
    },
  };
}

function jsonReporter(out: Sink): ContractReporter {
  const line = (value: unknown): void => {
    out.write(`${JSON.stringify(value)}\n`);
  };
  return {
    start() {},
    probe(r) {
      line({
        type: 'probe',
        probe: r.probe.id,
        name: r.probe.name,
        level: r.probe.level,
        sent: r.probe.sent,
        status: r.status ?? null,
        ms: round1(r.ms),
        ...(r.body !== undefined ? { body: r.body.slice(0, 1000) } : {}),
        verdict: r.verdict,
        mark: r.mark,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      });
    },
    end(_results, s) {
      line({ type: 'contract', probes: s.probes, passed: s.passed, findings: s.findings, failed: s.failed, exit_code: s.exitCode });
    },
  };
}

/**
 * JUnit XML: one testsuite, one testcase per probe. A probe that fails the contract is a <failure>; an advisory
 * finding is a <failure> with --strict and otherwise says so in <system-out>; a probe not sent is <skipped>.
 */
function junitReporter(out: Sink): ContractReporter {
  let target = '';
  let eventType = '';
  return {
    start(info) {
      target = info.target;
      eventType = info.eventType;
    },
    probe() {},
    end(results, s, { strict }) {
      const cases = results.map((r) => {
        const attrs = `name="${escapeXml(r.probe.name)}" classname="${escapeXml(`contract.${r.probe.level}`)}" time="${(r.ms / 1000).toFixed(3)}"`;
        // escapeXml makes any answer well-formed XML; a URL's password never reaches the report.
        const what = `sent: ${r.probe.sent}\nanswer: ${r.status ?? '---'} ${r.body !== undefined ? excerpt(r.body, 200) : ''}\nverdict: ${VERDICT_WORDS[r.verdict]}${r.reason ? ` (${r.reason})` : ''}`;
        const failing = r.mark === 'fail' || (r.mark === 'warn' && strict);
        if (r.verdict === 'not-sent' && !failing) return `    <testcase ${attrs}>\n      <skipped message="${escapeXml(r.reason ?? 'not sent')}"/>\n    </testcase>\n`;
        if (failing) return `    <testcase ${attrs}>\n      <failure message="${escapeXml(`${VERDICT_WORDS[r.verdict]}${r.reason ? `: ${r.reason}` : ''}`)}" type="${escapeXml(r.verdict)}">${escapeXml(what)}</failure>\n    </testcase>\n`;
        return `    <testcase ${attrs}>\n      <system-out>${escapeXml(r.mark === 'warn' ? `advisory finding\n${what}` : what)}</system-out>\n    </testcase>\n`;
      });
      const failures = results.filter((r) => r.mark === 'fail' || (r.mark === 'warn' && strict)).length;
      const skipped = results.filter((r) => r.verdict === 'not-sent' && !(r.mark === 'fail' || (r.mark === 'warn' && strict))).length;
      const time = (results.reduce((sum, r) => sum + r.ms, 0) / 1000).toFixed(3);
      out.write('<?xml version="1.0" encoding="UTF-8"?>\n');
      out.write(`<testsuites name="feishu-events contract" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">\n`);
      out.write(`  <testsuite name="${escapeXml(`contract ${maskUrlCredentials(target)} (${eventType})`)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">\n`);
      for (const testcase of cases) out.write(testcase);
      out.write('  </testsuite>\n</testsuites>\n');
      void s;
    },
  };
}

export function contractReporter(format: 'pretty' | 'json' | 'junit', out: Sink, c: ChalkInstance): ContractReporter {
  if (format === 'json') return jsonReporter(out);
  if (format === 'junit') return junitReporter(out);
  return prettyReporter(out, c);
}
