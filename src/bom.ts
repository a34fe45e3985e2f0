/** Text without the UTF-8 byte order mark some editors put first: every reader of user files strips it here. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The same for bytes: how many bytes of BOM `bytes` starts with at `start` (0 or 3). */
export function bomLength(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf ? 3 : 0;
}
