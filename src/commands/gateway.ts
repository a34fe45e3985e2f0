import { isIP } from 'node:net';
import { usageError, UserError } from '../errors.js';
import { writeOut, type CommandIO } from '../io.js';
import type { ClientConfig } from '../protocol/frame.js';
import { parseDuration } from '../delivery/schedule.js';
import type { ClientPick, Gateway, GatewayEvent, GatewayOptions } from '../gateway/types.js';

export interface GatewayCommandOptions {
  port: number;
  host: string;
  appId?: string;
  appSecret?: string;
  fragmentSize?: number;
  redeliver: boolean;
  ackTimeoutMs: number;
  clientConfig: ClientConfig;
  pick: ClientPick;
  json: boolean;
}

const PICKS: readonly ClientPick[] = ['round-robin', 'random'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw usageError(`${flag} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw usageError(`${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, got ${value}`);
  return value;
}

function checkHost(raw: string): string {
  const host = raw.trim();
  // An IP address or a host name; no scheme, port or path.
  if (host === '' || (isIP(host) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/.test(host))) {
    throw usageError(`--host: "${raw}" is not an IP address or a host name`, 'e.g. --host 127.0.0.1 (default) or --host 0.0.0.0 to accept other machines');
  }
  return host;
}

/** Flags → a complete, checked options object. */
export function resolveGatewayOptions(flags: Record<string, unknown>): GatewayCommandOptions {
  const fragmentText = str(flags.fragmentSize);
  let ackTimeoutMs = 3000;
  const ackText = str(flags.ackTimeout);
  if (ackText !== undefined) {
    try {
      ackTimeoutMs = parseDuration(ackText);
    } catch (error) {
      throw usageError(`--ack-timeout: ${(error as Error).message}`);
    }
    if (ackTimeoutMs < 1) throw usageError('--ack-timeout must be more than 0');
  }
  const pick = str(flags.pick) ?? 'round-robin';
  if (!(PICKS as readonly string[]).includes(pick)) throw usageError(`--pick must be one of ${PICKS.join(', ')}, got "${pick}"`);
  const appId = str(flags.appId);
  const appSecret = str(flags.appSecret);
  return {
    port: wholeNumber('--port', str(flags.port), 0, 0, 65535),
    host: checkHost(str(flags.host) ?? '127.0.0.1'),
    ...(appId !== undefined ? { appId } : {}),
    ...(appSecret !== undefined ? { appSecret } : {}),
    ...(fragmentText !== undefined ? { fragmentSize: wholeNumber('--fragment-size', fragmentText, 0, 1) } : {}),
    redeliver: flags.redeliver !== false,
    ackTimeoutMs,
    clientConfig: {
      // PingInterval 0 would make the node SDK ping in a tight loop, and ReconnectInterval 0 retry in one.
      PingInterval: wholeNumber('--ping-interval', str(flags.pingInterval), 120, 1),
      ReconnectCount: wholeNumber('--reconnect-count', str(flags.reconnectCount), -1, -1),
      ReconnectInterval: wholeNumber('--reconnect-interval', str(flags.reconnectInterval), 120, 1),
      ReconnectNonce: wholeNumber('--reconnect-nonce', str(flags.reconnectNonce), 30, 0),
    },
    pick: pick as ClientPick,
    json: flags.json === true,
  };
}

function listenError(error: unknown, options: GatewayCommandOptions): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') throw usageError(`port ${options.port} on ${options.host} is already in use`, 'is another gateway running? pick another --port, or --port 0 for a free one');
  if (code === 'EACCES') throw usageError(`not allowed to listen on port ${options.port}`, 'ports below 1024 need privileges: pick a higher --port');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAFNOSUPPORT') {
    throw usageError(`--host ${options.host}: cannot listen on that address (${code})`, 'use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0');
  }
  throw error;
}

/** Resolves when SIGINT or SIGTERM arrives, or when `signal` aborts. */
function stopRequested(signal: AbortSignal | undefined): { promise: Promise<void>; dispose: () => void } {
  let dispose = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
    dispose = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    };
  });
  return { promise, dispose };
}

/** `feishu-events gateway`: run until SIGINT/SIGTERM (or `signal`), logging as it goes. Resolves to the exit code. */
export async function runGateway(flags: Record<string, unknown>, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const options = resolveGatewayOptions(flags);
  const { startGateway } = await import('../gateway/server.js');
  const { colorLevel, makeChalk } = await import('../report/color.js');
  const c = await makeChalk(colorLevel(io.stderr, io.env));
  const { formatGatewayEvent } = await import('../gateway/log-format.js');

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
    redeliver: options.redeliver,
    ackTimeoutMs: options.ackTimeoutMs,
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
          `  push:    feishu-events replay --gateway ${gateway.domain} [events…]\n` +
          `  acks:    ${options.ackTimeoutMs} ms to ack, then ${options.redeliver ? 're-push' : 'no re-push (--no-redeliver)'}` +
          `${options.fragmentSize !== undefined ? ` · fragments of ${options.fragmentSize} B` : ''} · ${options.pick}\n` +
          `  ${c.dim('Ctrl-C to stop')}\n`,
      );
      ready = true;
      // The `listening` event says what the banner just said.
      early.splice(0);
    }
    await stop.promise;
  } finally {
    stop.dispose();
    await gateway.close();
  }
  return 0;
}
