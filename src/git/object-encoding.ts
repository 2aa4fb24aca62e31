/**
 * Encoders for git's object formats, the inverse of the parsers in objects.ts: the exact bytes
 * `git mktree` and `git commit-tree` produce, so objects written in-process have the ids git
 * would give them. Pure functions; no processes and no files here.
 */
import { createHash } from 'node:crypto';

import type { FileMode } from './objects.js';
import { assertOid } from './refs.js';

export type WritableType = 'blob' | 'tree' | 'commit';

export interface NewTreeEntry {
  name: string;
  mode: FileMode;
  oid: string;
}

export interface CommitFields {
  tree: string;
  parents: readonly string[];
  author: { name: string; email: string };
  committer: { name: string; email: string };
  /** Author and committer date, written as UTC seconds. */
  date: Date;
  message: string;
}

/** The object id of `<type> <size>\0<body>` (SHA-1: mirrors are SHA-1 repositories). */
export function objectId(type: WritableType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/**
 * A tree object: entries in git's order (byte order of the name, a directory compared as if its
 * name ended in `/`), modes without leading zeros. Throws on a bad name or a duplicate.
 */
export function encodeTree(entries: readonly NewTreeEntry[]): Buffer {
  const keyed = entries.map((entry) => {
    if (entry.name === '' || entry.name === '.' || entry.name === '..' || /[/\0]/.test(entry.name))
      throw new Error(`bad tree entry name "${entry.name}"`);
    assertOid(entry.oid);
    const name = Buffer.from(entry.name, 'utf8');
    const key = entry.mode === '040000' ? Buffer.concat([name, SLASH]) : name;
    return { entry, name, key };
  });
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (let i = 0; i < keyed.length; i++) {
    const { entry, name } = keyed[i] as (typeof keyed)[number];
    if (i > 0 && keyed[i - 1]?.name.equals(name)) throw new Error(`duplicate tree entry "${entry.name}"`);
    const mode = entry.mode === '040000' ? '40000' : entry.mode;
    parts.push(Buffer.from(`${mode} `), name, NUL, Buffer.from(entry.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

/** A commit object as `git commit-tree` writes it (UTC dates, message ending in a newline). */
export function encodeCommit(fields: CommitFields): Buffer {
  assertOid(fields.tree);
  const seconds = Math.floor(fields.date.getTime() / 1000);
  if (!Number.isFinite(seconds)) throw new Error('commit date must be a valid Date');
  const lines = [`tree ${fields.tree}`];
  for (const parent of fields.parents) {
    assertOid(parent);
    lines.push(`parent ${parent}`);
  }
  lines.push(`author ${signature(fields.author, 'author')} ${seconds} +0000`);
  lines.push(`committer ${signature(fields.committer, 'committer')} ${seconds} +0000`);
  const message = fields.message.endsWith('\n') ? fields.message : `${fields.message}\n`;
  return Buffer.from(`${lines.join('\n')}\n\n${message}`, 'utf8');
}

/**
 * `Name <email>` with the "crud" git trims from both ends of each part (whitespace and
 * `.,:;<>"\'`). `<`, `>` and line breaks inside are refused: git would silently drop them.
 */
function signature(identity: { name: string; email: string }, who: string): string {
  return `${identityPart(identity.name, `${who} name`)} <${identityPart(identity.email, `${who} email`)}>`;
}

function identityPart(value: string, what: string): string {
  if (/[<>\r\n\0]/.test(value))
    throw new Error(`${what} "${value}" must not contain "<", ">" or line breaks`);
  return value.replace(CRUD_ENDS, '');
}

// eslint-disable-next-line no-control-regex
const CRUD_ENDS = /^[\x00-\x20.,:;"'\\]+|[\x00-\x20.,:;"'\\]+$/g;
const SLASH = Buffer.from('/');
const NUL = Buffer.from([0]);
