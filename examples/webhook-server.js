#!/usr/bin/env node
// An event handler built the way the Feishu docs show it: the official SDK's EventDispatcher behind a plain
// node `http` server, with an Encrypt Key, a Verification Token and automatic url_verification answers.
//
//   node examples/webhook-server.js            # listens on http://127.0.0.1:3000/webhook/event
//   PORT=0 node examples/webhook-server.js     # any free port
//
// Settings: PORT, FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN (defaults below match `npm run demo`).
import { readdirSync } from 'node:fs';
import http from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';

export const EXAMPLE_ENCRYPT_KEY = 'demo-encrypt-key';
export const EXAMPLE_VERIFICATION_TOKEN = 'demo-verification-token';
export const EXAMPLE_PATH = '/webhook/event';

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
    .filter((entry) => entry.isDirectory() && entry.name !== 'app_ticket' && !EXAMPLE_EVENT_TYPES.includes(entry.name))
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
  const handle = lark.adaptDefault(EXAMPLE_PATH, dispatcher, { autoChallenge });

  const server = http.createServer((req, res) => {
    if (req.url !== EXAMPLE_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no handler at ${req.url}; events go to ${EXAMPLE_PATH}\n`);
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
  const { url } = await startExampleServer({
    port: env.PORT === undefined ? 3000 : Number(env.PORT),
    encryptKey: env.FEISHU_ENCRYPT_KEY ?? EXAMPLE_ENCRYPT_KEY,
    verificationToken: env.FEISHU_VERIFICATION_TOKEN ?? EXAMPLE_VERIFICATION_TOKEN,
    log: (line) => console.log(line),
  });
  console.log(`example handler listening on ${url}`);
}
