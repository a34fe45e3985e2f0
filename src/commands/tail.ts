import { loadDotenv, resolveSetting } from '../config.js';
import { usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { colorLevel } from '../report/color.js';
import { parseDuration } from '../delivery/schedule.js';
import { APP_ID_PATTERN, resolveDomain } from '../tail/discovery.js';
import type { TailOptions } from '../tail/run.js';

export type { TailOptions };

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Flags + environment + .env → options; every problem is a one-line usage error. */
export function resolveTailOptions(flags: Record<string, unknown>, io: CommandIO): TailOptions {
  const sources = { env: io.env, dotenv: loadDotenv(io.cwd) };
  const appId = resolveSetting(str(flags.appId), 'FEISHU_APP_ID', sources, '').value;
  const appSecret = resolveSetting(str(flags.appSecret), 'FEISHU_APP_SECRET', sources, '').value;
  if (!appId || !appSecret) {
    throw usageError(
      `tail needs the app's ${!appId ? 'app id' : 'app secret'}`,
      'pass --app-id/--app-secret, set FEISHU_APP_ID/FEISHU_APP_SECRET, or put them in .env — or run `feishu-events gateway` and tail it with any cli_ id',
    );
  }
  if (!APP_ID_PATTERN.test(appId)) throw usageError(`--app-id: "${appId}" is not an app id (cli_ followed by 16 hex digits)`);
  const forwardTo = str(flags.forwardTo);
  if (forwardTo !== undefined) {
    let url: URL;
    try {
      url = new URL(forwardTo);
    } catch {
      throw usageError(`--forward-to: "${forwardTo}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--forward-to: "${forwardTo}" is not an http(s) URL`);
  }
  const encryptKey = resolveSetting(str(flags.encryptKey), 'FEISHU_ENCRYPT_KEY', sources, '').value;
  const verificationToken = resolveSetting(str(flags.verificationToken), 'FEISHU_VERIFICATION_TOKEN', sources, '').value;
  const capacityText = str(flags.keep) ?? '5000';
  if (!/^\d+$/.test(capacityText) || Number(capacityText) < 1) throw usageError(`--keep must be a whole number of at least 1, got "${capacityText}"`);
  const maxEventsText = str(flags.maxEvents);
  if (maxEventsText !== undefined && (!/^\d+$/.test(maxEventsText) || Number(maxEventsText) < 1)) throw usageError(`--max-events must be a whole number of at least 1, got "${maxEventsText}"`);
  let timeoutMs: number | undefined;
  const timeoutText = str(flags.timeout);
  if (timeoutText !== undefined) {
    try {
      timeoutMs = parseDuration(timeoutText);
    } catch (error) {
      throw usageError(`--timeout: ${(error as Error).message}`);
    }
    if (timeoutMs <= 0) throw usageError('--timeout must be more than 0');
  }
  return {
    appId,
    appSecret,
    domain: resolveDomain(resolveSetting(str(flags.domain), 'FEISHU_DOMAIN', sources, 'feishu').value),
    json: flags.json === true || !io.stdout.isTTY,
    ...(str(flags.save) !== undefined ? { save: str(flags.save) } : {}),
    filters: (flags.filter as string[] | undefined) ?? [],
    ...(forwardTo !== undefined ? { forwardTo } : {}),
    ...(encryptKey ? { encryptKey } : {}),
    ...(verificationToken ? { verificationToken } : {}),
    capacity: Number(capacityText),
    ...(maxEventsText !== undefined ? { maxEvents: Number(maxEventsText) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    color: colorLevel(io.stdout, io.env) > 0 || (io.stdout.isTTY === true && io.env.FORCE_COLOR === undefined && !(io.env.NO_COLOR ?? '')),
  };
}

export async function runTail(flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const options = resolveTailOptions(flags, io);
  // React's development build is several times slower and larger; the terminal UI wants the production one.
  if (!options.json && process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';
  // Ctrl-C and SIGTERM end the session cleanly (acks flushed, the connection closed with 1000, the screen restored).
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (options.json) return await (await import('../tail/run.js')).tailToStdout(options, io, controller.signal);
    return await (await import('../ui/tail-terminal.js')).tailToTerminal(options, io, controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
