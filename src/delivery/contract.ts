// replay --contract: a security and robustness suite against one endpoint. Each probe is one request built from
// the chosen event; its verdict compares what came back with the answer to the valid delivery.
import { buildChallenge, checkChallengeResponse } from '../protocol/challenge.js';
import { prepareEnvelope, type Envelope } from '../protocol/envelope.js';
import { buildChallengeDelivery, buildDelivery, type BuildDeliveryOptions, type HttpDelivery } from '../protocol/http-request.js';
import { signedWith, unsigned, withEventType, withTamperedCiphertext, withTimestampAge, withWrongKey, wrongKey } from '../protocol/probes.js';
import { pooledRandom } from '../protocol/random.js';
import type { HttpOutcome } from './http-sender.js';
import { excerpt } from './verdict.js';

/**
 * - `valid`: what the platform sends; it must be answered correctly (a failure always exits 1);
 * - `required`: a forgery an app must not accept: indistinguishable from the valid delivery exits 1;
 * - `advisory`: a replayed or mislabelled delivery the node SDK never checks: a finding, exit 1 only with --strict;
 * - `info`: shown for what it tells, never counted.
 */
export type ProbeLevel = 'valid' | 'required' | 'advisory' | 'info';

/**
 * - `passed`: a valid probe answered as the platform requires;
 * - `rejected`: answered with a status other than 200;
 * - `treated-differently`: 200, but not the valid delivery's answer (the app noticed something; replay cannot tell what);
 * - `indistinguishable`: the valid delivery's answer exactly: replay cannot tell whether the app checked anything;
 * - `failed`: no proper answer (none, late, reset, refused — or, for a valid probe, a wrong one);
 * - `not-sent`: the app stopped listening before this probe.
 */
export type ProbeVerdict = 'passed' | 'rejected' | 'treated-differently' | 'indistinguishable' | 'failed' | 'not-sent';

export type ProbeId =
  | 'challenge-encrypted'
  | 'challenge-plain'
  | 'valid'
  | 're-push'
  | 'bad-signature'
  | 'no-signature'
  | 'stale-timestamp'
  | 'wrong-token'
  | 'tampered-ciphertext'
  | 'wrong-key';

export interface Probe {
  id: ProbeId;
  name: string;
  level: ProbeLevel;
  /** What was sent, in words. */
  sent: string;
  /** A url_verification probe: its challenge value, checked in the answer. */
  challenge?: string;
  request: HttpDelivery;
}

export interface ProbeResult {
  probe: Omit<Probe, 'request'>;
  verdict: ProbeVerdict;
  status?: number;
  ms: number;
  body?: string;
  /** Why, in one line, when the verdict needs it. */
  reason?: string;
  /** ✓ passes, ⚠ an advisory finding, ✗ fails the contract, · not counted. */
  mark: 'ok' | 'warn' | 'fail' | 'info';
}

export interface ContractOptions {
  url: string;
  userAgent: string;
  encryptKey: string;
  verificationToken?: string;
  now?: number;
}

const HOUR_S = 3600;

