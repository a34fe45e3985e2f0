import type { EventReport, ValidateSummary } from '../validate/types.js';

/** The output formats of `validate`. */
export type ValidateFormat = 'pretty' | 'json' | 'junit' | 'github';

/**
 * Turns validation results into text. Reporters append to `out` (the caller writes each batch at once) and never
 * touch a stream themselves. (This module holds types only: importing it costs nothing at start-up.)
 */
export interface ValidateReporter {
  /** Whether every event must be described (json, junit), or only those with findings (pretty, github). */
  readonly reportsAll: boolean;
  start(out: string[]): void;
  event(report: EventReport, out: string[]): void;
  end(summary: ValidateSummary, out: string[]): void;
}

/** The few colours the pretty report uses; chalk provides them, plain text is the identity. */
export interface Paint {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}
