// Named profiles (one per app: test and production, Feishu and Lark), kept in the user's config directory:
// $XDG_CONFIG_HOME/feishu-events/config.json, or the platform's equivalent, written with mode 0600.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from './errors.js';

export type Brand = 'feishu' | 'lark';
export const BRANDS: readonly Brand[] = ['feishu', 'lark'];

/** One app's settings; secrets stay in the file and are never printed. */
export interface Profile {
  brand?: Brand;
  app_id?: string;
  app_secret?: string;
  encrypt_key?: string;
  verification_token?: string;
  /** feishu, lark or a URL (e.g. a local gateway); without it the brand decides. */
  domain?: string;
}

export interface ProfileConfig {
  /** The profile used when neither --profile nor FEISHU_EVENTS_PROFILE names one. */
  current?: string;
  profiles: Record<string, Profile>;
}

/** The fields of a profile, the environment variable each stands for, and whether it is a secret. */
export const PROFILE_FIELDS: ReadonlyArray<{ key: keyof Profile; env?: string; secret: boolean; flag: string }> = [
  { key: 'brand', secret: false, flag: '--brand' },
  { key: 'app_id', env: 'FEISHU_APP_ID', secret: false, flag: '--app-id' },
  { key: 'app_secret', env: 'FEISHU_APP_SECRET', secret: true, flag: '--app-secret' },
  { key: 'encrypt_key', env: 'FEISHU_ENCRYPT_KEY', secret: true, flag: '--encrypt-key' },
  { key: 'verification_token', env: 'FEISHU_VERIFICATION_TOKEN', secret: true, flag: '--verification-token' },
  { key: 'domain', env: 'FEISHU_DOMAIN', secret: false, flag: '--domain' },
];

/**
 * The user's home directory, as os.homedir() gives it: outside Windows that is $HOME when it is set and not empty
 * (libuv's uv_os_homedir; `env` is the process's in a run), else the password database's entry. node:os is required
 * only then (~0.5 ms of a start-up).
 */
function homedir(env: Readonly<Record<string, string | undefined>>): string {
  if (process.platform !== 'win32' && env.HOME) return env.HOME;
  return (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir();
}

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The config directory: $XDG_CONFIG_HOME, else %APPDATA% on Windows, ~/Library/Application Support on macOS, ~/.config. */
export function configDir(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform, home?: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return join(xdg, 'feishu-events');
  if (platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'feishu-events');
  if (platform === 'darwin') return join(home ?? homedir(env), 'Library', 'Application Support', 'feishu-events');
  return join(home ?? homedir(env), '.config', 'feishu-events');
}

export function configFile(env: Readonly<Record<string, string | undefined>>): string {
  return join(configDir(env), 'config.json');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The profiles in `file`; none when it does not exist. A file that is not ours to read is an input error. */
export function readProfileConfig(file: string): ProfileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { profiles: {} };
    throw new UserError(`${file}: cannot read (${code ?? String(error)})`, { exitCode: 2, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message})`, { exitCode: 2, cause: error, hint: 'fix or remove the file; `feishu-events profile add` writes a new one' });
  }
  if (!isRecord(parsed) || (parsed.profiles !== undefined && !isRecord(parsed.profiles))) {
    throw new UserError(`${file}: not a feishu-events config (expected {"profiles": {…}})`, { exitCode: 2 });
  }
  const profiles: Record<string, Profile> = {};
  for (const [name, raw] of Object.entries((parsed.profiles ?? {}) as Record<string, unknown>)) {
    if (!isRecord(raw)) continue;
    const profile: Profile = {};
    for (const { key } of PROFILE_FIELDS) {
      const value = raw[key];
      if (typeof value === 'string' && value !== '') (profile as Record<string, string>)[key] = value;
    }
    profiles[name] = profile;
  }
  return { ...(typeof parsed.current === 'string' ? { current: parsed.current } : {}), profiles };
}

/** Write the config readable by its owner only (0600, its directory 0700), whole or not at all. */
export function writeProfileConfig(file: string, config: ProfileConfig): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** A profile's settings under the names of the environment variables they stand for (brand → FEISHU_DOMAIN). */
export function profileSettings(profile: Profile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, env } of PROFILE_FIELDS) {
    const value = profile[key];
    if (env !== undefined && value !== undefined) out[env] = value;
  }
  if (out.FEISHU_DOMAIN === undefined && profile.brand !== undefined) out.FEISHU_DOMAIN = profile.brand;
  return out;
}
