// Which /open-apis/ paths exist: those the installed official SDK can call. Its API table is generated from the
// platform's API metadata, so a path (and method) it does not know is one the platform answers with a 404.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ApiTemplate {
  method: string;
  /** `/open-apis/im/v1/messages/:message_id/reply` */
  template: string;
  segments: string[];
  /** Literal segments: the more, the more specific. */
  literals: number;
}

export interface KnownApis {
  /** The template a call matches, or undefined when no API of that method and path exists. */
  match(method: string, path: string): ApiTemplate | undefined;
  /** How many APIs the table holds; 0 when the SDK could not be read (every path is then taken as known). */
  readonly size: number;
}

function toTemplate(method: string, template: string): ApiTemplate {
  const segments = template.split('/').filter(Boolean);
  return { method, template, segments, literals: segments.filter((s) => !s.startsWith(':')).length };
}

/** Read the method and path of every API call the node SDK's bundle makes (`url: fillApiPath(…), method: "…"`). */
export function parseSdkApis(source: string): ApiTemplate[] {
  const seen = new Set<string>();
  const out: ApiTemplate[] = [];
  const pattern = /url: fillApiPath\(`\$\{this\.domain\}(\/open-apis\/[^`]+)`, path\),\s*method: "([A-Z]+)"/g;
  for (const match of source.matchAll(pattern)) {
    const key = `${match[2]} ${match[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(toTemplate(match[2] as string, match[1] as string));
  }
  return out;
}

export function createKnownApis(templates: readonly ApiTemplate[]): KnownApis {
  const byLength = new Map<number, ApiTemplate[]>();
  for (const t of templates) {
    const list = byLength.get(t.segments.length) ?? [];
    list.push(t);
    byLength.set(t.segments.length, list);
  }
  return {
    size: templates.length,
    match(method, path) {
      const segments = path.split('/').filter(Boolean);
      let best: ApiTemplate | undefined;
      for (const t of byLength.get(segments.length) ?? []) {
        if (t.method !== method) continue;
        if (!t.segments.every((s, i) => (s.startsWith(':') ? segments[i] !== '' : s === segments[i]))) continue;
        if (best === undefined || t.literals > best.literals) best = t;
      }
      return best;
    },
  };
}

/** The installed SDK's API table; an empty table when it cannot be found (then no path is refused). */
export function loadSdkApis(): KnownApis {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@larksuiteoapi/node-sdk');
    return createKnownApis(parseSdkApis(readFileSync(main, 'utf8')));
  } catch {
    return createKnownApis([]);
  }
}

export function templateParams(template: ApiTemplate, path: string): Record<string, string> {
  const segments = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  template.segments.forEach((s, i) => {
    if (!s.startsWith(':')) return;
    const raw = segments[i] ?? '';
    try {
      params[s.slice(1)] = decodeURIComponent(raw);
    } catch {
      params[s.slice(1)] = raw;
    }
  });
  return params;
}
