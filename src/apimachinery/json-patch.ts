/**
 * JSON patch (RFC 6902, `application/json-patch+json`), applied with `rfc6902` and failing the way
 * a Kubernetes API server fails:
 * - a body that is not an array of objects: 400 BadRequest;
 * - more than 10,000 operations: 413 RequestEntityTooLarge;
 * - an operation that cannot be applied (unknown `op`, missing `path`/`value`/`from`, a path that
 *   does not exist, a failing `test`): 422 Invalid with Kubernetes' message "the server rejected
 *   our request due to an error in our request" and the reason in `details.causes[0].message`
 *   (kubectl prints it as "The request is invalid: <reason>").
 * Operations apply in order and all-or-nothing: the input document is never modified.
 */
import { Pointer } from 'rfc6902';
import type { Operation } from 'rfc6902/diff.js';
import { apply as applyOperation } from 'rfc6902/patch.js';
import { ApiError, BadRequestError, RequestEntityTooLargeError } from './errors.js';
import { cloneJson, describeJson, jsonEqual, jsonKind } from './json-value.js';
import { isPlainObject } from './object.js';

/** Kubernetes' limit on the number of operations in one JSON patch. */
export const maxJsonPatchOperations = 10_000;

/** 422: the patch is well-formed JSON but cannot be applied to the object. */
export class JsonPatchError extends ApiError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      details: { causes: [{ message: detail }] },
      cause: options.cause,
    });
  }
}

const operations = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OperationName = (typeof operations)[number];

/** Applies `patch` (the decoded request body) to `doc` and returns the result as a new value. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw new BadRequestError(
      `invalid JSON patch: the body must be a JSON array of operations, not ${jsonKindName(patch)}`,
    );
  }
  patch.forEach((op, index) => {
    if (!isPlainObject(op)) {
      throw new BadRequestError(
        `invalid JSON patch: operation ${index} must be a JSON object, not ${jsonKindName(op)}`,
      );
    }
  });
  if (patch.length > maxJsonPatchOperations) {
    throw new RequestEntityTooLargeError(
      `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${patch.length}`,
    );
  }
  let result = cloneJson(doc);
  (patch as Record<string, unknown>[]).forEach((op, index) => {
    result = applyOne(result, op, index);
  });
  return result;
}

function jsonKindName(value: unknown): string {
  if (value === null) return 'null';
  const kind = jsonKind(value);
  return kind === 'scalar' ? `a ${typeof value}` : `an ${kind}`;
}

/** Applies one validated operation to `doc` (owned by the caller) and returns the new document. */
function applyOne(doc: unknown, op: Record<string, unknown>, index: number): unknown {
  const name = op.op;
  if (typeof name !== 'string' || !(operations as readonly string[]).includes(name)) {
    fail(
      index,
      `"op" must be one of ${operations.map((o) => `"${o}"`).join(', ')}, got ${describeJson(name)}`,
    );
  }
  const opName = name as OperationName;
  const where = `operation ${index} (${opName})`;
  const path = pointerOf(op, 'path', where, index);
  if ((opName === 'add' || opName === 'replace' || opName === 'test') && !Object.hasOwn(op, 'value')) {
    fail(index, `${where} needs a "value"`);
  }
  const from = opName === 'move' || opName === 'copy' ? pointerOf(op, 'from', where, index) : undefined;

  if (from !== undefined) {
    const source = resolve(doc, from.tokens);
    if (!source.found) fail(index, `${where}: "from" path "${from.text}" does not exist`);
    if (
      opName === 'move' &&
      from.tokens.length < path.tokens.length &&
      from.tokens.every((t, i) => t === path.tokens[i])
    ) {
      fail(index, `${where}: cannot move "${from.text}" into its own child "${path.text}"`);
    }
  }
  if (path.tokens.length === 1) return applyToRoot(doc, op, opName, from, where, index);
  if (opName === 'test') {
    // Resolved here rather than by rfc6902, which reads properties such as a list's `length`.
    const target = resolve(doc, path.tokens);
    if (!target.found) fail(index, `${where}: path "${path.text}" does not exist`);
    if (!jsonEqual(target.value, op.value)) {
      fail(
        index,
        `${where}: value at "${path.text}" is ${describeJson(target.value)}, expected ${describeJson(op.value)}`,
      );
    }
    return doc;
  }

  const parentTokens = path.tokens.slice(0, -1);
  const parent = resolve(doc, parentTokens);
  const last = path.tokens[path.tokens.length - 1] ?? '';
  if (!parent.found || jsonKind(parent.value) === 'scalar') {
    fail(index, `${where}: the parent of "${path.text}" does not exist`);
  }
  if (Array.isArray(parent.value)) {
    const length = parent.value.length;
    const adding = opName !== 'remove' && opName !== 'replace';
    const valid = (adding && last === '-') || (isIndex(last) && Number(last) < length + (adding ? 1 : 0));
    if (!valid)
      fail(
        index,
        `${where}: index "${last}" is out of range for the list at "${parentPointer(path.text)}" (length ${length})`,
      );
  } else if ((opName === 'remove' || opName === 'replace') && !Object.hasOwn(parent.value as object, last)) {
    fail(index, `${where}: path "${path.text}" does not exist`);
  }
  const error = applyOperation(doc, op as unknown as Operation);
  if (error !== null) fail(index, `${where}: ${error.message}`, error);
  return doc;
}

