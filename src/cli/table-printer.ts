/** Prints a `meta.k8s.io/v1` Table the way kubectl does: uppercase headers, aligned columns. */

export interface Table {
  columnDefinitions?: { name: string; priority?: number }[];
  rows?: { cells?: unknown[]; object?: { metadata?: { namespace?: string } } }[];
}

export interface PrintOptions {
  /** Prefix a NAMESPACE column (kubectl does with `-A`). */
  withNamespace?: boolean;
  /** Shown on stderr when there are no rows, as kubectl's "No resources found". */
  namespace?: string;
}

/** Formats one cell as kubectl does: empty for null, JSON for objects. */
function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Renders the table's priority-0 columns; returns '' when there are no rows. */
export function formatTable(table: Table, options: PrintOptions = {}): string {
  const columns = table.columnDefinitions ?? [];
  const visible = columns.map((c, i) => ({ c, i })).filter(({ c }) => (c.priority ?? 0) === 0);
  const rows = table.rows ?? [];
  if (rows.length === 0) return '';
  const lines: string[][] = [visible.map(({ c }) => c.name.toUpperCase())];
  for (const row of rows) lines.push(visible.map(({ i }) => formatCell(row.cells?.[i])));
  if (options.withNamespace) {
    lines[0]?.unshift('NAMESPACE');
    rows.forEach((row, r) => lines[r + 1]?.unshift(row.object?.metadata?.namespace ?? ''));
  }
  const widths: number[] = [];
  for (const line of lines) line.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  // kubectl uses a tabwriter with 3 spaces of padding; the last column is not padded.
  return lines
    .map((line) =>
      line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join(''),
    )
    .join('\n')
    .concat('\n');
}

/** Writes the table to stdout, or kubectl's "No resources found" line to stderr. */
export function printTable(table: Table, options: PrintOptions = {}): void {
  const text = formatTable(table, options);
  if (text !== '') {
    process.stdout.write(text);
    return;
  }
  process.stderr.write(
    options.withNamespace || options.namespace === undefined
      ? 'No resources found\n'
      : `No resources found in ${options.namespace} namespace.\n`,
  );
}
