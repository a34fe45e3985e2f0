import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

let cached: string | undefined;

/** The package version, read once from package.json. */
export function packageVersion(): string {
  if (cached === undefined) {
    const raw = readFileSync(join(packageRoot, 'package.json'), 'utf8');
    cached = (JSON.parse(raw) as { version: string }).version;
  }
  return cached;
}

export function userAgent(): string {
  return `feishu-events/${packageVersion()} (node ${process.versions.node})`;
}
