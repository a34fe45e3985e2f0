// --set changes fields that exist and keeps their kind: a typo must not add a field silently, nor turn a string
// into an object (--set-new allows both). A value typed as a number or a boolean for a string field is taken as the
// string (`--set event.package_id=13` on `"package_id": "12"` sends "13").
import { usageError } from '../errors.js';
import type { Envelope, FieldOverride } from '../protocol/envelope.js';

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as Kind;
}

const article = (kind: Kind): string => (kind === 'object' || kind === 'array' ? 'an' : 'a');

/** The override as this envelope can take it (its string form for a string field), or a usage error naming why not. */
function checkOne(envelope: Envelope, override: FieldOverride, where: string): FieldOverride {
  const shown = `${override.path.join('.')}=${override.text ?? JSON.stringify(override.value)}`;
  let node: unknown = envelope;
  for (const [depth, key] of override.path.entries()) {
    const exists = typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, key) && (!Array.isArray(node) || /^\d+$/.test(key));
    if (!exists) {
      throw usageError(
        `--set ${shown}: ${where} has no field ${override.path.slice(0, depth + 1).join('.')}`,
        'check the path (`feishu-events events show <type>` lists the fields), or pass --set-new to add it',
      );
    }
    const value = (node as Record<string, unknown>)[key];
    if (depth < override.path.length - 1) {
      node = value;
      continue;
    }
    const current = kindOf(value);
    const wanted = kindOf(override.value);
    if (current === wanted || current === 'null' || wanted === 'null') return override;
    if (current === 'string' && (wanted === 'number' || wanted === 'boolean') && override.text !== undefined) return { ...override, value: override.text };
    throw usageError(`--set ${shown}: ${override.path.join('.')} is ${article(current)} ${current} in ${where}, not ${article(wanted)} ${wanted}`, 'pass --set-new to change its kind anyway');
  }
  return override;
}

/**
 * Check every override against every event before anything is sent. The first event decides a value's final form
 * (a string for a string field); every event must then have the field, of that kind.
 */
export function checkOverrides(events: ReadonlyArray<{ envelope: Envelope; source: string }>, overrides: readonly FieldOverride[]): FieldOverride[] {
  const first = events[0];
  if (!first) return [...overrides];
  const settled = overrides.map((override) => checkOne(first.envelope, override, first.source));
  for (const event of events.slice(1)) for (const override of settled) checkOne(event.envelope, override, event.source);
  return settled;
}

/** One more event checked against overrides already settled by checkOverrides (a streamed input's later events). */
export function checkOverridesOn(event: { envelope: Envelope; source: string }, settled: readonly FieldOverride[]): void {
  for (const override of settled) checkOne(event.envelope, override, event.source);
}
