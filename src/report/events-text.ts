// Output of `feishu-events events`: the catalogue as a table or NDJSON, one type's fields and sample.
import type { CatalogEntry, FieldRow } from '../catalog/event-catalog.js';

/** The NDJSON object of one catalogue entry. */
export function catalogEntryJson(entry: CatalogEntry, samples: number): Record<string, unknown> {
  return {
    event_type: entry.eventType,
    title: entry.title,
    origin: entry.origin,
    ...(entry.generatedFrom !== undefined ? { generated_from: entry.generatedFrom } : {}),
    schema_version: entry.protocol,
    kind: entry.kind,
    deprecated: entry.deprecated,
    samples,
  };
}

/**
 * `TYPE  VER  ORIGIN  TITLE`, one row per type. Long types do not widen every row (the type column stops at 44
 * characters; a longer type pushes only its own title along), and with `fit` (a terminal's width: fitCells) each row
 * is cut to fit.
 */
export function formatCatalogTable(entries: readonly CatalogEntry[], fit?: (line: string) => string): string {
  const typeWidth = Math.min(44, Math.max('TYPE'.length, ...entries.map((e) => e.eventType.length)));
  const row = (type: string, version: string, origin: string, title: string): string => {
    const line = `${type.padEnd(typeWidth)}  ${version.padEnd(4)}  ${origin.padEnd(6)}  ${title}`.trimEnd();
    return fit !== undefined ? fit(line) : line;
  };
  const lines = [row('TYPE', 'VER', 'ORIGIN', 'TITLE')];
  for (const e of entries) lines.push(row(e.eventType, e.protocol, e.origin === 'hand-written' ? 'docs' : 'sdk', `${e.kind === 'callback' ? 'callback: ' : ''}${e.title}${e.deprecated ? ' (deprecated)' : ''}`));
  return `${lines.join('\n')}\n`;
}

