import { ENUM_DESCRIPTIONS_KEYWORD, type ValidationError } from '../catalog/schemas.js';
import { escapePointerSegment } from './locate.js';

/** One schema violation in words, before it is located in the source text. */
export interface Problem {
  /** JSON pointer of the offending value within the event (for a missing property: where it should be). */
  pointer: string;
  /** The schema keyword that failed (type, enum, required, …) — stable, for machines. */
  keyword: string;
  message: string;
  /** What to point at: the value itself, its key (undeclared properties), or its parent object (missing ones). */
  target: 'value' | 'key' | 'parent';
}

const MAX_SHOWN = 60;

/** A value as it appears in a message: `"86"`, `86`, `null`, `object`, `array of 3`. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'object';
  // 1e999 parses as Infinity, which JSON.stringify would show as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value > 0 ? '' : '-'}Infinity (a number beyond the range of a double, such as 1e999)`;
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…"` : text;
}

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `number 86`, `string "86"`, `null`, `array of 2`, `object`. */
export function describeActual(value: unknown): string {
  const type = jsonTypeOf(value);
  if (type === 'null' || type === 'object' || type === 'array') return type === 'array' ? showValue(value) : type;
  return `${type} ${showValue(value)}`;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function enumMessage(error: ValidationError): string {
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? (Array.isArray(error.schema) ? error.schema : []);
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const descriptions = parent?.[ENUM_DESCRIPTIONS_KEYWORD] as Record<string, unknown> | undefined;
  const listed = allowed.map((value) => {
    const meaning = descriptions?.[typeof value === 'string' ? value : JSON.stringify(value)];
    return typeof meaning === 'string' && meaning !== '' ? `${showValue(value)} ${meaning}` : showValue(value);
  });
  return `${showValue(error.data)} is not one of ${listed.join(', ')}`;
}

const COMPARISONS: Record<string, string> = { '<=': 'at most', '>=': 'at least', '<': 'less than', '>': 'more than' };

function patternMessage(pattern: string, data: unknown): string {
  if (pattern === '^[0-9]+$' || pattern === '^\\d+$') return `expected a string of digits, got ${describeActual(data)}`;
  return `expected a string matching ${pattern}, got ${describeActual(data)}`;
}

/** Turn one Ajv error into a problem with a plain message: expected vs actual. */
export function describeError(error: ValidationError): Problem {
  const path = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const data = error.data;
  switch (error.keyword) {
    case 'type': {
      const expected = String(params.type).split(',');
      return { pointer: path, keyword: 'type', target: 'value', message: `expected ${orList(expected)}, got ${describeActual(data)}` };
    }
    case 'required': {
      const name = String(params.missingProperty);
      return { pointer: `${path}/${escapePointerSegment(name)}`, keyword: 'required', target: 'parent', message: `missing required property ${name}` };
    }
    case 'enum':
      return { pointer: path, keyword: 'enum', target: 'value', message: enumMessage(error) };
    case 'const':
      return { pointer: path, keyword: 'const', target: 'value', message: `expected ${showValue(params.allowedValue)}, got ${describeActual(data)}` };
    case 'pattern':
      return { pointer: path, keyword: 'pattern', target: 'value', message: patternMessage(String(params.pattern), data) };
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params.limit);
      const count = Array.isArray(data) ? data.length : 0;
      const bound = error.keyword === 'minItems' ? 'at least' : 'at most';
      return { pointer: path, keyword: error.keyword, target: 'value', message: `expected ${bound} ${limit} item${limit === 1 ? '' : 's'}, got ${count}` };
    }
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params.limit);
      const bound = error.keyword === 'minLength' ? 'at least' : 'at most';
      const length = typeof data === 'string' ? [...data].length : 0;
      return { pointer: path, keyword: error.keyword, target: 'value', message: `expected ${bound} ${limit} character${limit === 1 ? '' : 's'}, got ${length}: ${showValue(data)}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = COMPARISONS[String(params.comparison)] ?? String(params.comparison);
      return { pointer: path, keyword: error.keyword, target: 'value', message: `expected a number ${words} ${String(params.limit)}, got ${showValue(data)}` };
    }
    case 'unevaluatedProperties': {
      const name = String(params.unevaluatedProperty);
      return { pointer: `${path}/${escapePointerSegment(name)}`, keyword: 'undeclared', target: 'key', message: `undeclared property ${name} (not in the schema)` };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return { pointer: `${path}/${escapePointerSegment(name)}`, keyword: 'additionalProperties', target: 'key', message: `property ${name} is not allowed by the schema` };
    }
    case 'format':
      return { pointer: path, keyword: 'format', target: 'value', message: `expected format ${String(params.format)}, got ${describeActual(data)}` };
    default: {
      const shown = data !== undefined && (typeof data !== 'object' || data === null) ? `, got ${describeActual(data)}` : '';
      return { pointer: path, keyword: error.keyword, target: 'value', message: `${error.message ?? `fails ${error.keyword}`}${shown}` };
    }
  }
}

/**
 * Ajv's errors for one event, as problems: a value of the wrong type is reported once (its enum, const or pattern
 * errors add nothing); an `anyOf`/`oneOf` is reported as itself, not as every branch's complaint; an `if` is
 * reported by the errors of its `then`/`else`.
 */
export function describeErrors(errors: readonly ValidationError[]): Problem[] {
  const typeFailed = new Set<string>();
  const combinators: string[] = [];
  for (const error of errors) {
    if (error.keyword === 'type') typeFailed.add(error.instancePath);
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') combinators.push(`${error.schemaPath}/`);
  }
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (combinators.length > 0 && combinators.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    if (error.keyword !== 'type' && error.keyword !== 'required' && typeFailed.has(error.instancePath)) continue;
    const problem = describeError(error);
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}
