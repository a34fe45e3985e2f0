import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { packageRoot } from '../paths.js';
import { factSources, fieldRows, filterCatalog, listCatalog, readCatalogType, type CatalogDirs } from '../catalog/event-catalog.js';
import { listSamples } from '../catalog/samples.js';
import { usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { writeOut } from '../report/stream-writer.js';
import { catalogCounts, catalogEntryJson, formatCatalogTable, formatTypeDetails, typeDetailsJson, type TypeDetails } from '../report/events-text.js';

export type EventsOptions =
  | { action: 'list'; globs: string[]; json: boolean }
  | { action: 'show'; eventType: string; json: boolean }
  | { action: 'schema'; eventType: string };

const EXAMPLE_TYPE = 'im.message.receive_v1';

/** `events [globs…]`, `events show <type>`, `events schema <type>` → an options object. */
export function resolveEventsOptions(inputs: readonly string[], flags: Record<string, unknown>): EventsOptions {
  const json = flags.json === true;
  const [first, ...rest] = inputs;
  if (first !== 'show' && first !== 'schema') return { action: 'list', globs: [...inputs], json };
  if (rest.length !== 1) {
    throw usageError(
      rest.length === 0 ? `events ${first} needs an event type, e.g. feishu-events events ${first} ${EXAMPLE_TYPE}` : `events ${first} takes one event type, got ${rest.length}: ${rest.join(' ')}`,
    );
  }
  const eventType = rest[0] as string;
  return first === 'show' ? { action: 'show', eventType, json } : { action: 'schema', eventType };
}

/** Bundled files are named inside the package (`schemas/x.schema.json`), wherever it is installed; others as found. */
function shown(path: string, cwd: string): string {
  const inPackage = relative(packageRoot, path);
  if (!inPackage.startsWith('..') && !isAbsolute(inPackage)) return inPackage;
  return relative(cwd, path) || path;
}

/** The terminal's width when stdout is one; a pipe gets whole rows (`--json` has every field anyway). */
/** On a terminal, rows are cut to its width; string-width (report/cells.ts) costs ~30 ms to set up, so only then. */
async function terminalFit(io: CommandIO): Promise<((line: string) => string) | undefined> {
  if (!io.stdout.isTTY) return undefined;
  const width = io.stdout.columns ?? 80;
  const { fitCells } = await import('../report/cells.js');
  return (line) => fitCells(line, width);
}

/** The `events` command: list the catalogue, show one type, or print its schema. */
export async function runEvents(inputs: string[], flags: Record<string, unknown>, io: CommandIO, dirs: CatalogDirs = {}): Promise<number> {
  const options = resolveEventsOptions(inputs, flags);
  if (options.action === 'list') {
    const entries = filterCatalog(listCatalog(dirs), options.globs);
    if (options.json) {
      const counts = new Map<string, number>();
      for (const sample of listSamples(dirs.samplesDir)) counts.set(sample.eventType, (counts.get(sample.eventType) ?? 0) + 1);
      await writeOut(io.stdout, entries.map((e) => `${JSON.stringify(catalogEntryJson(e, counts.get(e.eventType) ?? 0))}\n`).join(''));
    } else {
      await writeOut(io.stdout, formatCatalogTable(entries, await terminalFit(io)));
      io.stderr.write(`${catalogCounts(entries)}\n`);
    }
    return 0;
  }
  const type = readCatalogType(options.eventType, dirs);
  if (options.action === 'schema') {
    await writeOut(io.stdout, type.schemaText.endsWith('\n') ? type.schemaText : `${type.schemaText}\n`);
    return 0;
  }
  const sampleText = type.sample ? readFileSync(type.sample.path, 'utf8') : undefined;
  const details: TypeDetails = {
    entry: type.entry,
    description: typeof type.schema.description === 'string' ? type.schema.description : undefined,
    rows: fieldRows(type.schema),
    factSources: factSources(type.schema),
    sample: type.sample && sampleText !== undefined ? { path: `${type.sample.eventType}/${type.sample.name}`, text: sampleText } : undefined,
    samples: type.samples.length,
    schemaPath: shown(type.entry.schemaFile, io.cwd),
  };
  if (options.json) {
    await writeOut(io.stdout, `${JSON.stringify(typeDetailsJson(details, sampleText === undefined ? undefined : JSON.parse(sampleText)))}\n`);
  } else {
    await writeOut(io.stdout, formatTypeDetails(details));
  }
  return 0;
}
