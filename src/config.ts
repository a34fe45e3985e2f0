import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { stripBom } from './bom.js';
import { usageError } from './errors.js';
import { configFile, profileSettings, readProfileConfig } from './profiles.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parse a `.env` file with node's own parser (util.parseEnv): KEY=value lines, `#` comments, `export `, single,
 * double and backtick quotes, quoted values over several lines, `\n` in double quotes. A leading BOM is ignored.
 */
export function parseDotenv(text: string): Record<string, string> {
  return parseEnv(stripBom(text)) as Record<string, string>;
}

/** The `.env` file of a directory, or nothing when there is none. */
export function loadDotenv(dir: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(join(dir, '.env'), 'utf8');
  } catch {
    return {};
  }
  return parseDotenv(text);
}

export type SettingSource = 'flag' | 'env' | 'dotenv' | 'profile' | 'default';

export interface Resolved<T> {
  value: T;
  from: SettingSource;
}

/** Where settings come from besides flags. `profile` holds the chosen profile's values under their env names. */
export interface SettingSources {
  env: Env;
  dotenv: Env;
  profile?: Env;
  /** The chosen profile's name, for messages. */
  profileName?: string;
}

/**
 * The official lark-cli's environment names, accepted after ours so that one set of variables serves both tools
 * (LARKSUITE_CLI_BRAND is feishu or lark, which FEISHU_DOMAIN accepts too).
 */
export const ENV_FALLBACKS: Readonly<Record<string, string>> = {
  FEISHU_APP_ID: 'LARKSUITE_CLI_APP_ID',
  FEISHU_APP_SECRET: 'LARKSUITE_CLI_APP_SECRET',
  FEISHU_DOMAIN: 'LARKSUITE_CLI_BRAND',
};

function lookup(vars: Env, name: string): string | undefined {
  for (const key of [name, ENV_FALLBACKS[name]]) {
    if (key === undefined) continue;
    const value = vars[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * One precedence for every setting: flag > environment variable > `.env` file > profile > default. In the
 * environment and in `.env`, our name first, then lark-cli's (ENV_FALLBACKS).
 */
export function resolveSetting<T>(
  flag: T | undefined,
  name: string,
  sources: SettingSources,
  fallback: T,
  parse: (raw: string) => T = (raw) => raw as unknown as T,
): Resolved<T> {
  if (flag !== undefined) return { value: flag, from: 'flag' };
  const fromEnv = lookup(sources.env, name);
  if (fromEnv !== undefined) return { value: parse(fromEnv), from: 'env' };
  const fromFile = lookup(sources.dotenv, name);
  if (fromFile !== undefined) return { value: parse(fromFile), from: 'dotenv' };
  const fromProfile = sources.profile?.[name];
  if (fromProfile !== undefined && fromProfile !== '') return { value: parse(fromProfile), from: 'profile' };
  return { value: fallback, from: 'default' };
}

/** A setting that has no environment variable (e.g. gateway --app-id): flag > profile > default. */
export function flagOrProfile(flag: string | undefined, name: string, sources: SettingSources): string | undefined {
  if (flag !== undefined) return flag;
  const fromProfile = sources.profile?.[name];
  return fromProfile !== undefined && fromProfile !== '' ? fromProfile : undefined;
}

/**
 * The environment, `.env` and the profile for one run. The profile is the one --profile names, else
 * FEISHU_EVENTS_PROFILE (environment, then `.env`), else the one `profile use` chose; a name that is not in the
 * config file is a usage error. No config file and no name: no profile.
 */
export function loadSettingSources(flags: Record<string, unknown>, io: { env: Env; cwd: string }): SettingSources {
  const dotenv = loadDotenv(io.cwd);
  const flag = typeof flags.profile === 'string' ? flags.profile : undefined;
  const named = flag ?? lookup(io.env, 'FEISHU_EVENTS_PROFILE') ?? lookup(dotenv, 'FEISHU_EVENTS_PROFILE');
  const file = configFile(io.env);
  const config = readProfileConfig(file);
  const name = named ?? config.current;
  if (name === undefined) return { env: io.env, dotenv };
  const profile = config.profiles[name];
  if (profile === undefined) {
    if (named === undefined) return { env: io.env, dotenv }; // `profile use` chose one that was removed by hand
    const known = Object.keys(config.profiles);
    throw usageError(
      `${flag !== undefined ? '--profile' : 'FEISHU_EVENTS_PROFILE'}: no profile "${name}"${known.length > 0 ? ` (there are: ${known.join(', ')})` : ` in ${file}`}`,
      'add it with `feishu-events profile add <name> --app-id … --app-secret …`; `feishu-events profile list` shows them',
    );
  }
  return { env: io.env, dotenv, profile: profileSettings(profile), profileName: name };
}

/** Show that a secret is set without showing it. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '(not set)';
  return `set (${value.length} characters)`;
}

/** Partly mask an id for display: cli_a1b2…9f0e. */
export function maskId(value: string): string {
  if (value.length <= 10) return value;
  return `${value.slice(0, 8)}…${value.slice(-4)}`;
}
