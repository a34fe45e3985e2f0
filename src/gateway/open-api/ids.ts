import { randomBytes, randomInt } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function pick(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Ids shaped like the platform's, so that an app which checks a prefix or a length accepts them. */
export const newId = {
  /** `om_` + 32 hex, as in the documented events. */
  message: (): string => `om_${hex(16)}`,
  chat: (): string => `oc_${hex(16)}`,
  /** `t-g1044…`: tenant access tokens start with `t-`. */
  tenantToken: (): string => `t-g1044${pick(UPPER, 34)}`,
  /** `a-g1044…`: app access tokens start with `a-`. */
  appToken: (): string => `a-g1044${pick(UPPER, 34)}`,
  reaction: (): string => randomBytes(30).toString('base64url'),
  /** CardKit card ids are decimal numbers of 19 digits. */
  card: (): string => `7${String(randomInt(100_000_000, 1_000_000_000))}${String(randomInt(100_000_000, 1_000_000_000))}`,
  image: (): string => `img_v3_02${hex(2)}_${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}g`,
  file: (): string => `file_v3_00${hex(2)}_${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}g`,
  /** The platform's log ids: a timestamp and hex, upper case. */
  log: (): string => {
    const d = new Date();
    const pad = (n: number): string => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${hex(10).toUpperCase()}`;
  },
};

/** A credential as records show it: its kind and last four characters, never the whole. */
export function maskToken(token: string): string {
  if (token.length <= 8) return '<redacted>';
  return `${token.slice(0, 2)}…${token.slice(-4)}`;
}
