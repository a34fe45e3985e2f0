// A WSClient app in its own process, for one node SDK version: `node ws-app-child.js <package> <domain> [pingTimeoutSec]`.
// Versions before 1.74 have no close(): their timers would keep a test process alive, a child can simply be killed.
// Prints one JSON line per handler call ({"got": event_id, "call": n}), per SDK callback, and per unhandled rejection.
// A handler throws for every event whose event_id starts with "throw-".
import { createRequire } from 'node:module';

const [pkg = '@larksuiteoapi/node-sdk', domain = '', pingTimeout] = process.argv.slice(2);
const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lark = require(pkg) as typeof import('@larksuiteoapi/node-sdk');
const say = (value: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

// 1.26 has no try/catch around the handler: a throw becomes an unhandled rejection (and no ack). Count it, live on.
process.on('unhandledRejection', (reason) => say({ unhandled: String((reason as Error)?.message ?? reason) }));

const calls = new Map<string, number>();
const handler = async (data: Record<string, unknown>): Promise<void> => {
  const id = String(data.event_id ?? '');
  const call = (calls.get(id) ?? 0) + 1;
  calls.set(id, call);
  say({ got: id, call });
  if (id.startsWith('throw-')) throw new Error(`handler failed for ${id}`);
};

const client = new lark.WSClient({
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'any-secret',
  domain,
  loggerLevel: lark.LoggerLevel.fatal,
  logger: quiet,
  // Only 1.74+ reads these; older versions ignore unknown parameters.
  onReady: () => say({ state: 'ready' }),
  onError: (error: Error) => say({ state: 'error', message: error.message }),
  onReconnecting: () => say({ state: 'reconnecting' }),
  onReconnected: () => say({ state: 'reconnected' }),
  ...(pingTimeout !== undefined ? { wsConfig: { pingTimeout: Number(pingTimeout) } } : {}),
} as ConstructorParameters<typeof lark.WSClient>[0]);
const dispatcher = new lark.EventDispatcher({ logger: quiet, loggerLevel: lark.LoggerLevel.fatal }).register({
  'im.message.receive_v1': handler,
} as never);
void client.start({ eventDispatcher: dispatcher });
say({ started: pkg });
