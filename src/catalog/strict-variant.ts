/**
 * The `--strict` variant of a schema: every object schema that declares properties gets
 * `unevaluatedProperties: false`, so that a property the schema does not declare is reported.
 *
 * `unevaluatedProperties` (rather than `additionalProperties`) sees through `allOf`/`anyOf`/`oneOf`/`$ref`/`if`,
 * so it is added only where a schema stands for an instance location (the root, a property's value, array
 * items, a `$defs` entry), never inside a combinator branch, where it would reject what a sibling branch declares.
 */

type SchemaNode = Record<string, unknown>;

/** Keywords whose subschemas apply to other instance locations (children of the object or array). */
const LOCATION_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'] as const;
const LOCATION_SINGLES = ['items', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'additionalItems'] as const;
const LOCATION_LISTS = ['prefixItems', 'items'] as const;
/** Keywords whose subschemas apply to the same instance. `not` is left alone: adding a rule inside it inverts it. */
const SAME_INSTANCE_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
const SAME_INSTANCE_SINGLES = ['if', 'then', 'else'] as const;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Does this schema, or a branch that applies to the same instance, declare object properties? */
function declaresProperties(schema: SchemaNode): boolean {
  if (isNode(schema.properties) || isNode(schema.patternProperties)) return true;
  for (const key of SAME_INSTANCE_LISTS) {
    const list = schema[key];
    if (Array.isArray(list) && list.some((branch) => isNode(branch) && declaresProperties(branch))) return true;
  }
  for (const key of SAME_INSTANCE_SINGLES) {
    const branch = schema[key];
    if (isNode(branch) && declaresProperties(branch)) return true;
  }
  const dependent = schema.dependentSchemas;
  if (isNode(dependent) && Object.values(dependent).some((branch) => isNode(branch) && declaresProperties(branch))) return true;
  return false;
}

function visit(schema: unknown, isLocation: boolean): void {
  if (!isNode(schema)) return;
  if (isLocation && declaresProperties(schema) && schema.unevaluatedProperties === undefined && schema.additionalProperties === undefined) {
    schema.unevaluatedProperties = false;
  }
  for (const key of LOCATION_MAPS) {
    const map = schema[key];
    if (isNode(map)) for (const child of Object.values(map)) visit(child, true);
  }
  for (const key of LOCATION_SINGLES) visit(schema[key], true);
  for (const key of LOCATION_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) visit(child, true);
  }
  for (const key of SAME_INSTANCE_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) visit(child, false);
  }
  for (const key of SAME_INSTANCE_SINGLES) visit(schema[key], false);
  const dependent = schema.dependentSchemas;
  if (isNode(dependent)) for (const child of Object.values(dependent)) visit(child, false);
}

/** A copy of `schema` that reports undeclared properties; the input is not modified. */
export function withUndeclaredPropertiesReported<T>(schema: T): T {
  const copy = structuredClone(schema);
  visit(copy, true);
  return copy;
}
