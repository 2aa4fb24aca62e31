/**
 * Small objects kept in memory by id, shared by every mirror of the process: an object id names
 * its content, so an entry is right in any repository that has that id. Commits and trees are
 * read again and again (each write re-reads its package's refs' commits and the trees on its
 * path), and the objects a write makes are read right back (the index reads the new Kptfile, the
 * next `edit` copies the files); a byte budget with least-recently-used eviction bounds the memory.
 */
import type { RawObject } from './batch-frames.js';

/**
 * Of the objects read from git, commits and trees are what gets re-read; blob contents read for
 * renders stay with git, or a large package would push everything else out.
 */
const CACHED_READ_TYPES: ReadonlySet<string> = new Set(['commit', 'tree']);

/** Objects larger than this are never kept (a huge tree would evict everything else). */
const MAX_OBJECT_BYTES = 64 * 1024;

export class ObjectCache {
  private readonly objects = new Map<string, RawObject>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(oid: string): RawObject | undefined {
    const object = this.objects.get(oid);
    if (object !== undefined) {
      // Re-inserting moves it to the young end of the Map's order.
      this.objects.delete(oid);
      this.objects.set(oid, object);
    }
    return object;
  }

  clear(): void {
    this.objects.clear();
    this.bytes = 0;
  }

  /** Keeps a commit or tree read from git. */
  set(object: RawObject): void {
    if (CACHED_READ_TYPES.has(object.type)) this.keep(object);
  }

  /** Keeps an object this process has just written, of any type. */
  setWritten(object: RawObject): void {
    this.keep(object);
  }

  private keep(object: RawObject): void {
    if (object.data.length > MAX_OBJECT_BYTES || this.objects.has(object.oid)) return;
    // A copy of its own: a small Buffer may be a slice of a shared 8 KiB pool slab, which keeping
    // it would keep whole.
    const data = Buffer.alloc(object.data.length);
    object.data.copy(data);
    this.objects.set(object.oid, { oid: object.oid, type: object.type, data });
    this.bytes += cost(data);
    for (const [oid, old] of this.objects) {
      if (this.bytes <= this.budgetBytes) break;
      this.objects.delete(oid);
      this.bytes -= cost(old.data);
    }
  }
}

/** Bytes an entry holds: its data plus the entry and buffer bookkeeping. */
function cost(data: Buffer): number {
  return data.length + 512;
}

/** The process-wide cache (4 MiB). */
export const sharedObjectCache = new ObjectCache(4 * 1024 * 1024);
