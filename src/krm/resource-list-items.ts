/**
 * The items of a ResourceList text as the exact text of each entry, found by reading lines, without
 * parsing: `items:` as a top-level key followed by a block sequence written at column 0 (the layout
 * kpt and the function SDKs write). An entry is `standalone` when parsing its text alone gives the
 * same item as parsing it inside the list: no comment or blank line at its edges (the parser could
 * attach those to a neighbour), no anchors or aliases, a final line break.
 */

export interface ItemText {
  readonly text: string;
  readonly standalone: boolean;
}

export interface ItemTexts {
  /** Everything before the first entry, ending with the `items:` line. */
  readonly head: string;
  readonly items: readonly ItemText[];
  /** Everything after the last entry: the next top-level key, a document marker, or nothing. */
  readonly tail: string;
}

const ITEMS_KEY = 'items:\n';

function startsEntry(text: string, pos: number): boolean {
  if (text[pos] !== '-') return false;
  const next = text[pos + 1];
  return next === ' ' || next === '\n' || next === undefined;
}

/** True for a line that holds only a comment or nothing (the parser attaches it to a neighbour). */
function isSoftLine(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed === '' || trimmed.startsWith('#');
}

/** The entries of the list's `items`, or undefined when the text is not laid out as expected. */
export function splitItemTexts(text: string): ItemTexts | undefined {
  // Directives (`%TAG`) would change how entries elsewhere read their tags.
  if (text.startsWith('%') || text.includes('\n%')) return undefined;
  let start: number;
  if (text.startsWith(ITEMS_KEY)) start = ITEMS_KEY.length;
  else {
    const at = text.indexOf(`\n${ITEMS_KEY}`);
    if (at < 0) return undefined;
    start = at + 1 + ITEMS_KEY.length;
  }
  if (!startsEntry(text, start)) return undefined;

  const items: ItemText[] = [];
  let entryStart = start;
  let sound = true; // no column-0 comment inside the entry so far
  let previousEndsSoft = false;
  let lastLineSoft = false;
  const close = (end: number): void => {
    const body = text.slice(entryStart, end);
    const standalone =
      sound &&
      !lastLineSoft &&
      !previousEndsSoft &&
      body.endsWith('\n') &&
      !body.includes('&') &&
      !body.includes('*');
    items.push({ text: body, standalone });
    previousEndsSoft = lastLineSoft || !sound;
    sound = true;
  };

  let pos = start;
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const lineEnd = eol < 0 ? text.length : eol + 1;
    const first = text[pos];
    if (startsEntry(text, pos)) {
      if (pos > entryStart) {
        close(pos);
        entryStart = pos;
      }
      lastLineSoft = isSoftLine(text.slice(pos + 1, lineEnd));
    } else if (first === ' ' || first === '\n') {
      lastLineSoft = isSoftLine(text.slice(pos, lineEnd));
    } else if (first === '#') {
      sound = false;
      lastLineSoft = true;
    } else {
      break;
    }
    pos = lineEnd;
  }
  close(pos);
  return { head: text.slice(0, start), items, tail: text.slice(pos) };
}
