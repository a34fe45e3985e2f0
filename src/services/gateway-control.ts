// `gateway fault …` and `gateway report`: talk to a running gateway over its control API and print what it says.
import { ExitCode, UserError } from '../errors.js';
import type { FaultSpec } from '../gateway/fault-spec.js';
import type { FaultRecord } from '../gateway/types.js';
import type { CommandIO } from '../io.js';
import { writeOut } from '../report/stream-writer.js';

/** `gateway fault`, complete and checked (commands/gateway.ts makes it from words and flags). */
export interface GatewayFaultOptions {
  /** The running gateway's origin, e.g. http://127.0.0.1:PORT. */
  domain: string;
  spec: FaultSpec;
  /** Only this client (its id), else the gateway picks. */
  client?: string;
  json: boolean;
}

/** `gateway report`, complete and checked. */
export interface GatewayReportOptions {
  domain: string;
  json: boolean;
}

/** The control client's errors as the user's: unreachable or refused → exit 1, a refused request (400) → exit 2. */
async function controlCall<T>(run: () => Promise<T>): Promise<T> {
  const { ControlRefused, ControlUnreachable } = await import('../gateway/control-client.js');
  try {
    return await run();
  } catch (error) {
    if (error instanceof ControlUnreachable) throw new UserError(error.message, { exitCode: ExitCode.findings, hint: 'is `feishu-events gateway` running? pass the domain it printed to --gateway' });
    if (error instanceof ControlRefused) throw new UserError(`the gateway refused: ${error.message}`, { exitCode: error.status === 400 ? ExitCode.usage : ExitCode.findings });
    throw error;
  }
}

async function printReport(records: FaultRecord[], io: CommandIO, json: boolean): Promise<void> {
  if (json) {
    await writeOut(io.stdout, `${JSON.stringify({ faults: records })}\n`);
    return;
  }
  const { colorLevel, makeChalk } = await import('../report/color.js');
  const c = await makeChalk(colorLevel(io.stdout, io.env));
  const { formatFaultRecord } = await import('../report/gateway-log.js');
  await writeOut(io.stdout, records.length === 0 ? 'no faults injected yet\n' : `${records.map((r) => formatFaultRecord(r, c)).join('\n')}\n`);
}

/** Inject a fault into a running gateway and print what it opened. Resolves to the exit code. */
export async function injectGatewayFault(options: GatewayFaultOptions, io: CommandIO): Promise<number> {
  const { injectFault } = await import('../gateway/control-client.js');
  const records = await controlCall(() => injectFault(options.domain, options.spec, options.client));
  if (options.json) await writeOut(io.stdout, `${JSON.stringify({ faults: records })}\n`);
  else if (records.length === 0) await writeOut(io.stdout, `${options.spec.kind}: done\n`);
  else await writeOut(io.stdout, `${records.map((r) => `${r.id} ${r.spec}${r.client !== null ? ` → ${r.client}` : ''}`).join('\n')}\n`);
  return ExitCode.ok;
}

/** The resilience report of a running gateway. Exit 1 while an event of it is not acked with 200. */
export async function reportGatewayFaults(options: GatewayReportOptions, io: CommandIO): Promise<number> {
  const { fetchFaultReport, summarizeFaults } = await import('../gateway/control-client.js');
  const records = await controlCall(() => fetchFaultReport(options.domain));
  await printReport(records, io, options.json);
  return summarizeFaults(records).unacked > 0 ? ExitCode.findings : ExitCode.ok;
}
