// replay --gateway … --fault-every <n>:<fault>: a fault into the gateway after every n-th delivery, and at the end
// the gateway's resilience report — did every event pushed around a fault end up acked, and only once?
import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import { ControlRefused, ControlUnreachable, fetchFaultReport, injectFault, summarizeFaults, waitForGateway } from '../gateway/control-client.js';
import { formatFaultSpec, type FaultSpec } from '../gateway/fault-spec.js';
import type { FaultRecord } from '../gateway/types.js';
import type { Transport } from './deliveries.js';

export interface FaultEvery {
  every: number;
  spec: FaultSpec;
}

export interface FaultInjection {
  transport: Transport;
  /** Faults injected so far, and those the gateway refused (e.g. no client connected at that moment). */
  injected(): { ok: number; refused: string[] };
  /**
   * Wait until no event of the report is still pending (or `settleMs` passed), then fetch it: the records of the
   * faults this run injected, not those of earlier runs or of `gateway fault` meanwhile. Undefined once `stopped()`
   * says to wait no more (SIGINT): a report with events still pending would blame the app for what was not waited for.
   */
  report(settleMs: number, stopped?: () => boolean): Promise<FaultRecord[] | undefined>;
}

/**
 * Wrap the gateway transport: after every `every`-th delivery (attempts counted once per delivery), inject the fault
 * — but not after the last of `total`: nothing would be pushed to show the recovery.
 */
export function withFaults(transport: Transport, gateway: string, fault: FaultEvery, total: number, io: { stderr: Writable }): FaultInjection {
  let deliveries = 0;
  let ok = 0;
  const refused: string[] = [];
  const ours = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  const inject = async (): Promise<void> => {
    try {
      for (const record of await injectFault(gateway, fault.spec)) ours.add(record.id);
      ok++;
      // The gateway is away for the pause: the next event goes out once it listens again (it keeps events itself).
      if (fault.spec.kind === 'restart') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!(await waitForGateway(gateway, fault.spec.pauseMs + 10_000))) io.stderr.write(`feishu-events: note: the gateway did not come back after ${formatFaultSpec(fault.spec)}\n`);
      }
    } catch (error) {
      if (!(error instanceof ControlRefused) && !(error instanceof ControlUnreachable)) throw error;
      refused.push(error.message);
      io.stderr.write(`feishu-events: note: fault ${formatFaultSpec(fault.spec)} after delivery ${deliveries} not injected: ${error.message}\n`);
    }
  };
  return {
    transport: {
      async send(delivery, attempt) {
        await chain;
        const outcome = await transport.send(delivery, attempt);
        if (attempt === 1) {
          deliveries++;
          if (deliveries % fault.every === 0 && deliveries < total) {
            chain = inject();
            await chain;
          }
        }
        return outcome;
      },
      ...(transport.close !== undefined ? { close: () => (transport.close as () => Promise<void>)() } : {}),
    },
    injected: () => ({ ok, refused: [...refused] }),
    async report(settleMs, stopped) {
      const deadline = performance.now() + settleMs;
      for (;;) {
        if (stopped?.() === true) return undefined;
        const records = (await fetchFaultReport(gateway)).filter((record) => ours.has(record.id));
        const pending = records.some((r) => r.events.some((e) => e.state === 'pending'));
        if (!pending || performance.now() > deadline) return records;
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (stopped?.() === true) return undefined;
      }
    },
  };
}

export interface ResilienceVerdict {
  type: 'resilience';
  faults: number;
  events: number;
  unacked: number;
  duplicates: number;
  recovered: number;
  active: number;
  /** Every event pushed around a fault was acked with code 200, and none more than once. */
  every_event_acked_once: boolean;
  records: FaultRecord[];
}

export function resilienceVerdict(records: FaultRecord[]): ResilienceVerdict {
  const summary = summarizeFaults(records);
  return { type: 'resilience', ...summary, every_event_acked_once: summary.unacked === 0 && summary.duplicates === 0, records };
}

/** The report for people: one line per fault and client, then the verdict. */
export function formatResilience(verdict: ResilienceVerdict, c: ChalkInstance, formatRecord: (r: FaultRecord, c: ChalkInstance) => string): string {
  const lines = ['', c.bold('resilience (from the gateway)')];
  for (const record of verdict.records) lines.push(`  ${formatRecord(record, c)}`);
  if (verdict.records.length === 0) lines.push('  no fault was injected');
  const acked = verdict.events - verdict.unacked;
  const mark = verdict.unacked > 0 ? c.red('✗') : verdict.duplicates > 0 ? c.yellow('⚠') : c.green('✓');
  lines.push(
    `${mark} ${acked}/${verdict.events} events pushed around faults acked with code 200` +
      `${verdict.duplicates > 0 ? `; ${verdict.duplicates} acked more than once (the app saw them again — handlers must be idempotent)` : '; each once'}` +
      `${verdict.active > 0 ? ` · ${verdict.active} fault(s) not recovered yet` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
