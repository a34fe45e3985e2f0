import { buildChallenge, checkChallengeResponse } from '../protocol/challenge.js';
import { isLegacyCardAction } from '../protocol/envelope-fields.js';
import { buildChallengeDelivery, buildDelivery, buildLegacyCardDelivery, signedNow } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import { startBodyEncoder } from './body-encoder.js';
import { inThreadEncoder, type EncoderSettings } from './body-encoding.js';
import { sendHttp, type HttpOutcome } from './http-sender.js';
import type { AttemptOutcome, PlannedDelivery, Transport } from './deliveries.js';
import { undiciAgent } from './undici-agent.js';

export interface HttpTransportOptions {
  url: string;
  /**
   * Encrypt and sign first pushes ahead of sending (the transport's `encode`), preparing events as given here; only
   * with an Encrypt Key. In a worker thread when `encodeInWorker`, else on this thread.
   */
  encodeAhead?: EncoderSettings['prepare'];
  /** A worker pays for itself on large replays only. */
  encodeInWorker?: boolean;
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

export async function createHttpTransport(options: HttpTransportOptions): Promise<Transport> {
  const Agent = undiciAgent();
  const dispatcher = new Agent({ connections: options.connections, pipelining: 1, keepAliveTimeout: 4_000 });
  const random = pooledRandom();
  const encoderSettings = options.encryptKey && options.encodeAhead ? { url: options.url, userAgent: options.userAgent, encryptKey: options.encryptKey, prepare: options.encodeAhead } : undefined;
  const isLegacy = (d: PlannedDelivery): boolean => d.legacy ?? isLegacyCardAction(d.envelope);
  const encoder = encoderSettings === undefined ? undefined : options.encodeInWorker ? await startBodyEncoder(encoderSettings, isLegacy) : inThreadEncoder(encoderSettings, isLegacy);
  const sendOptions = { timeoutMs: options.timeoutMs, dispatcher, encrypted: Boolean(options.encryptKey) };
  const buildOptions = { url: options.url, userAgent: options.userAgent, random, ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}) };
  return {
    ...(encoder ? { encode: (batch: readonly PlannedDelivery[]) => encoder.encode(batch) } : {}),
    async send(delivery: PlannedDelivery, attempt: number): Promise<AttemptOutcome> {
      let httpDelivery = delivery.prebuilt;
      if (httpDelivery !== undefined) {
        delivery.prebuilt = undefined;
        if (options.encryptKey) httpDelivery = signedNow(httpDelivery, options.encryptKey);
      }
      if (httpDelivery === undefined || attempt > 1) {
        // The legacy card action has its own form: plaintext, signed with the Verification Token.
        httpDelivery = isLegacy(delivery)
          ? buildLegacyCardDelivery(delivery.envelope, { url: options.url, userAgent: options.userAgent, random, ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}) })
          : buildDelivery(delivery.envelope, buildOptions);
      }
      const outcome = await sendHttp(httpDelivery, sendOptions);
      const note = noteFromAnswer(delivery.eventType, outcome);
      if (note) (outcome as AttemptOutcome).note = note;
      return outcome;
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
  const Agent = undiciAgent();
  const dispatcher = new Agent({ connections: 1 });
  const challenge = buildChallenge(options.verificationToken ?? '');
  const request = buildChallengeDelivery(challenge, {
    url: options.url,
    userAgent: options.userAgent,
    ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
  });
  try {
    const outcome = await sendHttp(request, { timeoutMs: CHALLENGE_DEADLINE_MS, dispatcher, purpose: 'challenge', encrypted: Boolean(options.encryptKey) });
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
