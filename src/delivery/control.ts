// The control delivery: before the run, the first event in a form the app cannot accept. When the app answers
// the real deliveries exactly as it answered this one, replay cannot tell whether it read them (⚠).
import { buildDelivery, type HttpDelivery } from '../protocol/http-request.js';
import { CONTROL_EVENT_TYPE, signedWith, withEventType, wrongKey } from '../protocol/probes.js';
import { pooledRandom } from '../protocol/random.js';
import type { PlannedDelivery } from './deliveries.js';
import { sendHttp } from './http-sender.js';
import type { VerdictKind } from './verdict.js';
import { undiciAgent } from './undici-agent.js';

export interface ControlOutcome {
  /** How the control was made, in words: `hire.eco_exam.created_v1 signed with a wrong key`. */
  form: string;
  eventType: string;
  verdict: VerdictKind;
  status?: number;
  body?: string;
  ms: number;
  error?: string;
  hint?: string;
  /** The possible causes when the app answers real deliveries the same way, for this form of control. */
  causes: string[];
}

const KEYED_CAUSES = [
  "--encrypt-key may not be the app's Encrypt Key (the node SDK, 1.17.0 to 1.74.0, drops what fails its check, answering 200)",
  'the app does not verify X-Lark-Signature',
  'the handlers return nothing',
];

const PLAIN_CAUSES = [
  '--encrypt-key is missing and the app has one (the node SDK, 1.17.0 to 1.74.0, drops what fails its check, answering 200)',
  'the app answers every event alike, whatever its type',
];

/**
 * With an Encrypt Key: the first event, encrypted with the right key, signed with a wrong one. Without: the first
 * event, plaintext, under an event type no app subscribes to. (Not encrypted with a random key: the node SDK's
 * adaptDefault with autoChallenge throws on a body it cannot decrypt, which ends an app that does not catch it.)
 */
export function buildControl(first: PlannedDelivery, options: { url: string; userAgent: string; encryptKey?: string }): { request: HttpDelivery; form: string; eventType: string; causes: string[] } {
  const random = pooledRandom(1024);
  if (options.encryptKey) {
    const valid = buildDelivery(withEventType(first.envelope, first.eventType, random), { url: options.url, userAgent: options.userAgent, encryptKey: options.encryptKey, random });
    return { request: signedWith(valid, wrongKey(random)), form: `${first.eventType} signed with a wrong key`, eventType: first.eventType, causes: KEYED_CAUSES };
  }
  const request = buildDelivery(withEventType(first.envelope, CONTROL_EVENT_TYPE, random), { url: options.url, userAgent: options.userAgent, random });
  return { request, form: `${first.eventType} sent as ${CONTROL_EVENT_TYPE}, a type no app subscribes to`, eventType: CONTROL_EVENT_TYPE, causes: PLAIN_CAUSES };
}

export async function sendControl(first: PlannedDelivery, options: { url: string; userAgent: string; encryptKey?: string; timeoutMs: number }): Promise<ControlOutcome> {
  const Agent = undiciAgent();
  const dispatcher = new Agent({ connections: 1 });
  const control = buildControl(first, options);
  try {
    const outcome = await sendHttp(control.request, { timeoutMs: options.timeoutMs, dispatcher, encrypted: Boolean(options.encryptKey) });
    return {
      form: control.form,
      eventType: control.eventType,
      causes: control.causes,
      verdict: outcome.verdict,
      ms: outcome.ms,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.body !== undefined ? { body: outcome.body } : {}),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(outcome.hint !== undefined ? { hint: outcome.hint } : {}),
    };
  } finally {
    await dispatcher.close();
  }
}
