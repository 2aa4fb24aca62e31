/**
 * Content negotiation: decoding request bodies by Content-Type (JSON, YAML, the patch types) and
 * choosing the response form from Accept (plain JSON, `as=Table`, `as=PartialObjectMetadata[List]`).
 * Protobuf and CBOR are not served; a client that accepts only those gets 406.
 */
import { parse as parseYaml } from 'yaml';
import { BadRequestError, NotAcceptableError, UnsupportedMediaTypeError } from '../apimachinery/index.js';
import type { PatchType } from '../registry/index.js';
import { decodeProtobufObject } from './protobuf.js';

export type ResponseForm =
  | { as: 'object' }
  | { as: 'Table'; version: 'v1' | 'v1beta1' }
  | { as: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseMediaRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim());
      const map: Record<string, string> = {};
      for (const p of params) {
        const eq = p.indexOf('=');
        if (eq > 0) map[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
      }
      return { type: type.toLowerCase(), params: map };
    })
    .filter((r) => r.type !== '');
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*', 'application/yaml']);

/** The first acceptable form in the client's order. Throws NotAcceptableError when none is. */
export function negotiateResponse(accept: string | undefined): ResponseForm {
  if (!accept) return { as: 'object' };
  for (const range of parseMediaRanges(accept)) {
    if (!JSON_TYPES.has(range.type)) continue;
    const as = range.params.as;
    if (as === undefined) return { as: 'object' };
    const version = range.params.v;
    if (range.params.g !== 'meta.k8s.io' || (version !== 'v1' && version !== 'v1beta1')) continue;
    if (as === 'Table') return { as: 'Table', version };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
      return { as: 'PartialObjectMetadata', version };
  }
  throw new NotAcceptableError(
    'only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io',
  );
}

/** Whether the client prefers YAML (for `-o yaml`-style Accept headers). */
export function wantsYaml(accept: string | undefined): boolean {
  const first = accept ? parseMediaRanges(accept)[0] : undefined;
  return first?.type === 'application/yaml';
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw new BadRequestError(`the body of the request was not valid ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function parseYamlDoc(body: string): unknown {
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    return parseYaml(body, { maxAliasCount: 100, version: '1.2' }) as unknown;
  } catch (err) {
    throw new BadRequestError(`the body of the request was not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decodes a create/update/delete body (JSON, YAML, or protobuf for a few built-in kinds). */
export function decodeBody(contentType: string | undefined, raw: Buffer): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(raw);
  const body = raw.toString('utf8');
  if (body.trim() === '') throw new BadRequestError('the body of the request must not be empty');
  if (type === 'application/json' || type === '') return parseJson(body, 'JSON');
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml')
    return parseYamlDoc(body);
  throw new UnsupportedMediaTypeError(
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
  );
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Decodes a PATCH body; the Content-Type names the patch type. */
export function decodePatch(
  contentType: string | undefined,
  raw: Buffer,
): { type: PatchType; patch: unknown } {
  const type = PATCH_TYPES[mediaType(contentType)];
  const body = raw.toString('utf8');
  if (type === undefined) {
    throw new UnsupportedMediaTypeError(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json',
    );
  }
  if (body.trim() === '') throw new BadRequestError('the body of the request must not be empty');
  return { type, patch: type === 'apply' ? parseYamlDoc(body) : parseJson(body, 'JSON') };
}
