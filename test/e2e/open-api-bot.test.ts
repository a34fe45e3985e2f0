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
import { BOT_APP_ID, startBot, type Bot } from '../helpers/bot.js';
import { waitUntil } from '../helpers/gateway.js';

let gateway: Gateway;
const sample = JSON.parse(readFileSync(join(root, 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8')) as { header: Record<string, unknown> };
const withEventId = (eventId: string): unknown => ({ ...sample, header: { ...sample.header, event_id: eventId } });

before(async () => {
  gateway = await startGateway({ ackTimeoutMs: 10_000 });
});
after(() => gateway.close());

async function withBot<T>(dedupe: 'none' | 'event_id' | 'message_id', run: (bot: Bot) => Promise<T>): Promise<T> {
  const bot = startBot(gateway.domain, { dedupe });
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
        [BOT_APP_ID, 'om_ec85ff7d6c00491a337b429bc3c03e28', 'hello', first.message_id, 'message_id'],
        [BOT_APP_ID, 'om_ec85ff7d6c00491a337b429bc3c03e28', 'hello', second.message_id, 'message_id'],
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
