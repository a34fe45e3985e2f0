#!/usr/bin/env node
// An event handler built the way the Feishu docs show it: the official SDK's EventDispatcher behind a plain
// node `http` server, with an Encrypt Key, a Verification Token and automatic url_verification answers.
//
//   node examples/webhook-server.js            # listens on http://127.0.0.1:3000/webhook/event
//                                              # card callbacks on /webhook/callback, legacy card actions on /webhook/card
//   PORT=0 node examples/webhook-server.js     # any free port
//
// Settings: PORT, FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN (defaults below match `npm run demo`).
import { readdirSync } from 'node:fs';
import http from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';

export const EXAMPLE_ENCRYPT_KEY = 'demo-encrypt-key';
export const EXAMPLE_VERIFICATION_TOKEN = 'demo-verification-token';
export const EXAMPLE_PATH = '/webhook/event';
/** The callback URL (card.action.trigger, url.preview.get): the console keeps it apart from the event URL. */
export const EXAMPLE_CALLBACK_PATH = '/webhook/callback';
/** The legacy card request URL (interactive message cards), answered by the SDK's CardActionHandler. */
export const EXAMPLE_CARD_PATH = '/webhook/card';
/** The callbacks the example answers. */
export const EXAMPLE_CALLBACK_TYPES = ['card.action.trigger', 'url.preview.get'];

/** The five documented event types this example subscribes to. */
export const EXAMPLE_EVENT_TYPES = [
  'hire.eco_background_check.created_v1',
  'hire.eco_background_check.canceled_v1',
  'hire.eco_exam.created_v1',
  'corehr.employee.domain_event_v2',
  'corehr.department.updated_v2',
];

/**
 * Every other event type feishu-events has a sample of (its catalogue of the SDK's event types), so that replaying
 * every bundled sample reaches a handler. `app_ticket` stays with the SDK's own handler, which caches the ticket.
 */
