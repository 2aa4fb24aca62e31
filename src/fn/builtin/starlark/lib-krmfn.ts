/**
 * `load('krmfn.star', 'krmfn')`: the catalog function's own helpers — `match_gvk(resource,
 * apiVersion, kind)`, `match_name(resource, name)`, `match_namespace(resource, namespace)` — and the
 * older `match_gvkn(resource, apiVersion, kind, name)`.
 */
import { asString, unpackArgs } from './args.js';
import { fail } from './errors.js';
import { Builtin, StarDict, newStruct, typeName, type StarStruct, type Value } from './values.js';

function field(r: StarDict, ...path: string[]): string {
  let v: Value | undefined = r;
  for (const p of path) v = v instanceof StarDict ? v.get(p) : undefined;
  return typeof v === 'string' ? v : '';
}

function resource(fn: string, v: Value | undefined): StarDict {
  if (!(v instanceof StarDict)) fail(`${fn}: for parameter resource: got ${typeName(v ?? null)}, want dict`);
  return v;
}

function matcher(name: string, params: string[], test: (r: StarDict, args: string[]) => boolean): Builtin {
  const fn = `krmfn.${name}`;
  return new Builtin(fn, (a, k) => {
    const got = unpackArgs(fn, a, k, ['resource', ...params]);
    const r = resource(fn, got[0]);
    return test(
      r,
      params.map((p, i) => asString(fn, p, got[i + 1])),
    );
  });
}

export function krmfnModule(): StarStruct {
  return newStruct('krmfn', {
    match_gvk: matcher(
      'match_gvk',
      ['apiVersion', 'kind'],
      (r, [v, k]) => field(r, 'apiVersion') === v && field(r, 'kind') === k,
    ),
    match_name: matcher('match_name', ['name'], (r, [n]) => field(r, 'metadata', 'name') === n),
    match_namespace: matcher(
      'match_namespace',
      ['namespace'],
      (r, [ns]) => field(r, 'metadata', 'namespace') === ns,
    ),
    match_gvkn: matcher(
      'match_gvkn',
      ['apiVersion', 'kind', 'name'],
      (r, [v, k, n]) =>
        field(r, 'apiVersion') === v && field(r, 'kind') === k && field(r, 'metadata', 'name') === n,
    ),
  });
}
