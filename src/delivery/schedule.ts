/** The platform's re-push schedule after a failed delivery: 15 s, 5 min, 1 h, 6 h (at most 4 retries). */
export const PLATFORM_RETRY_SCHEDULE_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a duration like `500ms`, `15s`, `5m`, `1h` (a bare number is milliseconds). */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) throw new SyntaxError(`"${text}" is not a duration (e.g. 500ms, 15s, 5m, 1h)`);
  const value = Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] ?? 1);
  return Math.round(value);
}

/** `none`, `platform`, or a comma-separated list of durations. */
export function parseRetrySchedule(text: string): number[] {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || trimmed === '' || trimmed === '0') return [];
  if (trimmed === 'platform') return [...PLATFORM_RETRY_SCHEDULE_MS];
  return trimmed.split(',').map(parseDuration);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}

/** Percentile (nearest rank) of a list of numbers; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