export function catalogueEventTypes() {
  const dir = new URL('../samples/', import.meta.url);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'app_ticket' && entry.name !== 'card.action.legacy' && !EXAMPLE_EVENT_TYPES.includes(entry.name) && !EXAMPLE_CALLBACK_TYPES.includes(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** A one-line description of what the handler got (the SDK hands handlers header and event flattened). */
function describe(type, data) {
  switch (type) {
    case 'hire.eco_background_check.created_v1':
      return `background check ${data.background_check_id} for ${data.candidate_info?.name ?? '?'}`;
    case 'hire.eco_background_check.canceled_v1':
      return `background check ${data.background_check_id} canceled: ${data.termination_reason ?? '-'}`;
    case 'hire.eco_exam.created_v1':
      return `exam ${data.exam_id} for ${data.candidate_info?.name ?? '?'}`;
    case 'corehr.employee.domain_event_v2':
      return `employment ${data.employment_id}: event ${data.event_type}/${data.sub_event_type}`;
    case 'corehr.department.updated_v2':
      return `department ${data.department_id}: ${(data.field_changes ?? []).join(', ') || 'no field changes'}`;
    default:
      return type;
  }
}

/** What a card callback is answered with: a toast, and for a submitted form a card that replaces the clicked one. */
function answerCardAction(data) {
  const action = data.action ?? {};
  if (action.form_value) {
    return {
      toast: { type: 'success', content: 'Submitted', i18n: { zh_cn: '已提交', en_us: 'Submitted' } },
      card: {
        type: 'raw',
        data: {
          header: { title: { tag: 'plain_text', content: 'Submitted' }, template: 'green' },
          elements: [
            { tag: 'div', text: { tag: 'lark_md', content: `**${Object.keys(action.form_value).length}** fields received` } },
            { tag: 'hr' },
            { tag: 'note', elements: [{ tag: 'plain_text', content: `by ${data.operator?.open_id ?? '?'}` }] },
          ],
        },
      },
    };
  }
  return { toast: { type: 'success', content: 'Approved' } };
}

/**
 * Start the example handler. `onEvent(type, data)` is called for every event a handler receives.
 * Resolves to { server, url, close }.
 */
export async function startExampleServer({
  port = 3000,
  host = '127.0.0.1',
  encryptKey = EXAMPLE_ENCRYPT_KEY,
  verificationToken = EXAMPLE_VERIFICATION_TOKEN,
  autoChallenge = true,
  onEvent = () => {},
  onCallback = () => {},
  log = () => {},
} = {}) {
  const handlers = {};
  for (const type of [...EXAMPLE_EVENT_TYPES, ...catalogueEventTypes()]) {
    handlers[type] = async (data) => {
      onEvent(type, data);
      log(`[app] ${type}  ${data.event_id ?? data.uuid}  ${describe(type, data)}`);
      return 'success';
    };
  }
  const dispatcher = new lark.EventDispatcher({
    encryptKey,
    verificationToken,
    loggerLevel: lark.LoggerLevel.error,
  }).register(handlers);
  const handleEvents = lark.adaptDefault(EXAMPLE_PATH, dispatcher, { autoChallenge });
  // Callbacks: their answer is what the user sees (a toast, a new card, a link preview).
  const callbacks = new lark.EventDispatcher({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error }).register({
    'card.action.trigger': async (data) => {
      onCallback('card.action.trigger', data);
      log(`[app] card.action.trigger  ${data.action?.tag ?? '?'}  ${JSON.stringify(data.action?.value ?? null)}`);
      return answerCardAction(data);
    },
    'url.preview.get': async (data) => {
      onCallback('url.preview.get', data);
      return { inline: { title: `Preview of ${data.context?.url ?? 'a link'}` } };
    },
  });
  const handleCallbacks = lark.adaptDefault(EXAMPLE_CALLBACK_PATH, callbacks, { autoChallenge });
  // Legacy card actions: the SDK's CardActionHandler checks their SHA-1 signature; the answer is a new card.
  const cards = new lark.CardActionHandler({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error }, async (data) => {
    onCallback('card.action.legacy', data);
    return { elements: [{ tag: 'div', text: { tag: 'plain_text', content: `${data.action?.tag ?? 'action'} received` } }] };
  });
  const handleCards = lark.adaptDefault(EXAMPLE_CARD_PATH, cards, { autoChallenge });
  const routes = { [EXAMPLE_PATH]: handleEvents, [EXAMPLE_CALLBACK_PATH]: handleCallbacks, [EXAMPLE_CARD_PATH]: handleCards };

  const server = http.createServer((req, res) => {
    const handle = routes[req.url ?? ''];
    if (!handle) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no handler at ${req.url}; events go to ${EXAMPLE_PATH}, callbacks to ${EXAMPLE_CALLBACK_PATH}, legacy card actions to ${EXAMPLE_CARD_PATH}\n`);
      return;
    }
    // With autoChallenge the SDK decrypts before it checks the signature, and a body it cannot decrypt
    // (a wrong Encrypt Key) makes it throw. Answer 500 instead of letting the process die.
    handle(req, res).catch((error) => {
      log(`[app] request failed: ${error.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`handler error: ${error.message}\n`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}${EXAMPLE_PATH}`;
  return {
    server,
    url,
    callbackUrl: `http://${host}:${address.port}${EXAMPLE_CALLBACK_PATH}`,
    cardUrl: `http://${host}:${address.port}${EXAMPLE_CARD_PATH}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const env = process.env;
  const { url, callbackUrl, cardUrl } = await startExampleServer({
    port: env.PORT === undefined ? 3000 : Number(env.PORT),
    encryptKey: env.FEISHU_ENCRYPT_KEY ?? EXAMPLE_ENCRYPT_KEY,
    verificationToken: env.FEISHU_VERIFICATION_TOKEN ?? EXAMPLE_VERIFICATION_TOKEN,
    log: (line) => console.log(line),
  });
  console.log(`example handler listening on ${url} (callbacks: ${callbackUrl}, legacy card actions: ${cardUrl})`);
}
