/**
 * Incremental parser for `git cat-file --batch` output: per request either
 * `<oid> <type> <size>\n<size bytes>\n` or `<name> missing\n` (also `ambiguous`). Bodies are
 * copied once into a buffer of the announced size, so large blobs arriving in many chunks cost
 * O(size), not O(size × chunks).
 */
import type { ObjectType } from './objects.js';

export interface RawObject {
  oid: string;
  type: ObjectType;
  data: Buffer;
}

export type BatchFrame = { kind: 'object'; object: RawObject } | { kind: 'missing'; name: string };

const TYPES = new Set<string>(['blob', 'tree', 'commit', 'tag']);

export class BatchFrameParser {
  private state: 'header' | 'body' | 'newline' = 'header';
  private headerParts: Buffer[] = [];
  private oid = '';
  private type: ObjectType = 'blob';
  private body: Buffer = Buffer.alloc(0);
  private filled = 0;

  constructor(private readonly onFrame: (frame: BatchFrame) => void) {}

  /** Feeds output bytes; calls `onFrame` per complete response. Throws on malformed output. */
  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.state === 'header') {
        const end = chunk.indexOf(0x0a, pos);
        if (end < 0) {
          this.headerParts.push(chunk.subarray(pos));
          return;
        }
        this.headerParts.push(chunk.subarray(pos, end));
        const line = Buffer.concat(this.headerParts).toString('utf8');
        this.headerParts = [];
        pos = end + 1;
        this.header(line);
      } else if (this.state === 'body') {
        const n = Math.min(this.body.length - this.filled, chunk.length - pos);
        chunk.copy(this.body, this.filled, pos, pos + n);
        this.filled += n;
        pos += n;
        if (this.filled === this.body.length) this.state = 'newline';
      } else {
        if (chunk[pos] !== 0x0a) throw new Error('cat-file output: object not followed by a newline');
        pos += 1;
        this.state = 'header';
        this.onFrame({ kind: 'object', object: { oid: this.oid, type: this.type, data: this.body } });
      }
    }
  }

  private header(line: string): void {
    const missing = /^(.*) (missing|ambiguous)$/.exec(line);
    if (missing !== null) {
      this.onFrame({ kind: 'missing', name: missing[1] ?? '' });
      return;
    }
    const match = /^([0-9a-f]{40,64}) ([a-z]+) (\d+)$/.exec(line);
    if (match === null || !TYPES.has(match[2] ?? '')) {
      throw new Error(`cat-file output: unexpected header "${line.slice(0, 200)}"`);
    }
    this.oid = match[1] ?? '';
    this.type = match[2] as ObjectType;
    this.body = Buffer.allocUnsafe(Number(match[3]));
    this.filled = 0;
    this.state = this.body.length === 0 ? 'newline' : 'body';
  }
}
