// Latencies of a replay, kept in bounded memory: every value while there are few (percentiles exact, nearest rank),
// then a log-scale histogram (percentiles within 1% of the value) once there are more than EXACT_VALUES.

/** Below this many values the percentiles are exact; above, the histogram's (memory stays flat at a million deliveries). */
export const EXACT_VALUES = 10_000;

/** Bucket i holds values in [MIN·GROWTH^i, MIN·GROWTH^(i+1)): 1% wide, from 1 µs to beyond a day. */
const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1e8 / MIN_MS) / LOG_GROWTH) + 1;

/** Percentile (nearest rank) of a list of numbers; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export class LatencySketch {
  private values: number[] | undefined = [];
  private counts: Uint32Array | undefined;
  private total = 0;
  private max = 0;

  get count(): number {
    return this.total;
  }

  add(ms: number): void {
    this.total++;
    if (ms > this.max) this.max = ms;
    if (this.values !== undefined) {
      this.values.push(ms);
      if (this.values.length <= EXACT_VALUES) return;
      this.counts = new Uint32Array(BUCKETS);
      const counts = this.counts;
      for (const value of this.values) counts[bucketOf(value)] = (counts[bucketOf(value)] as number) + 1;
      this.values = undefined;
      return;
    }
    const counts = this.counts as Uint32Array;
    const i = bucketOf(ms);
    counts[i] = (counts[i] as number) + 1;
  }

  /** Nearest-rank percentile: exact below EXACT_VALUES values, within 1% above (never more than the largest value). */
  percentile(p: number): number {
    if (this.values !== undefined) return percentile(this.values, p);
    const counts = this.counts as Uint32Array;
    const rank = Math.min(this.total, Math.max(1, Math.ceil((p / 100) * this.total)));
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i] as number;
      // The middle of the bucket (geometric), which is within 0.5% of every value in it.
      if (seen >= rank) return Math.min(this.max, i === 0 ? MIN_MS : MIN_MS * GROWTH ** (i + 0.5));
    }
    return this.max;
  }
}

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH));
}
