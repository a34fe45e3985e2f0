// The ceiling for bench/tail.js: a bare WSClient (the official SDK) that only counts events.
// Usage: node bench/ws-counter.js <domain>   — prints "ready" once connected.
import * as lark from '@larksuiteoapi/node-sdk';

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
let count = 0;
const client = new lark.WSClient({
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'bench',
  domain: process.argv[2],
  logger: silent,
  loggerLevel: lark.LoggerLevel.error,
  onReady: () => process.stdout.write('ready\n'),
});
client.start({
  eventDispatcher: {
    invoke: async () => {
      count++;
      return undefined;
    },
  },
});
process.on('SIGTERM', () => {
  process.stderr.write(`${count}\n`);
  process.exit(0);
});
