// replay --contract: send the probes one at a time, judge each, report them as a table, JSON lines or JUnit.
import { ExitCode, UserError, usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { interruptedWhileReading, loadReplayEvents, prepareOptionsOf, type ReplayOptions } from './replay.js';
import { streamWriter } from '../report/stream-writer.js';
import { colorLevel, makeChalk } from '../report/color.js';
import { contractReporter } from '../report/contract-report.js';
import { buildProbes, judgeProbe, summarizeContract, type ProbeResult } from '../delivery/contract.js';
import { CHALLENGE_DEADLINE_MS } from '../delivery/http-transport.js';
import { sendHttp } from '../delivery/http-sender.js';
import { planDeliveries } from '../delivery/deliveries.js';
import { undiciAgent } from '../delivery/undici-agent.js';

/**
 * SIGINT / SIGTERM (`signal`) stop the probes: the one in flight is cut off and not judged, the rows of those sent
 * stay, and stderr says the contract has no verdict.
 */
export async function runContract(options: ReplayOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const agent = options.userAgent;
  const events = await loadReplayEvents(options, io, signal);
  if (signal?.aborted) return interruptedWhileReading(io, signal, events.length);
  if (!options.encryptKey) {
    throw usageError(
      '--contract needs the app\'s Encrypt Key (--encrypt-key or FEISHU_ENCRYPT_KEY)',
      'its required probes forge signatures and ciphertexts; without an Encrypt Key the platform neither encrypts nor signs, and any sender can post events',
    );
  }
  // Say which flags the probes ignore, rather than ignore them silently.
  const ignored = [
    options.duplicate > 0 ? '--duplicate' : '',
    options.shuffle ? '--shuffle' : '',
    options.concurrency > 1 ? '--concurrency' : '',
    options.retrySchedule.length > 0 ? '--retries' : '',
    options.challenge ? '--challenge (the challenge is a probe)' : '',
    options.control ? '' : '--no-control',
  ].filter(Boolean);
  if (ignored.length > 0) io.stderr.write(`feishu-events: note: ${ignored.join(', ')} ${ignored.length === 1 ? 'does' : 'do'} not apply to --contract; ignored\n`);
  if (events.length > 1) io.stderr.write(`feishu-events: note: --contract probes with the first of ${events.length} input events (${events[0]?.source})\n`);
  const [first] = planDeliveries(events.slice(0, 1), {
    prepare: prepareOptionsOf(options),
  });
  if (!first) throw usageError('no event to probe with');
  const probes = buildProbes(first.envelope, first.eventType, {
    url: options.to,
    userAgent: agent,
    encryptKey: options.encryptKey,
    ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}),
  });

  const out = streamWriter(io.stdout);
  const reporter = contractReporter(options.format, out, await makeChalk(colorLevel(io.stdout, io.env)));
  const Agent = undiciAgent();
  // A fresh connection per probe: an app that closes the connection on a bad request must not fail the next one.
  const results: ProbeResult[] = [];
  let inFlight: { destroy(): Promise<void> } | undefined;
  const cutOff = (): void => void inFlight?.destroy().catch(() => {});
  signal?.addEventListener('abort', cutOff, { once: true });
  try {
    // The table's head comes with its first row: nothing is printed when nothing listens.
    let started = false;
    const report = (result: ProbeResult): void => {
      if (!started) reporter.start({ target: options.to, eventType: first.eventType, source: first.source });
      started = true;
      results.push(result);
      reporter.probe(result);
    };
    let valid: { status?: number; body?: string } | undefined;
    let previous: string | undefined;
    let stoppedAfter: string | undefined;
    for (const probe of probes) {
      if (signal?.aborted) break;
      if (stoppedAfter !== undefined) {
        const { request: _request, ...described } = probe;
        const result: ProbeResult = { probe: described, verdict: 'not-sent', ms: 0, reason: `not sent: the app stopped listening after the "${stoppedAfter}" probe`, mark: probe.level === 'info' ? 'info' : probe.level === 'advisory' ? 'warn' : 'fail' };
        report(result);
        continue;
      }
      const dispatcher = new Agent({ connections: 1, pipelining: 0 });
      let outcome;
      inFlight = dispatcher;
      try {
        outcome = await sendHttp(probe.request, {
          timeoutMs: probe.challenge !== undefined ? CHALLENGE_DEADLINE_MS : options.timeoutMs,
          dispatcher,
          purpose: probe.challenge !== undefined ? 'challenge' : 'event',
          encrypted: true,
        });
      } finally {
        inFlight = undefined;
        // Destroyed by a stop, it cannot be closed.
        if (!signal?.aborted) await dispatcher.close();
      }
      // A probe cut off by the stop says nothing about the app.
      if (signal?.aborted) break;
      if (outcome.verdict === 'refused') {
        if (previous === undefined) {
          throw new UserError(`cannot probe ${options.to}: connection refused`, { exitCode: ExitCode.findings, hint: outcome.hint ?? 'start your app, or point --to at it' });
        }
        stoppedAfter = previous;
      }
      let result = judgeProbe(probe, outcome, valid);
      if (stoppedAfter !== undefined) result = { ...result, reason: `connection refused: the app stopped listening after the "${stoppedAfter}" probe — did it crash on it? Check its log` };
      if (probe.id === 'valid') valid = { ...(outcome.status !== undefined ? { status: outcome.status } : {}), ...(outcome.body !== undefined ? { body: outcome.body } : {}) };
      previous = probe.name;
      report(result);
    }
    if (signal?.aborted) {
      io.stderr.write(`feishu-events: interrupted by ${String(signal.reason)}: ${results.length} of ${probes.length} probes judged; the contract has no verdict\n`);
      return ExitCode.findings;
    }
    const summary = summarizeContract(results, options.strict);
    reporter.end(results, summary, { strict: options.strict });
    return summary.exitCode;
  } finally {
    signal?.removeEventListener('abort', cutOff);
    await out.flush();
    out.dispose();
  }
}
