import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { samplesDir as defaultSamplesDir } from '../paths.js';
import { globToRegExp, isGlob } from './glob.js';
import { didYouMean } from './suggest.js';

/** A bundled sample: samples/<event_type>/<name>.json. */
export interface SampleRef {
  eventType: string;
  name: string;
  path: string;
}

/** The sample a bare event type stands for. */
export const DOC_SAMPLE = 'doc';

/** Every bundled sample, sorted by event type, `doc` first, then by name. */
export function listSamples(dir: string = defaultSamplesDir): SampleRef[] {
  const out: SampleRef[] = [];
  let types: string[];
  try {
    types = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return out;
  }
  for (const eventType of types) {
    const names = readdirSync(join(dir, eventType))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .sort((a, b) => (a === DOC_SAMPLE ? -1 : b === DOC_SAMPLE ? 1 : a.localeCompare(b)));
    for (const name of names) out.push({ eventType, name, path: join(dir, eventType, `${name}.json`) });
  }
  return out;
}

export function readSample(ref: SampleRef): unknown {
  return JSON.parse(readFileSync(ref.path, 'utf8'));
}

/** Does this input name samples (rather than a file)? Event types contain a dot and no path separators of files. */
export function looksLikeSampleSpec(input: string): boolean {
  return /^[A-Za-z0-9_.*?-]+(\/[A-Za-z0-9_*?-]+)?$/.test(input) && !/\.(json|ndjson|jsonl)$/i.test(input);
}

function representative(samples: SampleRef[]): SampleRef | undefined {
  return samples.find((s) => s.name === DOC_SAMPLE) ?? samples[0];
}

/**
 * Resolve a sample spec:
 * `type` → its documented example; `glob` → the documented example of each matching type;
 * `type/name` → that sample; `type/*` (or any glob after the slash) → the matching samples of the type.
 */
export function resolveSampleSpec(spec: string, all: SampleRef[] = listSamples()): SampleRef[] {
  const slash = spec.indexOf('/');
  const typePart = slash === -1 ? spec : spec.slice(0, slash);
  const namePart = slash === -1 ? undefined : spec.slice(slash + 1);
  const typeRe = globToRegExp(typePart);
  const byType = new Map<string, SampleRef[]>();
  for (const sample of all) {
    if (!typeRe.test(sample.eventType)) continue;
    const list = byType.get(sample.eventType) ?? [];
    list.push(sample);
    byType.set(sample.eventType, list);
  }
  if (byType.size === 0) {
    const known = [...new Set(all.map((s) => s.eventType))];
    if (isGlob(typePart)) throw usageError(`no bundled event type matches "${typePart}"`, '`feishu-events replay --list` lists the bundled samples');
    const near = didYouMean(typePart, known);
    throw usageError(
      `unknown event type "${typePart}"${near}`,
      `not a file either; \`feishu-events events\` lists the event types, \`feishu-events replay --list\` the samples`,
    );
  }
  const out: SampleRef[] = [];
  for (const [eventType, samples] of byType) {
    if (namePart === undefined) {
      const one = representative(samples);
      if (one) out.push(one);
      continue;
    }
    const nameRe = globToRegExp(namePart);
    const matched = samples.filter((s) => nameRe.test(s.name));
    if (matched.length === 0 && !isGlob(namePart)) {
      throw usageError(`no sample "${namePart}" for ${eventType}`, `samples of ${eventType}: ${samples.map((s) => s.name).join(', ')}`);
    }
    out.push(...matched);
  }
  return out;
}