/** The probes, in the order they are sent: the ones that may crash an app that does not catch errors come last. */
export function buildProbes(envelope: Envelope, eventType: string, options: ContractOptions): Probe[] {
  const random = pooledRandom(4096);
  const base: BuildDeliveryOptions & { encryptKey: string } = { url: options.url, userAgent: options.userAgent, encryptKey: options.encryptKey, random };
  // Every probe but the re-push carries its own event_id, as distinct events would.
  const fresh = (): Envelope => withEventType(envelope, eventType, random);
  const token = options.verificationToken ?? '';
  const encryptedChallenge = buildChallenge(token);
  const plainChallenge = buildChallenge(token);
  const valid = buildDelivery(envelope, base);
  return [
    {
      id: 'challenge-encrypted',
      name: 'challenge, encrypted',
      level: 'valid',
      sent: 'url_verification encrypted with the Encrypt Key, unsigned: what the console sends when the request URL is saved',
      challenge: encryptedChallenge.challenge,
      request: buildChallengeDelivery(encryptedChallenge, { url: options.url, userAgent: options.userAgent, encryptKey: options.encryptKey }),
    },
    {
      id: 'challenge-plain',
      name: 'challenge, plaintext',
      level: 'info',
      sent: 'url_verification in plaintext (the console sends it encrypted once an Encrypt Key is set)',
      challenge: plainChallenge.challenge,
      request: buildChallengeDelivery(plainChallenge, { url: options.url, userAgent: options.userAgent }),
    },
    { id: 'valid', name: 'valid delivery', level: 'valid', sent: 'the event, encrypted and signed as the platform does', request: valid },
    { id: 're-push', name: 're-push', level: 'valid', sent: 'the same event again, same event_id (a re-push must be answered 200 like the first)', request: buildDelivery(envelope, base) },
    { id: 'bad-signature', name: 'bad signature', level: 'required', sent: 'X-Lark-Signature made with another key', request: signedWith(buildDelivery(fresh(), base), wrongKey(random)) },
    { id: 'no-signature', name: 'no signature headers', level: 'required', sent: 'no X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature', request: unsigned(buildDelivery(fresh(), base)) },
    {
      id: 'stale-timestamp',
      name: 'timestamp an hour old',
      level: 'advisory',
      sent: 'X-Lark-Request-Timestamp one hour ago, correctly signed (a captured delivery sent again later)',
      request: withTimestampAge(fresh(), HOUR_S, { ...base, ...(options.now !== undefined ? { now: options.now } : {}) }),
    },
    {
      id: 'wrong-token',
      name: 'wrong verification token',
      level: 'advisory',
      sent: 'the token field is not the verification token; encrypted and correctly signed',
      request: buildDelivery(prepareEnvelope(fresh(), { keepIds: true, verificationToken: `wrong-${Buffer.from(random(6)).toString('hex')}` }), base),
    },
    { id: 'tampered-ciphertext', name: 'tampered ciphertext', level: 'required', sent: 'one byte of the encrypt field flipped (the decrypted JSON no longer parses), signed over the new body', request: withTamperedCiphertext(fresh(), base) },
    { id: 'wrong-key', name: 'wrong Encrypt Key', level: 'required', sent: 'encrypted and signed with another key', request: withWrongKey(fresh(), { url: options.url, userAgent: options.userAgent }, random) },
  ].map((probe) => probe as Probe);
}

function markOf(level: ProbeLevel, verdict: ProbeVerdict): ProbeResult['mark'] {
  if (level === 'info') return 'info';
  if (verdict === 'passed' || verdict === 'rejected' || verdict === 'treated-differently') return 'ok';
  if (level === 'advisory') return 'warn';
  return 'fail';
}

/** Judge one probe from its HTTP outcome; `valid` is the answer to the valid delivery, once known. */
export function judgeProbe(probe: Probe, outcome: HttpOutcome, valid: { status?: number; body?: string } | undefined): ProbeResult {
  const { request: _request, ...described } = probe;
  const answered = { ...(outcome.status !== undefined ? { status: outcome.status } : {}), ms: outcome.ms, ...(outcome.body !== undefined ? { body: outcome.body } : {}) };
  const result = (verdict: ProbeVerdict, reason?: string): ProbeResult => ({ probe: described, verdict, ...answered, ...(reason !== undefined ? { reason } : {}), mark: markOf(probe.level, verdict) });
  if (probe.challenge !== undefined) {
    if (!outcome.ok) return result('failed', outcome.error ?? 'no answer');
    const check = checkChallengeResponse(probe.challenge, outcome.status ?? 0, outcome.body ?? '');
    return check.ok ? result('passed', 'challenge echoed') : result('failed', check.reason);
  }
  if (probe.level === 'valid' || probe.level === 'info') return outcome.ok ? result('passed', 'delivered') : result('failed', outcome.error ?? 'not delivered');
  if (outcome.status === undefined) return result('failed', outcome.error ?? 'no answer');
  if (outcome.status !== 200) return result('rejected', `HTTP ${outcome.status}`);
  if (valid?.status === undefined) return result('treated-differently', 'answered 200; the valid delivery got no answer to compare with');
  if (valid.status === 200 && (valid.body ?? '') === (outcome.body ?? '')) {
    return result('indistinguishable', `answered exactly like the valid delivery (200 ${JSON.stringify(excerpt(outcome.body ?? '', 40))})`);
  }
  return result('treated-differently', 'answered 200, but not as the valid delivery was');
}

export interface ContractSummary {
  probes: number;
  passed: number;
  /** Advisory findings (⚠). */
  findings: number;
  /** Failures of the contract (✗). */
  failed: number;
  exitCode: number;
}

export function summarizeContract(results: readonly ProbeResult[], strict: boolean): ContractSummary {
  const counted = results.filter((r) => r.mark !== 'info');
  const failed = counted.filter((r) => r.mark === 'fail').length;
  const findings = counted.filter((r) => r.mark === 'warn').length;
  return {
    probes: results.length,
    passed: counted.filter((r) => r.mark === 'ok').length,
    findings,
    failed,
    exitCode: failed > 0 || (strict && findings > 0) ? 1 : 0,
  };
}
