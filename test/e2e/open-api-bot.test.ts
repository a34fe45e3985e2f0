// "Prove your bot replies once": a bot built on the official SDK (WSClient + Client, both pointed at the gateway)
// gets an event twice; the gateway's Open API records what it did about it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from '../../src/gateway/server.js';
import type { Gateway } from '../../src/gateway/types.js';
import type { CallRecord } from '../../src/gateway/open-api/types.js';
import { root } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { BOT_APP_ID, startBot, type Bot } from '../helpers/bot.js';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { silentLogger, waitUntil, type Json } from '../helpers/gateway.js';

// require, not import: the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

/** Where the deadline is not the point: room for a busy machine (replay runs in this process, beside the apps). */
const ROOM = ['--timeout', '20000'];

let gateway: Gateway;
const sample = JSON.parse(readFileSync(join(root, 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8')) as { header: Record<string, unknown> };
const withEventId = (eventId: string): unknown => ({ ...sample, header: { ...sample.header, event_id: eventId } });

before(async () => {
  gateway = await startGateway({ ackTimeoutMs: 10_000 });
});
after(() => gateway.close());

// The SDK caches tokens per app id for the whole process: a new app id per bot makes each fetch its own token.
let bots = 0;
async function withBot<T>(dedupe: 'none' | 'event_id' | 'message_id', run: (bot: Bot) => Promise<T>): Promise<T> {
  const bot = startBot(gateway.domain, { dedupe, appId: `${BOT_APP_ID.slice(0, -2)}${String(++bots).padStart(2, '0')}` });
  try {
    await bot.ready;
    return await run(bot);
  } finally {
    bot.close();
    await waitUntil(() => gateway.clients().length === 0, 'the bot to disconnect');
  }
}

test('a bot without de-duplication replies to an event and to its re-push: both replies are recorded against the event', async () => {
  await withBot('none', async (bot) => {
    const first = await gateway.push(withEventId('evt-dup-none'));
    const second = await gateway.push(withEventId('evt-dup-none'));
    assert.equal(first.ack_code, 200);
    assert.equal(second.ack_code, 200);
    assert.equal(bot.replies.length, 2, 'the bot replied twice');
    const calls = gateway.calls({ eventId: 'evt-dup-none' });
    const replies = calls.filter((c) => c.kind === 'reply');
    assert.equal(replies.length, 2);
    assert.deepEqual(
      replies.map((c) => [c.app_id, c.target, c.text, c.event?.push, c.event?.by]),
      [
        [bot.appId, 'om_ec85ff7d6c00491a337b429bc3c03e28', 'hello', first.message_id, 'message_id'],
        [bot.appId, 'om_ec85ff7d6c00491a337b429bc3c03e28', 'hello', second.message_id, 'message_id'],
      ],
      'each reply is tied to the delivery that caused it',
    );
    const token = calls.find((c) => c.kind === 'token') as CallRecord;
    assert.equal(token?.event?.by, 'in_flight', 'the token request came while the first delivery was in flight');
    assert.deepEqual(bot.errors, [], 'the SDK Client saw no error');
  });
});

test('the same bot with a message_id cache replies once', async () => {
  await withBot('message_id', async (bot) => {
    await gateway.push(withEventId('evt-dup-cached'));
    await gateway.push(withEventId('evt-dup-cached'));
    assert.equal(bot.handled.length, 2, 'the handler ran for both deliveries');
    assert.equal(gateway.calls({ eventId: 'evt-dup-cached' }).filter((c) => c.kind === 'reply').length, 1);
  });
});

const jsonLines = (text: string): Json[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

test('replay --duplicate 1 --max-calls-per-event 1 fails for the bot without de-duplication, naming the event and both replies', async () => {
  await withBot('none', async () => {
    const r = await runInProcess(['replay', 'im.message.receive_v1', '--gateway', gateway.domain, '--duplicate', '1', '--max-calls-per-event', '1', ...ROOM]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const finding = /^✗ im\.message\.receive_v1 ([0-9a-f]{32}): 2 reply calls, more than --max-calls-per-event 1$/m.exec(r.stdout);
    assert.ok(finding, r.stdout);
    const eventId = finding[1] as string;
    assert.match(r.stdout, new RegExp(`^✓ 200 .* im\\.message\\.receive_v1  ${eventId}  → client-\\d+\\n {4}→ token\\n {4}→ reply om_ec85ff7d… "hello"$`, 'm'), 'the first row lists its calls');
    assert.match(r.stdout, / {4}→ reply om_ec85ff7d… "hello" {2}\(delivery #1\)\n {4}→ reply om_ec85ff7d… "hello" {2}\(duplicate 1\)/, 'both replies named, each with its delivery');
    assert.match(r.stdout, /^Open API: 3 calls: 2 reply, 1 token$/m);

    const json = await runInProcess(['replay', 'im.message.receive_v1', '--gateway', gateway.domain, '--duplicate', '1', '--max-calls-per-event', '1', '--json', ...ROOM]);
    assert.equal(json.code, 1);
    const lines = jsonLines(json.stdout);
    const deliveries = lines.filter((l) => l.type === 'delivery');
    assert.deepEqual(
      deliveries.map((d) => (d.calls as Json[]).filter((c) => c.kind === 'reply').length),
      [1, 1],
      'each delivery line carries the reply it caused',
    );
    const over = lines.find((l) => l.type === 'calls_over_limit') as Json;
    assert.deepEqual([over.kind, over.count, over.limit, over.event_id], ['reply', 2, 1, deliveries[0]?.event_id]);
    assert.deepEqual((over.calls as Json[]).map((c) => c.push), deliveries.map((d) => d.message_id), 'the replies name the pushes that caused them');
    const summary = lines.at(-1) as Json;
    // The SDK keeps its token from the run before: replies only this time.
    assert.deepEqual(summary.calls, { total: 2, by_kind: { reply: 2 }, untied: 0, over_limit: 1, max_per_event: 1 });
  });
});

test('replay --duplicate 1 --max-calls-per-event 1 passes for the bot with an event_id cache', async () => {
  await withBot('event_id', async (bot) => {
    const r = await runInProcess(['replay', 'im.message.receive_v1', '--gateway', gateway.domain, '--duplicate', '1', '--max-calls-per-event', '1', ...ROOM]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(bot.handled.length, 2, 'both deliveries reached the handler');
    assert.match(r.stdout, /^Open API: 2 calls: 1 reply, 1 token$/m);
    assert.match(r.stdout, /^✓ no event caused more than 1 call of a kind$/m);
  });
});

test('--max-calls-per-event without --gateway is a usage error', async () => {
  const r = await runInProcess(['replay', 'im.message.receive_v1', '--max-calls-per-event', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--max-calls-per-event needs --gateway/);
});

test('a marketplace (ISV) app: its Client asks for an app_ticket, the gateway pushes one over the long connection, then its calls get tokens', async () => {
  const appId = 'cli_15f15f15f15f15f1';
  const cache = new Map();
  const start = gateway.calls().at(-1)?.seq ?? 0;
  const client = new lark.Client({ appId, appSecret: 's', appType: lark.AppType.ISV, domain: gateway.domain, cache: cache as never, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  const dispatcher = new lark.EventDispatcher({ cache: cache as never, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  let ready: () => void = () => {};
  const connected = new Promise<void>((resolve) => (ready = resolve));
  const started = new lark.WSClient({ appId, appSecret: 's', domain: gateway.domain, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger, onReady: () => ready() });
  void started.start({ eventDispatcher: dispatcher });
  try {
    await connected;
    const send = (): Promise<unknown> =>
      client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_isv', msg_type: 'text', content: '{"text":"hi"}' } }, lark.withTenantKey('tenant-1'));
    // No ticket yet: the SDK asks for one and sends the call without a token.
    await assert.rejects(send(), (error: { response?: { data: { code: number } } }) => error.response?.data.code === 99991661);
    await waitUntil(() => gateway.pushes().some((p) => p.event_type === 'app_ticket' && p.state === 'acked'), 'the app_ticket push to be acked');
    const sent = (await send()) as { code: number };
    assert.equal(sent.code, 0);
    // The Client asks for a ticket when it is made (no app of it connected yet: nothing pushed) and again at the call.
    assert.deepEqual(
      gateway.calls({ after: start }).map((c) => `${c.api} ${c.code}`),
      ['auth.v3.app_ticket 0', 'auth.v3.app_ticket 0', 'im.v1.message.create 99991661', 'auth.v3.app_access_token 0', 'auth.v3.tenant_access_token 0', 'im.v1.message.create 0'],
    );
  } finally {
    started.close({ force: true });
    await waitUntil(() => gateway.clients().length === 0, 'the app to disconnect');
  }
});
