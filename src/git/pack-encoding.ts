/**
 * Packfile (version 2) encoding for a push: every object whole (no deltas), zlib deflated, after
 * a `PACK` header and followed by the SHA-1 of everything before it. The format of
 * `gitformat-pack(5)`; receive-pack indexes it and checks every id itself.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

import type { WritableType } from './object-encoding.js';

const TYPE_CODES: Record<WritableType, number> = { commit: 1, tree: 2, blob: 3 };

export function encodePack(objects: ReadonlyArray<{ type: WritableType; body: Buffer }>): Buffer {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  for (const { type, body } of objects) {
    parts.push(objectHeader(TYPE_CODES[type], body.length), deflateSync(body, { level: 1 }));
  }
  const pack = Buffer.concat(parts);
  return Buffer.concat([pack, createHash('sha1').update(pack).digest()]);
}

/** Type in bits 4–6 of the first byte, the size in 4 bits then 7 per byte, high bit = more. */
function objectHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}
