/** Offset ↔ (line, column) lookup for one text; lines and columns are 0-based. */
export interface LineIndex {
  position(offset: number): { line: number; col: number };
  lineStart(line: number): number;
}

export function lineIndex(text: string): LineIndex {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    position(offset: number) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo, col: offset - (starts[lo] ?? 0) };
    },
    lineStart(line: number) {
      return starts[line] ?? text.length;
    },
  };
}
