import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findImages, IMAGES_ANNOTATION } from './images.js';
import { readPackageFolder } from './package-source.js';

const enc = (s: string): Uint8Array => Buffer.from(s);
const podSpec = (image: string) => ({
  containers: [{ name: 'c', image }],
  initContainers: [{ name: 'i', image: `${image}-init` }],
});

function yaml(obj: unknown): string {
  return JSON.stringify(obj);
}

describe('image discovery', () => {
  it.each([
    { kind: 'Pod', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: podSpec('a:1') } },
    {
      kind: 'PodTemplate',
      obj: {
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: { name: 'p' },
        template: { spec: podSpec('a:1') },
      },
    },
    ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'].map(
      (kind) => ({
        kind,
        obj: {
          apiVersion: 'apps/v1',
          kind,
          metadata: { name: 'w' },
          spec: { template: { spec: podSpec('a:1') } },
        },
      }),
    ),
    {
      kind: 'CronJob',
      obj: {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c' },
        spec: { jobTemplate: { spec: { template: { spec: podSpec('a:1') } } } },
      },
    },
  ])('finds containers and init containers of a $kind', ({ obj }) => {
    const found = findImages(new Map([['w.yaml', enc(yaml(obj))]]));
    expect(found.map((f) => f.reference)).toEqual(['docker.io/library/a:1', 'docker.io/library/a:1-init']);
  });

  it('finds ephemeral containers, annotations, imageList and spec.images, deduplicated by normalised reference', () => {
    const files = new Map([
      [
        'pod.yaml',
        enc(
          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n' +
            `    ${IMAGES_ANNOTATION}: "quay.io/op/worker:v2, ghcr.io/x/y@sha256:${'a'.repeat(64)}"\n` +
            'spec:\n  containers:\n  - name: a\n    image: nginx\n  ephemeralContainers:\n  - name: d\n    image: busybox:1.36\n' +
            '---\n# comment only\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  image: not-an-image\n',
        ),
      ],
      ['manifests/imageList', enc('# comment\ndocker.io/library/nginx\n"registry.k8s.io/pause:3.9"\n')],
      [
        'manifest.yaml',
        enc(
          'apiVersion: manifests.package-operator.run/v1alpha1\nkind: PackageManifest\nmetadata:\n  name: m\nspec:\n  scopes: [Cluster]\n  phases: [{name: deploy}]\n  images:\n  - name: op\n    image: quay.io/op/manager:v1\n',
        ),
      ],
      ['tmpl.yaml.gotmpl', enc('image: {{ .config.image }}')],
    ]);
    const found = findImages(files);
    expect(found.map((f) => f.reference)).toEqual([
      'docker.io/library/busybox:1.36',
      'docker.io/library/nginx',
      `ghcr.io/x/y@sha256:${'a'.repeat(64)}`,
      'quay.io/op/manager:v1',
      'quay.io/op/worker:v2',
      'registry.k8s.io/pause:3.9',
    ]);
    const nginx = found.find((f) => f.reference === 'docker.io/library/nginx');
    expect(nginx?.sources.map((s) => s.path)).toEqual(['manifests/imageList', 'pod.yaml']);
    expect(found.find((f) => f.reference.startsWith('docker.io/library/busybox'))?.sources[0]?.field).toBe(
      'spec.ephemeralContainers[0].image',
    );
  });

  it('names the file and field of a malformed reference', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'UPPER/Case' }] },
    };
    expect(() => findImages(new Map([['bad.yaml', enc(yaml(obj))]]))).toThrow(
      /^bad.yaml spec.containers\[0\].image: image reference "UPPER\/Case"/,
    );
  });

  it('finds the images of a real package (addon-operator)', async () => {
    const files = await readPackageFolder(
      join(
        import.meta.dirname,
        '../../../shared/fixtures/package-operator/openshift-addon-operator/deploy_pko',
      ),
    );
    const found = findImages(files);
    expect(found.length).toBeGreaterThan(0);
  });
});
