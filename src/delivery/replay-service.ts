import type { ReplayOptions } from '../commands/replay.js';
import type { CommandIO } from '../io.js';
import { bufferedWriter } from '../report/buffered-writer.js';
import { colorLevel, makeChalk } from '../report/color.js';
import { jsonReplayReporter, prettyReplayReporter, type ReplayReporter } from '../report/replay-report.js';
import { createHttpTransport, sendChallenge } from './http-transport.js';
import { emptySummary, planDeliveries, runDeliveries, type ReplayEvent, type Transport } from './replay.js';

/** replay = events → prepare → (challenge) → deliver → report. Resolves to the exit code. */
export async function replay(events: ReplayEvent[], options: ReplayOptions, io: CommandIO, agent: string): Promise<number> {
  const out = bufferedWriter(io.stdout);
  try {
    return await replayTo(events, options, io, agent, options.json ? jsonReplayReporter(out) : prettyReplayReporter(out, io.stderr, await makeChalk(colorLevel(io.stdout, io.env))));
  } finally {
    await out.flush();
  }
}

async function replayTo(events: ReplayEvent[], options: ReplayOptions, io: CommandIO, agent: string, reporter: ReplayReporter): Promise<number> {

  const plan = planDeliveries(events, {
    prepare: {
      keepIds: options.keepIds,
      overrides: options.overrides,
      ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}),
      ...(options.appId !== undefined ? { appId: options.appId } : {}),
      ...(options.tenantKey !== undefined ? { tenantKey: options.tenantKey } : {}),
    },
    duplicate: options.duplicate,
    shuffle: options.shuffle,
  });

  reporter.start({ target: options.gateway ?? options.to, deliveries: plan.length, encrypted: Boolean(options.encryptKey) && !options.gateway });
  let transport: Transport;
  if (options.gateway) {
    // Through a running `feishu-events gateway` to the WSClient apps connected to it.
    // Events over the long connection are plaintext and there is no challenge: say so rather than ignore flags.
    if (options.challenge) io.stderr.write('feishu-events: note: --challenge does not apply to the long connection; skipped\n');
    if (options.encryptKey) io.stderr.write('feishu-events: note: events over the long connection are plaintext; --encrypt-key only decrypts encrypted inputs\n');
    const { createGatewayTransport } = await import('./gateway-transport.js');
    transport = await createGatewayTransport({ gateway: options.gateway, timeoutMs: options.timeoutMs, waitClientMs: options.waitClientMs, io });
  } else {
    if (options.challenge) {
      const outcome = await sendChallenge({
        url: options.to,
        userAgent: agent,
        ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
        ...(options.verificationToken ? { verificationToken: options.verificationToken } : {}),
      });
      reporter.challenge(outcome);
      if (!outcome.ok) {
        reporter.summary({ ...emptySummary(plan, outcome.ms), failed: plan.length }, { challengeFailed: true });
        return 1;
      }
    }
    transport = await createHttpTransport({
      url: options.to,
      plan,
      timeoutMs: options.timeoutMs,
      userAgent: agent,
      connections: options.concurrency,
      ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
    });
  }

  try {
    const summary = await runDeliveries(plan, {
      transport,
      concurrency: options.concurrency,
      retrySchedule: options.retrySchedule,
      onAttempt: (report) => reporter.attempt(report),
    });
    reporter.summary(summary);
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await transport.close?.();
  }
}