/** `3 event types: 1 hand-written, 2 generated (1 of them schema 1.0)`: for stderr, after the table. Callbacks are counted where they are (hand-written). */
export function catalogCounts(entries: readonly CatalogEntry[]): string {
  const group = (origin: 'hand-written' | 'generated'): string => {
    const mine = entries.filter((e) => (e.origin === 'hand-written') === (origin === 'hand-written'));
    const v1 = mine.filter((e) => e.protocol === '1.0').length;
    const callbacks = mine.filter((e) => e.kind === 'callback').length;
    const notes = [v1 > 0 ? `${v1} of them schema 1.0` : '', callbacks > 0 ? `${callbacks} of them callback${callbacks === 1 ? '' : 's'}` : ''].filter((n) => n !== '');
    return `${mine.length} ${origin}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  };
  return `${entries.length} event type${entries.length === 1 ? '' : 's'}: ${group('hand-written')}, ${group('generated')}`;
}

/** A documented value as JSON, whole: `"p2p"`, `2`, `true`. */
function jsonLiteral(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
}

function valuesText(row: FieldRow): string {
  if (!row.values) return '';
  if (row.values.length === 1 && row.values[0] && !row.fact?.enumOpen) return `= ${jsonLiteral(row.values[0].value)}`;
  const list = row.values.map((v) => (v.meaning ? `${jsonLiteral(v.value)} ${v.meaning}` : jsonLiteral(v.value))).join(', ');
  return row.fact?.enumOpen ? `known values ${list}` : `one of ${list}`;
}

const UNIT_NAMES: Record<string, string> = { s: 'seconds', ms: 'milliseconds', date: 'YYYY-MM-DD', 'local-datetime': 'YYYY-MM-DD HH:mm:ss (UTC+8)' };

/** `[documented: oapi-sdk-java · ms]`, `[inferred: open_id]`: what is known about the field and whether a source says so. */
export function factText(row: FieldRow): string {
  const fact = row.fact;
  if (!fact) return '';
  const what = [
    fact.unit !== undefined ? UNIT_NAMES[fact.unit] ?? fact.unit : '',
    fact.id !== undefined ? `${fact.id} id` : '',
    fact.json ? 'JSON text' : '',
    fact.changedFieldsOf !== undefined ? `only the changed fields of ${fact.changedFieldsOf}` : '',
  ].filter((s) => s !== '');
  if (!fact.documented) return `[inferred: ${what.join(', ')}]`;
  const guessed = fact.inferred && fact.inferred.length > 0 ? ` (${fact.inferred.join(', ')} inferred)` : '';
  return `[documented: ${fact.from}${what.length > 0 ? ` · ${what.join(', ')}` : ''}${guessed}]`;
}

/** The field tree: name (indented by depth), type, `*` when required, description and allowed values. */
export function formatFieldTree(rows: readonly FieldRow[]): string {
  const label = (row: FieldRow): string => `${'  '.repeat(row.depth)}${row.name}`;
  const nameWidth = Math.min(48, Math.max(...rows.map((r) => label(r).length)));
  const typeWidth = Math.min(24, Math.max(...rows.map((r) => r.type.length)));
  return rows
    .map((row) => {
      const rest = [(row.description ?? '').split('\n')[0] ?? '', valuesText(row), factText(row)].filter((s) => s !== '').join('  ');
      return `  ${label(row).padEnd(nameWidth)}  ${row.type.padEnd(typeWidth)} ${row.required ? '*' : ' '} ${rest}`.trimEnd();
    })
    .join('\n');
}

export interface TypeDetails {
  entry: CatalogEntry;
  /** The sources the schema's facts cite, by key. */
  factSources: Record<string, string>;
  description: string | undefined;
  rows: readonly FieldRow[];
  /** Path of the representative sample, as shown to the user, and its text. */
  sample: { path: string; text: string } | undefined;
  /** How many bundled samples the type has. */
  samples: number;
  schemaPath: string;
}

/** `events show <type>`: title, origin, description, the field tree, the sample. */
export function formatTypeDetails(details: TypeDetails): string {
  const { entry } = details;
  const origin = entry.origin === 'generated' ? `generated from ${entry.generatedFrom ?? 'the SDK'}` : "hand-written from the platform's documentation";
  const lines = [
    `${entry.eventType}  ${entry.title}${entry.deprecated ? ' (deprecated)' : ''}`,
    `${entry.protocol === 'none' ? 'no envelope' : `schema ${entry.protocol}`} · ${origin}${entry.kind === 'callback' ? ' · a callback: the app answers it (see the README, "Card callbacks")' : ''}`,
    `schema: ${details.schemaPath}`,
  ];
  if (details.description && details.description !== entry.title) lines.push('', details.description);
  const documented = details.rows.filter((r) => r.fact?.documented).length;
  const inferred = details.rows.filter((r) => r.fact && !r.fact.documented).length;
  if (documented + inferred > 0) {
    lines.push('', `facts: ${documented} field${documented === 1 ? '' : 's'} documented, ${inferred} inferred from the field's name`);
    for (const [key, source] of Object.entries(details.factSources)) lines.push(`  ${key}: ${source}`);
  }
  lines.push('', 'fields (* required)', formatFieldTree(details.rows));
  if (details.sample) lines.push('', `sample: ${details.sample.path}`, details.sample.text.trimEnd());
  else lines.push('', 'no bundled sample');
  return `${lines.join('\n')}\n`;
}

/** `events show <type> --json`: one object. */
export function typeDetailsJson(details: TypeDetails, sample: unknown): Record<string, unknown> {
  return {
    ...catalogEntryJson(details.entry, details.samples),
    description: details.description ?? null,
    schema_file: details.schemaPath,
    fields: details.rows.map((row) => ({
      path: row.path,
      type: row.type,
      required: row.required,
      description: row.description ?? null,
      ...(row.values ? { values: row.values } : {}),
      ...(row.fact ? { fact: row.fact } : {}),
    })),
    fact_sources: details.factSources,
    sample_file: details.sample?.path ?? null,
    sample: sample ?? null,
  };
}
