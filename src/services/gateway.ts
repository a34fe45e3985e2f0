import { ExitCode, usageError, UserError } from '../errors.js';
import { formatFaultSpec, type FaultSpec } from '../gateway/fault-spec.js';
import type { ClientPick, Gateway, GatewayEvent, GatewayOptions } from '../gateway/types.js';
import type { CommandIO } from '../io.js';
import { writeOut } from '../report/stream-writer.js';
import type { ClientConfig } from '../protocol/frame.js';

/** What `gateway` does, complete and checked (commands/gateway.ts makes it from flags). */
export interface GatewayServiceOptions {
  port: number;
  host: string;
  appId?: string;
  appSecret?: string;
  fragmentSize?: number;
  redeliver: boolean;
  ackTimeoutMs: number;
  /** Re-pushes of one event at most. */
  repush: number;
  faults: FaultSpec[];
  clientConfig: ClientConfig;
  pick: ClientPick;
  json: boolean;
}


function listenError(error: unknown, options: GatewayServiceOptions): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') throw usageError(`port ${options.port} on ${options.host} is already in use`, 'is another gateway running? pick another --port, or --port 0 for a free one');
  if (code === 'EACCES') throw usageError(`not allowed to listen on port ${options.port}`, 'ports below 1024 need privileges: pick a higher --port');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAFNOSUPPORT') {
    throw usageError(`--host ${options.host}: cannot listen on that address (${code})`, 'use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0');
  }
  throw error;
}

/** Resolves when `signal` aborts. */
function stopRequested(signal: AbortSignal): { promise: Promise<void>; dispose: () => void } {
  let dispose = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    if (signal.aborted) resolve();
    signal.addEventListener('abort', stop, { once: true });
    dispose = () => signal.removeEventListener('abort', stop);
  });
  return { promise, dispose };
}

/** The gateway = server + banner + live log (stderr, or NDJSON on stdout), until `signal` aborts. Resolves to the exit code. */
export async function serveGateway(options: GatewayServiceOptions, io: CommandIO, signal: AbortSignal): Promise<number> {
  const { startGateway } = await import('../gateway/server.js');
  const { colorLevel, makeChalk } = await import('../report/color.js');
  const c = await makeChalk(colorLevel(io.stderr, io.env));
  const { formatGatewayEvent } = await import('../report/gateway-log.js');

  // Until the domain line is out, events wait: scripts read the first line of stdout to find the gateway.
  let ready = false;
  const early: GatewayEvent[] = [];
  const log = (event: GatewayEvent): void => {
    if (!ready) {
      early.push(event);
      return;
    }
    if (options.json) {
      io.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const line = formatGatewayEvent(event, c);
    if (line !== undefined) io.stderr.write(`${line}\n`);
  };

  const stop = stopRequested(signal);
  const gatewayOptions: GatewayOptions = {
    port: options.port,
    host: options.host,
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    ...(options.appSecret !== undefined ? { appSecret: options.appSecret } : {}),
    ...(options.fragmentSize !== undefined ? { fragmentSize: options.fragmentSize } : {}),
    redeliver: options.redeliver && options.repush > 0,
    ackTimeoutMs: options.ackTimeoutMs,
    maxRedeliveries: options.repush,
    faults: options.faults,
    clientConfig: options.clientConfig,
    pick: options.pick,
    onEvent: log,
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway(gatewayOptions);
  } catch (error) {
    stop.dispose();
    if (error instanceof UserError) throw error;
    listenError(error, options);
  }

  try {
    if (options.json) {
      ready = true;
      for (const event of early.splice(0)) log(event);
    } else {
      await writeOut(io.stdout, `${gateway.domain}\n`);
      const auth = options.appId !== undefined || options.appSecret !== undefined ? `only ${options.appId ?? 'any app id'}${options.appSecret !== undefined ? ' with its secret' : ''}` : 'any app id and secret';
      io.stderr.write(
        `${c.bold('feishu-events gateway')} on ${c.cyan(gateway.domain)}\n` +
          `  apps:    new WSClient({ appId, appSecret, domain: '${gateway.domain}' })  (${auth})\n` +
          `  api:     new Client({ appId, appSecret, domain: '${gateway.domain}' }): its calls are answered and recorded\n` +
          `  push:    feishu-events replay --gateway ${gateway.domain} [events…]\n` +
          `  acks:    ${options.ackTimeoutMs} ms to ack with code 200, then ${options.redeliver && options.repush > 0 ? `re-push (at most ${options.repush} times)` : 'no re-push'}` +
          `${options.fragmentSize !== undefined ? ` · fragments of ${options.fragmentSize} B` : ''} · ${options.pick}\n` +
          `  faults:  feishu-events gateway fault <kind> --gateway ${gateway.domain}` +
          `${options.faults.length > 0 ? ` · at start: ${options.faults.map(formatFaultSpec).join(', ')}` : ''}\n` +
          `  ${c.dim('Ctrl-C to stop')}\n`,
      );
      ready = true;
      // The `listening` event says what the banner just said; the rest (start-up faults) goes to the log.
      for (const event of early.splice(0)) if (event.type !== 'listening') log(event);
    }
    await stop.promise;
  } finally {
    stop.dispose();
    await gateway.close();
  }
  return ExitCode.ok;
}

