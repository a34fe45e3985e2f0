import { newId } from './ids.js';

export interface IssuedToken {
  token: string;
  kind: 'tenant' | 'app';
  appId: string;
  tenantKey?: string;
  issuedAt: number;
  expiresAt: number;
  /** Made invalid before its time by this fault (`api-token-expired`). */
  revokedBy?: string;
}

/** Why a call's token is refused, with the platform's code. */
export type TokenCheck = { ok: true; token: IssuedToken } | { ok: false; code: number; reason: 'missing' | 'unknown' | 'expired'; revokedBy?: string };

/** The platform's codes for a missing or invalid access token (the official Go SDK names the invalid ones). */
export const TokenCode = {
  missing: 99991661,
  tenantInvalid: 99991663,
  appInvalid: 99991664,
  userInvalid: 99991668,
  invalid: 99991671,
} as const;

export interface TokenStore {
  issue(kind: 'tenant' | 'app', appId: string, tenantKey?: string): IssuedToken;
  /** Check an `Authorization` header value. */
  check(authorization: string | undefined): TokenCheck;
  /** The `api-token-expired` fault: every token issued so far stops working; new requests get fresh ones. Returns how many. */
  revokeAll(by: string): number;
  readonly ttlSeconds: number;
}

const TOKEN_LIMIT = 10_000;

/** The code the platform answers for a token it does not accept, by the token's shape (`t-`, `a-`, `u-`/JWT). */
function invalidCode(token: string): number {
  if (token.startsWith('t-')) return TokenCode.tenantInvalid;
  if (token.startsWith('a-')) return TokenCode.appInvalid;
  if (token.startsWith('u-') || token.startsWith('eyJ')) return TokenCode.userInvalid;
  return TokenCode.invalid;
}

export function createTokenStore(ttlSeconds = 7200, now: () => number = Date.now): TokenStore {
  const tokens = new Map<string, IssuedToken>();
  return {
    ttlSeconds,
    issue(kind, appId, tenantKey) {
      const token: IssuedToken = {
        token: kind === 'tenant' ? newId.tenantToken() : newId.appToken(),
        kind,
        appId,
        ...(tenantKey !== undefined ? { tenantKey } : {}),
        issuedAt: now(),
        expiresAt: now() + ttlSeconds * 1000,
      };
      tokens.set(token.token, token);
      if (tokens.size > TOKEN_LIMIT) tokens.delete(tokens.keys().next().value as string);
      return token;
    },
    check(authorization) {
      // The platform treats a value without the `Bearer ` prefix as no token at all.
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return { ok: false, code: TokenCode.missing, reason: 'missing' };
      const value = match[1] as string;
      const token = tokens.get(value);
      if (token === undefined) return { ok: false, code: invalidCode(value), reason: 'unknown' };
      if (token.revokedBy !== undefined) return { ok: false, code: invalidCode(value), reason: 'expired', revokedBy: token.revokedBy };
      if (now() >= token.expiresAt) return { ok: false, code: invalidCode(value), reason: 'expired' };
      return { ok: true, token };
    },
    revokeAll(by) {
      let n = 0;
      for (const token of tokens.values()) {
        if (token.revokedBy !== undefined || now() >= token.expiresAt) continue;
        token.revokedBy = by;
        n++;
      }
      return n;
    },
  };
}
