import { loadSettingSources, resolveSetting } from '../config.js';
import { usageError } from '../errors.js';
import { durationFlag, httpUrl, str, wholeNumber } from '../flags.js';
import type { CommandIO } from '../io.js';
import { colorLevel } from '../report/color.js';
import type { TailOptions } from '../services/tail.js';
import { APP_ID_PATTERN, resolveDomain } from '../tail/discovery.js';

/** Flags + environment + .env + profile → options; every problem is a one-line usage error. */
export function resolveTailOptions(flags: Record<string, unknown>, io: CommandIO): TailOptions {
  const sources = loadSettingSources(flags, io);
  const appId = resolveSetting(str(flags.appId), 'FEISHU_APP_ID', sources, '').value;
  const appSecret = resolveSetting(str(flags.appSecret), 'FEISHU_APP_SECRET', sources, '').value;
  if (!appId || !appSecret) {
    throw usageError(
      `tail needs the app's ${!appId ? 'app id' : 'app secret'}`,
      'pass --app-id/--app-secret, set FEISHU_APP_ID/FEISHU_APP_SECRET, put them in .env or a profile (`feishu-events profile add`) — or run `feishu-events gateway` and tail it with any cli_ id',
    );
  }
  if (!APP_ID_PATTERN.test(appId)) throw usageError(`--app-id: "${appId}" is not an app id (cli_ followed by 16 hex digits)`);
  const forwardTo = str(flags.forwardTo);
  if (forwardTo !== undefined) httpUrl('--forward-to', forwardTo);
  const encryptKey = resolveSetting(str(flags.encryptKey), 'FEISHU_ENCRYPT_KEY', sources, '').value;
  const verificationToken = resolveSetting(str(flags.verificationToken), 'FEISHU_VERIFICATION_TOKEN', sources, '').value;
  const maxEventsText = str(flags.maxEvents);
  const timeoutText = str(flags.timeout);
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
    capacity: wholeNumber('--keep', str(flags.keep), 5000, 1),
    ...(maxEventsText !== undefined ? { maxEvents: wholeNumber('--max-events', maxEventsText, 1, 1) } : {}),
    ...(timeoutText !== undefined ? { timeoutMs: durationFlag('--timeout', timeoutText, 0) } : {}),
    color: colorLevel(io.stdout, io.env) > 0 || (io.stdout.isTTY === true && io.env.FORCE_COLOR === undefined && !(io.env.NO_COLOR ?? '')),
  };
}

/** Ctrl-C and SIGTERM abort `signal` (cli.ts): the session ends cleanly (acks flushed, closed with 1000, the screen restored). */
export async function runTail(flags: Record<string, unknown>, io: CommandIO, signal: AbortSignal): Promise<number> {
  const options = resolveTailOptions(flags, io);
  const { tail } = await import('../services/tail.js');
  if (options.json) return tail(options, io, signal);
  return tail(options, io, signal, async () => (await import('../ui/tail-terminal.js')).openTailScreen(io));
}
