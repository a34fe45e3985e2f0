// The facts file (scripts/catalog-facts.json): what the node SDK's declarations lose, per event type and field
// path, each fact with its source; fields the SDK loses (`add`) and event types it lacks (`declare`).
import { readFileSync } from 'node:fs';
import { DeclarationError, placeFields, type Declaration, type Field, type PlacedFields, type Shape } from './declarations.js';

export const FACTS_FILE = 'scripts/catalog-facts.json';

/** How a time is written: seconds or milliseconds since the epoch, a date, or a local (UTC+8) date and time. */
export type Unit = 's' | 'ms' | 'date' | 'local-datetime';

/** What an id looks like. */
export type IdKind =
  | 'open_id'
  | 'union_id'
  | 'user_id'
  | 'chat_id'
  | 'message_id'
  | 'thread_id'
  | 'app_id'
  | 'open_department_id'
  | 'numeric'
  | 'uuid';

/** The shape of each id kind, for samples, schemas (prefixed kinds only) and the catalogue lint test. */
export const ID_PATTERNS: Record<IdKind, string> = {
  open_id: '^ou_[0-9a-z]+$',
  union_id: '^on_[0-9a-z]+$',
  user_id: '^[0-9a-z]+$',
  chat_id: '^oc_[0-9a-z]+$',
  message_id: '^om_[0-9a-z_]+$',
  thread_id: '^omt_[0-9a-z]+$',
  app_id: '^cli_[0-9a-z]+$',
  open_department_id: '^od-[0-9a-z]+$',
  numeric: '^[0-9]+$',
  uuid: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
};
/** Kinds whose shape the platform fixes (a prefix): the schemas check them. */
export const PREFIXED_ID_KINDS: ReadonlySet<IdKind> = new Set(['open_id', 'union_id', 'chat_id', 'message_id', 'thread_id', 'app_id', 'open_department_id']);

export interface FieldFacts {
  /** The source key (FactsFile.sources) when it is not the type's. */
  source?: string;
  description?: string;
  /** The documented example value. */
  example?: string;
  unit?: Unit;
  id?: IdKind;
  /** The id's kind follows a parameter of the subscription (user_id_type, department_id_type): the kind is the
   * default one, and the schema does not check its shape. */
  idVaries?: boolean;
  /** Value → meaning. */
  enum?: Record<string, string>;
  /** The platform may send values beyond the documented ones: the schema lists the meanings but does not restrict. */
  enumOpen?: boolean;
  /** The string holds JSON text. */
  json?: boolean;
  /** The value a sample carries (for json fields: the JSON value, written as text). */
  sample?: unknown;
  /** For json fields: one sample per value of this sibling field, with its content. */
  variantsBy?: string;
  variants?: Record<string, unknown>;
  /** This object holds only the changed fields of the object at that path (the same user, before the change). */
  changedFieldsOf?: string;
  /** The fields a sample shows as changed. */
  sampleChanged?: string[];
}

export type ShapeSpec = 'string' | 'number' | 'boolean' | ShapeSpec[] | { [field: string]: ShapeSpec };

export interface TypeFacts {
  source?: string;
  /** The model the facts were read from (e.g. a Java class). */
  model?: string;
  fields: Record<string, FieldFacts>;
  /** Fields the SDK's declaration loses, by path (`event.app_id`), with their shapes. */
  add?: Record<string, ShapeSpec>;
}

export interface DeclaredType {
  protocol: '1.0' | '2.0';
  title: string;
  description?: string;
  source: string;
  model?: string;
  doc?: string;
  fields: Record<string, ShapeSpec>;
}

export interface FactsFile {
  /** Samples' times are in the day before this instant. */
  sampleTime: string;
  sources: Record<string, string>;
  declare: Record<string, DeclaredType>;
  types: Record<string, TypeFacts>;
}

export function readFacts(file: string): FactsFile {
  let value: FactsFile;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as FactsFile;
  } catch (error) {
    throw new DeclarationError(`cannot read ${FACTS_FILE}: ${(error as Error).message}`);
  }
  if (Number.isNaN(Date.parse(value.sampleTime))) throw new DeclarationError(`${FACTS_FILE}: sampleTime is not a date`);
  for (const [type, facts] of Object.entries(value.types)) {
    for (const [path, field] of Object.entries(facts.fields)) {
      const source = field.source ?? facts.source;
      if (source === undefined || !(source in value.sources)) throw new DeclarationError(`${FACTS_FILE}: ${type} ${path}: source ${String(source)} is not among "sources"`);
    }
  }
  for (const [type, declared] of Object.entries(value.declare)) {
    if (!(declared.source in value.sources)) throw new DeclarationError(`${FACTS_FILE}: declare.${type}: source ${declared.source} is not among "sources"`);
  }
  return value;
}

function shapeOfSpec(spec: ShapeSpec): Shape {
  if (spec === 'string' || spec === 'number' || spec === 'boolean') return { kind: spec };
  if (Array.isArray(spec)) {
    const [items] = spec;
    if (items === undefined || spec.length !== 1) throw new DeclarationError(`${FACTS_FILE}: an array shape has one item shape: ${JSON.stringify(spec)}`);
    return { kind: 'array', items: shapeOfSpec(items) };
  }
  return { kind: 'object', fields: Object.entries(spec).map(([name, s]) => ({ name, optional: true, shape: shapeOfSpec(s) })) };
}

/** The event types the facts file declares (the SDK lacks them), as declarations. */
export function declaredTypes(facts: FactsFile): Declaration[] {
  return Object.entries(facts.declare).map(([type, d]) => ({
    type,
    protocol: d.protocol,
    origin: `${FACTS_FILE} declare (${[d.source, d.doc].filter((s): s is string => s !== undefined).join(', ')})`,
    title: d.title,
    description: d.description ?? '',
    deprecated: undefined,
    fields: Object.entries(d.fields).map(([name, spec]) => ({ name, optional: true, shape: shapeOfSpec(spec) })),
  }));
}

/** The declaration's fields placed in the envelope, with the fields the facts add to the event. */
export function placeWithFacts(declaration: Declaration, facts: FactsFile): PlacedFields {
  const placed = placeFields(declaration);
  const add = facts.types[declaration.type]?.add ?? {};
  const extra: Field[] = [];
  for (const [path, spec] of Object.entries(add)) {
    const name = path.replace(/^event\./, '');
    if (name.includes('.')) throw new DeclarationError(`${FACTS_FILE}: ${declaration.type} add ${path}: only top-level event fields can be added`);
    if (!placed.event.some((f) => f.name === name)) extra.push({ name, optional: true, shape: shapeOfSpec(spec) });
  }
  return { ...placed, event: [...placed.event, ...extra] };
}

/** A field's documented facts and their source key, or undefined. */
export function factsAt(facts: FactsFile, type: string, path: string): { facts: FieldFacts; source: string } | undefined {
  const typeFacts = facts.types[type];
  const field = typeFacts?.fields[path];
  if (!field) return undefined;
  return { facts: field, source: field.source ?? (typeFacts.source as string) };
}
