import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { stripBom } from './bom.js';

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

export type SettingSource = 'flag' | 'env' | 'dotenv' | 'default';

export interface Resolved<T> {
  value: T;
  from: SettingSource;
}

/** One precedence for every setting: flag > environment variable > `.env` file > default. */
export function resolveSetting<T>(
  flag: T | undefined,
  name: string,
  sources: { env: Env; dotenv: Env },
  fallback: T,
  parse: (raw: string) => T = (raw) => raw as unknown as T,
): Resolved<T> {
  if (flag !== undefined) return { value: flag, from: 'flag' };
  const fromEnv = sources.env[name];
  if (fromEnv !== undefined && fromEnv !== '') return { value: parse(fromEnv), from: 'env' };
  const fromFile = sources.dotenv[name];
  if (fromFile !== undefined && fromFile !== '') return { value: parse(fromFile), from: 'dotenv' };
  return { value: fallback, from: 'default' };
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
