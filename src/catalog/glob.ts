/** A glob over event types: `*` matches any run of characters (dots included), `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function isGlob(text: string): boolean {
  return /[*?]/.test(text);
}

export function matchesAny(value: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(value));
}
