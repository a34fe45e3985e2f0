// Units and names in output, one way each: every report, log line and message that shows a duration, a count
// or an id uses these. Imports nothing, so that every layer may use it (see ARCHITECTURE.md).

/** A schedule-like duration: `500ms`, `15s`, `5m`, `1.5h` (how durations are written on the command line). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}

/** An id in a one-line summary: up to 14 characters whole, a longer one cut to its first 11 and `…` (`om_ec85ff7d6…`). */
export function clipId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 11)}…` : id;
}

/** A latency: `4.2 ms` under 10 ms, `137 ms` above. */
export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** `1 client`, `3 clients`, `2 pushes`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * Why a connection attempt failed, in the same words everywhere (gateway transport, control client, tail's
 * discovery check): the error's code, or its cause's (fetch and undici wrap them).
 */
export function networkReason(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string } } | undefined;
  const code = err?.code ?? err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'the connection was closed';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return 'no answer';
  return err?.message ? `${err.message}${code ? ` (${code})` : ''}` : String(error);
}
