// "Did you mean": one way to suggest a name for a mistyped event type (or command), used everywhere.

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The known names closest to a mistyped one: small edit distance, or containing it, best first. */
export function nearMatches(query: string, known: readonly string[], max = 3): string[] {
  const q = query.toLowerCase();
  const scored = known
    .map((name) => {
      const n = name.toLowerCase();
      const d = distance(q, n);
      const contains = q.length >= 3 && n.includes(q);
      return { name, score: contains ? Math.min(d, 1) : d };
    })
    .filter(({ score }) => score <= Math.max(2, Math.floor(q.length / 4)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** ` (did you mean a, b?)`, or '' when nothing is close. */
export function didYouMean(query: string, known: readonly string[]): string {
  const near = nearMatches(query, known);
  return near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '';
}
