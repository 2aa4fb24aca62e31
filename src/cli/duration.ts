import { BadRequestError } from '../apimachinery/index.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `30s`, `5m`, `1h` (or combinations like `1m30s`) into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new BadRequestError(
      `${flag} must be a duration like 30s, 5m or 1h30m, got ${JSON.stringify(text)}`,
    );
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? ''] ?? 0), 0);
}
