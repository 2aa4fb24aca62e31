/**
 * kpt's progress output for `fn render` / `fn eval` (written to stderr by the CLI):
 * `Package "dir":`, `[RUNNING] "image"`, `[PASS]`/`[FAIL] "image" in 0s`, the results, the
 * function's stderr line by line, the exit code of a failure, and a closing summary.
 */
import type { FunctionResult } from './function-runtime.js';
import type { FunctionResultItem } from './function-results.js';
import type { RenderEvent } from './render.js';

export interface PrinterOptions {
  /** How a package directory is shown (the CLI prefixes the directory argument). */
  packageName: (dir: string) => string;
  /** Shorten long stderr and result lists, as kpt does by default. */
  truncate?: boolean;
}

const TRUNCATE_LINES = 25;

function resultLine(r: FunctionResult): string {
  const ref = r.resourceRef;
  let where = '';
  if (ref && (ref.kind || ref.name)) {
    where = [ref.apiVersion, ref.kind, ref.namespace, ref.name].filter(Boolean).join('/');
  }
  if (r.field?.path) where = where ? `${where} ${r.field.path}` : r.field.path;
  if (!where && r.file?.path) where = r.file.path;
  return `[${r.severity ?? 'info'}]${where ? ` ${where}` : ''}: ${r.message}`;
}

function limit(lines: string[], truncate: boolean): string[] {
  if (!truncate || lines.length <= TRUNCATE_LINES) return lines;
  return [
    ...lines.slice(0, TRUNCATE_LINES),
    `...(${lines.length - TRUNCATE_LINES} line(s) truncated, use '--truncate-output=false' to disable)`,
  ];
}

/** The lines kpt prints after a function ran. */
export function describeRun(item: FunctionResultItem, ok: boolean, truncate = true): string[] {
  const lines: string[] = [];
  if (item.results?.length) {
    lines.push('  Results:', ...limit(item.results.map(resultLine), truncate).map((l) => `    ${l}`));
  }
  if (item.stderr) {
    const out = item.stderr.split('\n').map((l) => JSON.stringify(l));
    lines.push('  Stderr:', ...limit(out, truncate).map((l) => `    ${l}`));
  }
  if (!ok) {
    if (item.executionError && !item.stderr) lines.push(`  Error: ${item.executionError}`);
    lines.push(`  Exit code: ${item.exitCode}`);
  }
  return lines;
}

export interface RenderPrinter {
  onEvent: (event: RenderEvent) => void;
  /** The closing line(s) for a render: success summary, or where the results are. */
  summary: (ok: boolean, resultsFile?: string) => string;
}

export function createRenderPrinter(write: (text: string) => void, options: PrinterOptions): RenderPrinter {
  const packages = new Set<string>();
  let functions = 0;
  const name = (item: FunctionResultItem): string => JSON.stringify(item.image ?? item.exec ?? '');
  return {
    onEvent(event) {
      switch (event.type) {
        case 'package':
          if (packages.size > 0) write('\n');
          packages.add(event.dir);
          write(`Package ${JSON.stringify(options.packageName(event.dir))}: \n`);
          return;
        case 'start':
          write(`[RUNNING] ${name(event.item)}\n`);
          return;
        case 'end': {
          functions++;
          const seconds = Math.floor(event.durationMs / 100) / 10;
          const on = event.resourceCount !== undefined ? ` on ${event.resourceCount} resource(s)` : '';
          write(
            `[${event.ok ? 'PASS' : 'FAIL'}] ${name(event.item)}${on} in ${seconds === 0 ? '0s' : `${seconds}s`}\n`,
          );
          const lines = describeRun(event.item, event.ok, options.truncate ?? true);
          if (lines.length > 0) write(`${lines.join('\n')}\n`);
          return;
        }
      }
    },
    summary(ok, resultsFile) {
      if (!ok) return resultsFile ? `\nFor complete results, see ${resultsFile}\n` : '';
      const tail = resultsFile ? `For complete results, see ${resultsFile}\n` : '';
      return `\nSuccessfully executed ${functions} function(s) in ${packages.size} package(s).\n${tail}`;
    },
  };
}
