import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { usageError } from '../errors.js';
import { samplesDir as defaultSamplesDir, samplesIndexFile } from '../paths.js';
import { globToRegExp, isGlob } from './glob.js';
import { pathPrefix } from './schema-files.js';
import { didYouMean } from './suggest.js';

/** A bundled sample: samples/<event_type>/<name>.json. */
export interface SampleRef {
  eventType: string;
  name: string;
  path: string;
}

/** The sample a bare event type stands for. */
export const DOC_SAMPLE = 'doc';

/** What the samples index holds: each event type's sample names, in listing order. */
export type SamplesIndex = Record<string, string[]>;

function sampleTypes(dir: string): string[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return undefined;
  }
}

function refs(dir: string, index: SamplesIndex): SampleRef[] {
  const out: SampleRef[] = [];
  // Names are folder and file names (no separators, no dots to resolve): joined once, not per type or sample (at
  // start-up node:path runs in V8's interpreter: a join a type was ~3 ms of `replay --list`).
  const prefix = pathPrefix(dir);
  for (const [eventType, names] of Object.entries(index)) {
    const typeDir = prefix + eventType;
    for (const name of names) out.push({ eventType, name, path: `${typeDir}${sep}${name}.json` });
  }
  return out;
}

/** Every sample in `dir` read from the folders, never from the index: type → names, `doc` first, then by name. */
export function scanSamples(dir: string, types: readonly string[] = sampleTypes(dir) ?? []): SamplesIndex {
  const index: SamplesIndex = {};
  for (const eventType of types) {
    index[eventType] = readdirSync(join(dir, eventType))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .sort((a, b) => (a === DOC_SAMPLE ? -1 : b === DOC_SAMPLE ? 1 : a.localeCompare(b)));
  }
  return index;
}

/**
 * The build's listing of the bundled samples (dist/bundle/samples.json, written from samples/ by every build), or
 * undefined when there is none or it is not one. A sample added since the build is seen after the next build, like
 * any other change to the package.
 */
function indexedSamples(): SamplesIndex | undefined {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(samplesIndexFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof index !== 'object' || index === null || Array.isArray(index)) return undefined;
  return Object.values(index).every((names) => Array.isArray(names) && names.every((n) => typeof n === 'string')) ? (index as SamplesIndex) : undefined;
}

/**
 * Every bundled sample, sorted by event type, `doc` first, then by name: from the build's listing (reading the 237
 * folders to check it was ~0.6 ms of `replay --list`); another directory, or a package without the listing, from its
 * folders.
 */
export function listSamples(dir: string = defaultSamplesDir): SampleRef[] {
  const indexed = dir === defaultSamplesDir ? indexedSamples() : undefined;
  if (indexed !== undefined) return refs(dir, indexed);
  const types = sampleTypes(dir);
  if (types === undefined) return [];
  return refs(dir, scanSamples(dir, types));
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
