import { randomUUID } from 'node:crypto';

/** The request the platform sends when a request URL is saved in the console. */
export interface UrlVerification {
  challenge: string;
  token: string;
  type: 'url_verification';
}

export function buildChallenge(verificationToken = '', challenge: string = randomUUID()): UrlVerification {
  return { challenge, token: verificationToken, type: 'url_verification' };
}

export type ChallengeCheck = { ok: true } | { ok: false; reason: string };

/** A correct answer is HTTP 200 with a JSON body `{"challenge": "<same value>"}`. */
export function checkChallengeResponse(expected: string, status: number, body: string): ChallengeCheck {
  if (status !== 200) return { ok: false, reason: `expected HTTP 200, got ${status}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the answer is not JSON' };
  }
  const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).challenge : undefined;
  if (value === undefined) return { ok: false, reason: 'the answer has no "challenge" field' };
  if (value !== expected) return { ok: false, reason: `the answer's challenge ${JSON.stringify(value)} is not the one sent` };
  return { ok: true };
}
