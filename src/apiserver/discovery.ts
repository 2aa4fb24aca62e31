/** Discovery documents: `/api`, `/apis`, `/apis/<group>`, and the per group-version resource lists. */
import { createHash } from 'node:crypto';
import { apiVersionOf } from '../apimachinery/index.js';
import type { KindDefinition, KindRegistry } from '../registry/index.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(group: string, versions: readonly string[]): Record<string, unknown> {
  const gv = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: gv, preferredVersion: gv[0] };
}

export function groupList(kinds: KindRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: kinds
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => groupDocument(g.group, g.versions)),
  };
}

export function group(kinds: KindRegistry, name: string): Record<string, unknown> | undefined {
  const found = kinds.groups().find((g) => g.group === name && name !== '');
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(found.group, found.versions) };
}

function storageVersionHash(kind: KindDefinition): string {
  const storage = apiVersionOf(kind.group, kind.storageVersion ?? kind.versions[0] ?? '');
  return createHash('sha256').update(`${storage}/${kind.names.kind}`).digest('base64').slice(0, 11);
}

export function resourceList(
  kinds: KindRegistry,
  groupName: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = kinds.all().filter((k) => k.group === groupName && k.versions.includes(version));
  if (served.length === 0 && !(groupName === '' && version === 'v1')) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const kind of served) {
    resources.push({
      name: kind.names.plural,
      singularName: kind.names.singular,
      namespaced: kind.namespaced,
      kind: kind.names.kind,
      verbs: kind.verbs ?? ALL_VERBS,
      ...(kind.names.shortNames?.length ? { shortNames: kind.names.shortNames } : {}),
      ...(kind.names.categories?.length ? { categories: kind.names.categories } : {}),
      storageVersionHash: storageVersionHash(kind),
    });
    for (const sub of kind.subresources ?? []) {
      resources.push({
        name: `${kind.names.plural}/${sub}`,
        singularName: '',
        namespaced: kind.namespaced,
        kind: kind.names.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (kind.statusSubresource) {
      resources.push({
        name: `${kind.names.plural}/status`,
        singularName: '',
        namespaced: kind.namespaced,
        kind: kind.names.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(groupName, version),
    resources,
  };
}
