// Terminal cells: what a line takes on screen (CJK and emoji two cells), measured with string-width.
import stringWidth from 'string-width';

/** Cut a line to `width` terminal cells (CJK and emoji two), with an ellipsis. */
export function fitCells(line: string, width: number): string {
  if (stringWidth(line) <= width) return line;
  let cells = 0;
  let out = '';
  for (const { segment } of new Intl.Segmenter().segment(line)) {
    const w = stringWidth(segment);
    if (cells + w > width - 1) break;
    out += segment;
    cells += w;
  }
  return `${out}…`;
}
