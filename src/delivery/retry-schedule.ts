import { parseDuration } from '../flags.js';

/** The platform's re-push schedule after a failed delivery: 15 s, 5 min, 1 h, 6 h (at most 4 retries). */
export const PLATFORM_RETRY_SCHEDULE_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];

/** `none`, `platform`, or a comma-separated list of durations. */
export function parseRetrySchedule(text: string): number[] {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || trimmed === '' || trimmed === '0') return [];
  if (trimmed === 'platform') return [...PLATFORM_RETRY_SCHEDULE_MS];
  return trimmed.split(',').map(parseDuration);
}
