import { buildChallenge, checkChallengeResponse } from '../protocol/challenge.js';
import { isLegacyCardAction } from '../protocol/envelope-fields.js';
import { buildChallengeDelivery, buildDelivery, buildLegacyCardDelivery } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import { startBodyEncoder } from './body-encoder.js';
import { sendHttp, type HttpOutcome } from './http-sender.js';
import type { AttemptOutcome, PlannedDelivery, Transport } from './deliveries.js';

export interface HttpTransportOptions {
  url: string;
  /** The whole plan, when known: large encrypted plans are encrypted and signed ahead in a worker thread. */
  plan?: readonly PlannedDelivery[];
  encryptKey?: string;
  /** Signs legacy card actions (SHA-1 with the Verification Token). */
  verificationToken?: string;
  timeoutMs: number;
  userAgent: string;
  /** Sockets kept open to the endpoint (the replay's concurrency). */
  connections: number;
}

/**
 * What the node SDK's adapters answer says about the handler: they answer 200 whatever happened, with the
 * handler's return value as the body, or `"no <type> event handle"` when nothing is registered for the type.
 */
export function noteFromAnswer(eventType: string, outcome: HttpOutcome): string | undefined {
  if (!outcome.ok || outcome.body === undefined) return undefined;
  if (outcome.body.includes(`no ${eventType} event handle`)) return `the app has no handler registered for ${eventType}`;
  return undefined;
}

/** Below this many deliveries a worker thread costs more to start than it saves. */
const ENCODER_MIN_PLAN = 1000;

export async function createHttpTransport(options: HttpTransportOptions): Promise<Transport> {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ connections: options.connections, pipelining: 1, keepAliveTimeout: 4_000 });
  const random = pooledRandom();
  const encoder =
    options.encryptKey && options.plan && options.plan.length >= ENCODER_MIN_PLAN
      ? await startBodyEncoder(options.plan, { url: options.url, userAgent: options.userAgent, encryptKey: options.encryptKey })
      : undefined;
  return {
    async send(delivery: PlannedDelivery, attempt: number): Promise<AttemptOutcome> {
      // The legacy card action has its own form: plaintext, signed with the Verification Token.
      const legacy = isLegacyCardAction(delivery.envelope)
        ? buildLegacyCardDelivery(delivery.envelope, { url: options.url, userAgent: options.userAgent, random, ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}) })
        : undefined;
      const httpDelivery = legacy ?? (attempt === 1 ? encoder?.take(delivery.seq) : undefined) ?? buildDelivery(delivery.envelope, {
        url: options.url,
        userAgent: options.userAgent,
        random,
        ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
      });
      const outcome = await sendHttp(httpDelivery, { timeoutMs: options.timeoutMs, dispatcher, request, encrypted: Boolean(options.encryptKey) });
      const note = noteFromAnswer(delivery.eventType, outcome);
      return note ? { ...outcome, note } : outcome;
    },
    async close(closeOptions) {
      await encoder?.close();
      await (closeOptions?.force ? dispatcher.destroy() : dispatcher.close());
    },
  };
}

export interface ChallengeOutcome extends HttpOutcome {
  challenge: string;
  /** Why the answer does not pass, when it does not. */
  reason?: string;
}

/** The platform gives the endpoint 1 second to echo the challenge. */
export const CHALLENGE_DEADLINE_MS = 1000;

/** Send the url_verification request as the console does when a request URL is saved. */
export async function sendChallenge(options: {
  url: string;
  encryptKey?: string;
  verificationToken?: string;
  userAgent: string;
}): Promise<ChallengeOutcome> {
  const { Agent, request: undiciRequest } = await import('undici');
  const dispatcher = new Agent({ connections: 1 });
  const challenge = buildChallenge(options.verificationToken ?? '');
  const request = buildChallengeDelivery(challenge, {
    url: options.url,
    userAgent: options.userAgent,
    ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
  });
  try {
    const outcome = await sendHttp(request, { timeoutMs: CHALLENGE_DEADLINE_MS, dispatcher, request: undiciRequest, purpose: 'challenge', encrypted: Boolean(options.encryptKey) });
    // Not delivered (no answer, late, not 200…): the verdict and its hint say why.
    if (!outcome.ok) return { ...outcome, challenge: challenge.challenge, reason: outcome.error ?? 'no answer' };
    const check = checkChallengeResponse(challenge.challenge, outcome.status ?? 0, outcome.body ?? '');
    if (check.ok) return { ...outcome, ok: true, challenge: challenge.challenge };
    return {
      ...outcome,
      ok: false,
      challenge: challenge.challenge,
      reason: check.reason,
      hint: options.encryptKey
        ? 'the challenge is sent encrypted: the app must decrypt it with the same Encrypt Key (node SDK: adaptDefault(path, dispatcher, { autoChallenge: true }))'
        : 'answer {"challenge":"<the value received>"} (node SDK: adaptDefault(path, dispatcher, { autoChallenge: true }))',
    };
  } finally {
    await dispatcher.close();
  }
}