/** Operations on the whole document (path ""), which RFC 6902 allows for add, replace, test, copy and move. */
function applyToRoot(
  doc: unknown,
  op: Record<string, unknown>,
  name: OperationName,
  from: ParsedPointer | undefined,
  where: string,
  index: number,
): unknown {
  switch (name) {
    case 'add':
    case 'replace':
      return cloneJson(op.value);
    case 'test':
      if (!jsonEqual(doc, op.value)) {
        fail(index, `${where}: the document is ${describeJson(doc)}, expected ${describeJson(op.value)}`);
      }
      return doc;
    case 'copy':
    case 'move':
      return cloneJson(resolve(doc, from?.tokens ?? ['']).value);
    case 'remove':
      return fail(index, `${where}: cannot remove the whole document`);
  }
}

interface ParsedPointer {
  text: string;
  /** Unescaped reference tokens; the first is always "" (the root). */
  tokens: string[];
}

/** Keys that `rfc6902` would not treat as plain keys; rejected rather than misapplied. */
const unsupportedTokens = new Set(['__proto__', 'constructor', 'prototype']);

function pointerOf(
  op: Record<string, unknown>,
  member: 'path' | 'from',
  where: string,
  index: number,
): ParsedPointer {
  const text = op[member];
  if (typeof text !== 'string') fail(index, `${where} needs a "${member}" string`);
  let tokens: string[];
  try {
    tokens = Pointer.fromJSON(text).tokens;
  } catch (err) {
    return fail(
      index,
      `${where}: "${member}" ${describeJson(text)} is not a JSON pointer (it must be empty or start with "/")`,
      err,
    );
  }
  const bad = tokens.find((t) => unsupportedTokens.has(t));
  if (bad !== undefined) fail(index, `${where}: "${member}" "${text}" uses the unsupported key "${bad}"`);
  return { text, tokens };
}

/** Follows `tokens` (after the root token) through objects and canonical list indexes. */
function resolve(doc: unknown, tokens: readonly string[]): { found: boolean; value: unknown } {
  let current = doc;
  for (const token of tokens.slice(1)) {
    if (Array.isArray(current)) {
      if (!isIndex(token) || Number(token) >= current.length) return { found: false, value: undefined };
      current = current[Number(token)];
    } else if (isPlainObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

function isIndex(token: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(token);
}

function parentPointer(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function fail(index: number, detail: string, cause?: unknown): never {
  const message = detail.startsWith('operation ') ? detail : `operation ${index}: ${detail}`;
  throw new JsonPatchError(`invalid JSON patch: ${message}`, cause === undefined ? {} : { cause });
}
