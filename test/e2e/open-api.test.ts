// The gateway's local Open API, spoken to by the official SDK's Client: tokens, message calls, refusals, records.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { startGateway } from '../../src/gateway/server.js';
import type { Gateway, GatewayEvent } from '../../src/gateway/types.js';
import { createEventLinks } from '../../src/gateway/open-api/event-links.js';
import { createKnownApis, parseSdkApis } from '../../src/gateway/open-api/known-apis.js';
import { describeCall } from '../../src/gateway/open-api/summary.js';
import { tallyCalls } from '../../src/delivery/gateway-calls.js';
import type { CallRecord } from '../../src/gateway/open-api/types.js';
import { FaultSpecError, formatFaultSpec, parseFaultSpec } from '../../src/gateway/fault-spec.js';
import { silentLogger } from '../helpers/gateway.js';
import { Chalk } from 'chalk';
import { formatGatewayEvent } from '../../src/report/gateway-log.js';

// require, not import: the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

const APP_ID = 'cli_a1b2c3d4e5f60718';
let gateway: Gateway;
let client: Lark.Client;
const events: GatewayEvent[] = [];

before(async () => {
  gateway = await startGateway({ onEvent: (e) => events.push(e) });
  client = new lark.Client({ appId: APP_ID, appSecret: 'any-secret', domain: gateway.domain, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
});
after(() => gateway.close());

const callsSince = (seq: number): CallRecord[] => gateway.calls({ after: seq });
const lastSeq = (): number => gateway.calls().at(-1)?.seq ?? 0;

async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(`${gateway.domain}${path}`, init);
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

test('the SDK Client gets a tenant token and sends, replies, reacts and patches with no error; answers have the platform shapes', async () => {
  const start = lastSeq();
  const sent = await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat', msg_type: 'text', content: JSON.stringify({ text: 'hello' }) } });
  assert.equal(sent.code, 0);
  assert.match(String(sent.data?.message_id), /^om_[0-9a-f]{32}$/);
  assert.equal(sent.data?.chat_id, 'oc_chat');
  assert.deepEqual(sent.data?.sender, { id: APP_ID, id_type: 'app_id', sender_type: 'app', tenant_key: sent.data?.sender?.tenant_key });
  const reply = await client.im.message.reply({ path: { message_id: String(sent.data?.message_id) }, data: { msg_type: 'text', content: JSON.stringify({ text: 'again' }) } });
  assert.equal(reply.data?.parent_id, sent.data?.message_id);
  assert.equal(reply.data?.root_id, sent.data?.message_id);
  assert.equal(reply.data?.chat_id, 'oc_chat', 'a reply lands in the chat of the message it answers');
  const reaction = await client.im.messageReaction.create({ path: { message_id: String(sent.data?.message_id) }, data: { reaction_type: { emoji_type: 'THUMBSUP' } } });
  assert.equal(reaction.data?.reaction_type?.emoji_type, 'THUMBSUP');
  assert.equal(reaction.data?.operator?.operator_type, 'app');
  const patched = await client.im.message.patch({ path: { message_id: String(reply.data?.message_id) }, data: { content: JSON.stringify({ header: { title: { content: 'Done' } } }) } });
  assert.deepEqual(patched, { code: 0, msg: 'success', data: {} });
  const card = await client.cardkit.v1.card.create({ data: { type: 'card_json', data: JSON.stringify({ schema: '2.0', body: { elements: [{ tag: 'markdown', content: '…' }] } }) } });
  assert.match(String(card.data?.card_id), /^\d{19}$/);
  const streamed = await client.cardkit.v1.cardElement.content({ path: { card_id: String(card.data?.card_id), element_id: 'md' }, data: { content: 'Thinking about it', sequence: 1 } });
  assert.equal(streamed.code, 0);
  // Any other API the SDK knows: success, with an empty data object.
  assert.deepEqual(await client.contact.v3.user.get({ path: { user_id: 'ou_x' } }), { code: 0, msg: 'success', data: {} });

  const calls = callsSince(start);
  assert.deepEqual(
    calls.map((c) => c.kind),
    ['token', 'send', 'reply', 'reaction', 'patch', 'card_create', 'card_stream', 'read'],
  );
  const token = calls[0] as CallRecord;
  assert.equal(token.app_id, APP_ID);
  assert.deepEqual(token.body, { app_id: APP_ID, app_secret: '<redacted>' }, 'the secret never reaches a record');
  assert.match(String((token.answer as Record<string, unknown>).tenant_access_token), /^t-…\w{4}$/, 'the token is masked in the record');
  assert.equal(JSON.stringify(calls).includes('any-secret'), false);
  assert.equal(describeCall(calls[1] as CallRecord), 'send oc_chat "hello"');
  assert.equal(describeCall(calls[2] as CallRecord), `reply ${String(sent.data?.message_id).slice(0, 11)}… "again"`);
  assert.equal(describeCall(calls[6] as CallRecord).startsWith('card_stream'), true);
  const replyEvent = events.find((e) => e.type === 'call' && e.kind === 'reply');
  assert.ok(replyEvent, 'every call is an event of the gateway log');
  assert.match(formatGatewayEvent(replyEvent, new Chalk({ level: 0 })) ?? '', new RegExp(`⇠ ${APP_ID} {2}reply om_[0-9a-f]{8}… "again"$`), 'and a line of its live log');
});

test('refusals: a missing or unknown token gets the platform code; an unknown path a plain-text 404, recorded', async () => {
  const start = lastSeq();
  const post = (headers: Record<string, string>): Promise<{ status: number; type: string; text: string }> =>
    raw('/open-apis/im/v1/messages?receive_id_type=chat_id', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"receive_id":"oc_1","msg_type":"text","content":"{}"}' });
  const missing = await post({});
  assert.equal(missing.status, 400);
  assert.equal((JSON.parse(missing.text) as { code: number }).code, 99991661);
  // Without the `Bearer ` prefix the platform sees no token at all.
  assert.equal((JSON.parse((await post({ authorization: 't-abc' })).text) as { code: number }).code, 99991661);
  const unknown = await post({ authorization: 'Bearer t-g1044NOTISSUED' });
  assert.equal(unknown.status, 400);
  assert.equal((JSON.parse(unknown.text) as { code: number }).code, 99991663);
  const nowhere = await raw('/open-apis/nowhere/v1/things', { headers: { authorization: 'Bearer t-x' } });
  assert.deepEqual([nowhere.status, nowhere.type.split(';')[0], nowhere.text], [404, 'text/plain', '404 page not found']);
  // A known path with the wrong method is an unknown path too.
  assert.equal((await raw('/open-apis/im/v1/messages/om_1/reply')).status, 404);
  const badSecret = await raw('/open-apis/auth/v3/tenant_access_token/internal', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"app_id":"test","app_secret":"s"}' });
  assert.deepEqual([badSecret.status, JSON.parse(badSecret.text)], [200, { code: 10003, msg: 'invalid param' }]);

  const calls = callsSince(start);
  assert.deepEqual(
    calls.map((c) => [c.kind, c.status, c.code]),
    [
      ['send', 400, 99991661],
      ['send', 400, 99991661],
      ['send', 400, 99991663],
      ['unknown_path', 404, -1],
      ['unknown_path', 404, -1],
      ['token', 200, 10003],
    ],
  );
  assert.equal(calls[3]?.path, '/open-apis/nowhere/v1/things');
  const listed = (await (await fetch(`${gateway.domain}/_feishu-events/calls?after=${start}`)).json()) as { calls: CallRecord[]; last_seq: number };
  assert.equal(listed.calls.length, calls.length, 'the control API returns the same records');
  assert.equal(listed.last_seq, lastSeq());
});

test('message validation: the platform refuses a send without receive_id_type or with content that is not JSON', async () => {
  await assert.rejects(
    client.im.message.create({ params: { receive_id_type: '' as 'chat_id' }, data: { receive_id: 'oc_1', msg_type: 'text', content: '{"text":"x"}' } }),
    (error: { response?: { status: number; data: { code: number } } }) => error.response?.status === 400 && error.response.data.code === 99992402,
  );
  await assert.rejects(
    client.im.message.reply({ path: { message_id: 'om_1' }, data: { msg_type: 'text', content: 'not json' } }),
    (error: { response?: { status: number; data: { code: number } } }) => error.response?.data.code === 230001,
  );
});

test('event links: a call naming a message id belongs to the event that carried it; else to the single delivery in flight', () => {
  const links = createEventLinks();
  const at = '2026-01-01T00:00:00.000Z';
  const receive = (eventId: string, messageId: string): unknown => ({
    schema: '2.0',
    header: { event_id: eventId, event_type: 'im.message.receive_v1' },
    event: { message: { message_id: messageId, chat_id: 'oc_same' }, sender: { sender_id: { open_id: 'ou_1' } } },
  });
  links.observe({ at, type: 'connected', client: 'client-1', app_id: APP_ID, remote: 'x', clients: 1 });
  links.noteEnvelope(receive('e1', 'om_a'));
  links.noteEnvelope(receive('e2', 'om_b'));
  links.observe({ at, type: 'push', message_id: 'p1', event_id: 'e1', event_type: 'im.message.receive_v1', attempt: 1, client: 'client-1', fragments: 1, bytes: 1 });
  links.observe({ at, type: 'push', message_id: 'p2', event_id: 'e2', event_type: 'im.message.receive_v1', attempt: 1, client: 'client-1', fragments: 1, bytes: 1 });
  // Two in flight: the message id decides.
  assert.deepEqual(links.link(APP_ID, [{ id: 'om_a', by: 'message_id' }]), { event_id: 'e1', event_type: 'im.message.receive_v1', push: 'p1', attempt: 1, by: 'message_id' });
  assert.equal(links.link(APP_ID, []), undefined, 'two deliveries in flight and no id: no guess');
  // The chat both name does not decide between them either.
  assert.equal(links.link(APP_ID, [{ id: 'oc_same', by: 'receive_id' }])?.event_id, 'e2', 'the weak id picks the most recent delivery in flight naming it');
  links.observe({ at, type: 'ack', message_id: 'p1', event_id: 'e1', attempt: 1, client: 'client-1', code: 200, ack_ms: 1, late: false });
  assert.deepEqual(links.link(APP_ID, []), { event_id: 'e2', event_type: 'im.message.receive_v1', push: 'p2', attempt: 1, by: 'in_flight' });
  assert.equal(links.link('cli_other', []), undefined, "a call of another app is not tied to this app's delivery");
  const reply = links.link(APP_ID, [{ id: 'om_a', by: 'message_id' }]);
  assert.equal(reply?.event_id, 'e1', 'after its ack, a reply naming the message still belongs to e1');
  links.noteCreated('om_reply', reply as NonNullable<typeof reply>);
  links.observe({ at, type: 'ack', message_id: 'p2', event_id: 'e2', attempt: 1, client: 'client-1', code: 200, ack_ms: 1, late: false });
  assert.equal(links.link(APP_ID, [{ id: 'om_reply', by: 'message_id' }])?.by, 'created_id', 'a patch of the reply belongs to e1 too');
  assert.equal(links.link(APP_ID, [{ id: 'om_reply', by: 'message_id' }])?.event_id, 'e1');
  assert.equal(links.link(APP_ID, []), undefined, 'nothing in flight, no id: not tied to an event');
});

test('known APIs: read from the SDK bundle; the most specific template wins', () => {
  const apis = createKnownApis(
    parseSdkApis(
      'url: fillApiPath(`${this.domain}/open-apis/im/v1/messages/:message_id`, path),\n method: "GET",\n' +
        'url: fillApiPath(`${this.domain}/open-apis/im/v1/messages/search`, path),\n method: "POST",\n' +
        'url: fillApiPath(`${this.domain}/open-apis/im/v1/messages/:message_id`, path),\n method: "POST",\n',
    ),
  );
  assert.equal(apis.size, 3);
  assert.equal(apis.match('POST', '/open-apis/im/v1/messages/search')?.template, '/open-apis/im/v1/messages/search');
  assert.equal(apis.match('GET', '/open-apis/im/v1/messages/om_1')?.template, '/open-apis/im/v1/messages/:message_id');
  assert.equal(apis.match('DELETE', '/open-apis/im/v1/messages/om_1'), undefined);
  assert.equal(apis.match('GET', '/open-apis/im/v1/messages/om_1/extra'), undefined);
});

test('fault words for the Open API parse, print back, and refuse what makes no sense', () => {
  assert.deepEqual(parseFaultSpec('api-rate-limit'), { kind: 'api-rate-limit', count: 1, code: 99991400 });
  assert.deepEqual(parseFaultSpec(['api-rate-limit', '3', 'code=230020', 'path=/im/v1/messages']), { kind: 'api-rate-limit', count: 3, code: 230020, path: '/im/v1/messages' });
  assert.deepEqual(parseFaultSpec('api-5xx 2 503'), { kind: 'api-5xx', count: 2, status: 503 });
  assert.deepEqual(parseFaultSpec('api-slow 1500'), { kind: 'api-slow', ms: 1500, count: 0 });
  assert.deepEqual(parseFaultSpec('api-token-expired'), { kind: 'api-token-expired' });
  assert.equal(formatFaultSpec(parseFaultSpec('api-rate-limit 3 code=230020')), 'api-rate-limit 3 code=230020');
  for (const bad of ['api-5xx 1 404', 'api-slow', 'api-rate-limit 0', 'api-rate-limit 1 2', 'api-token-expired 1', 'api-5xx 1 500 code=1', 'api-slow 10 path=']) {
    assert.throws(() => parseFaultSpec(bad), FaultSpecError, bad);
  }
});

test('Open API faults: a rate limit and a 5xx refuse the next call once (the retry goes through); the report says so', async () => {
  const start = lastSeq();
  const send = (): Promise<unknown> => client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_f', msg_type: 'text', content: '{"text":"retry me"}' } });
  const [limited] = await gateway.fault({ kind: 'api-rate-limit', count: 1, code: 99991400 });
  await assert.rejects(send(), (error: { response?: { status: number; data: { code: number }; headers: Record<string, string> } }) => {
    assert.equal(error.response?.status, 429);
    assert.equal(error.response?.data.code, 99991400);
    assert.equal(error.response?.headers['x-ogw-ratelimit-reset'], '1');
    return true;
  });
  await send();
  const [failing] = await gateway.fault({ kind: 'api-5xx', count: 1, status: 503 });
  await assert.rejects(send(), (error: { response?: { status: number } }) => error.response?.status === 503);
  await send();
  const calls = callsSince(start);
  assert.deepEqual(
    calls.map((c) => [c.status, c.fault_id ?? null]),
    [
      [429, limited?.id],
      [200, null],
      [503, failing?.id],
      [200, null],
    ],
  );
  const report = gateway.faults().filter((f) => f.id === limited?.id || f.id === failing?.id);
  assert.deepEqual(
    report.map((f) => [f.kind, f.state, f.calls?.shaped, f.calls?.retries, typeof f.calls?.retry_ok_ms]),
    [
      ['api-rate-limit', 'recovered', 1, 1, 'number'],
      ['api-5xx', 'recovered', 1, 1, 'number'],
    ],
  );
});

test('api-token-expired: node SDK 1.74 keeps its cached token and every call fails with 99991663 until the token would have expired', async () => {
  const appId = 'cli_e0e0e0e0e0e0e0e0';
  const app = new lark.Client({ appId, appSecret: 's', domain: gateway.domain, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  const send = (): Promise<unknown> => app.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_t', msg_type: 'text', content: '{"text":"x"}' } });
  await send();
  const [expired] = await gateway.fault({ kind: 'api-token-expired' });
  const refused = (error: { response?: { status: number; data: { code: number } } }): boolean => error.response?.status === 400 && error.response.data.code === 99991663;
  await assert.rejects(send(), refused);
  await assert.rejects(send(), refused, 'no new token was fetched: the SDK does not look at 99991663');
  const record = gateway.faults().find((f) => f.id === expired?.id);
  assert.deepEqual([record?.state, record?.calls?.shaped, record?.calls?.retry_ok_ms], ['active', 2, null]);
  // An app that fetches a new token (here: a new Client with its own cache) gets through, and the fault is over.
  const fresh = new lark.Client({ appId, appSecret: 's', domain: gateway.domain, cache: new Map() as never, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  await fresh.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_t', msg_type: 'text', content: '{"text":"x"}' } });
  assert.equal(gateway.faults().find((f) => f.id === expired?.id)?.state, 'recovered');
});

test('a send or reply that repeats a uuid of the last hour sends nothing again: the first message comes back, and the limit does not count it', async () => {
  const start = lastSeq();
  // Its own token cache: an earlier test revoked every token handed out so far.
  const app = new lark.Client({ appId: APP_ID, appSecret: 's', domain: gateway.domain, cache: new Map() as never, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  const send = (): Promise<{ data?: { message_id?: string } }> =>
    app.im.message.reply({ path: { message_id: 'om_0123456789abcdef0123456789abcdef' }, data: { msg_type: 'text', content: '{"text":"once"}', uuid: 'reply-to-evt-1' } });
  const first = await send();
  const again = await send();
  assert.equal(again.data?.message_id, first.data?.message_id, 'the platform answers with the message it sent the first time');
  const calls = callsSince(start);
  assert.deepEqual(calls.map((c) => [c.kind, c.repeat_of ?? null]), [['token', null], ['reply', null], ['reply', first.data?.message_id]]);
  calls.shift();
  assert.match(describeCall(calls[1] as CallRecord), /\(same uuid: not sent again\)$/);
  const linked = calls.map((c) => ({ ...c, event: { event_id: 'e', by: 'message_id' as const } }));
  assert.deepEqual(tallyCalls(linked, new Set(['e']), 1).findings, [], 'one message sent: within a limit of 1');
  const refused = { ...(linked[0] as CallRecord), seq: 999, status: 429, code: 99991400, repeat_of: undefined };
  assert.deepEqual(tallyCalls([refused, linked[0] as CallRecord], new Set(['e']), 1).findings, [], 'a refused call sent nothing either');
  assert.equal(tallyCalls([linked[0] as CallRecord, { ...(linked[0] as CallRecord), seq: 1000 }], new Set(['e']), 1).findings.length, 1);
});

test('a delayed card update belongs to the card.action.trigger whose token it carries, even after the ack', async () => {
  const links = createEventLinks();
  const at = '2026-01-01T00:00:00.000Z';
  links.noteEnvelope({ schema: '2.0', header: { event_id: 'card-1', event_type: 'card.action.trigger' }, event: { token: 'c-1a2b3c', context: { open_message_id: 'om_card', open_chat_id: 'oc_x' } } });
  links.observe({ at, type: 'push', message_id: 'p9', event_id: 'card-1', event_type: 'card.action.trigger', attempt: 1, client: 'client-1', fragments: 1, bytes: 1 });
  links.observe({ at, type: 'ack', message_id: 'p9', event_id: 'card-1', attempt: 1, client: 'client-1', code: 200, ack_ms: 1, late: false });
  assert.deepEqual(links.link(APP_ID, [{ id: 'c-1a2b3c', by: 'card_token' }]), { event_id: 'card-1', event_type: 'card.action.trigger', push: 'p9', attempt: 1, by: 'card_token' });
  assert.equal(links.link(APP_ID, [{ id: 'om_card', by: 'message_id' }])?.by, 'message_id', 'a patch of the card message too');

  const start = lastSeq();
  const app = new lark.Client({ appId: APP_ID, appSecret: 's', domain: gateway.domain, cache: new Map() as never, loggerLevel: lark.LoggerLevel.fatal, logger: silentLogger });
  const answer = await app.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: 'c-1a2b3c', card: { header: { title: { content: 'Approved' } } } } });
  assert.deepEqual(answer, { code: 0, msg: 'success', data: {} });
  const [, update] = callsSince(start);
  assert.deepEqual([update?.kind, update?.text, (update?.body as { token?: string }).token], ['card_update', 'Approved', '<redacted>'], 'the callback token is redacted in the record');
});
