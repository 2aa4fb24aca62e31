import { describe, expect, it } from 'vitest';
import { findImages } from './images.js';
import { rewriteImages } from './relocate.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const DEPLOY = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    lading.run/images: quay.io/example/worker:v2, docker.io/library/busybox:1
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: "busybox:1"   # pinned later
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched
data:
  image: nginx:1.25
`;

describe('rewriteImages', () => {
  const mapping = new Map([
    ['docker.io/library/nginx:1.25', `reg.local/mirror/library/nginx@${D1}`],
    ['docker.io/library/busybox:1', `reg.local/mirror/library/busybox@${D2}`],
    ['quay.io/example/worker:v2', `reg.local/mirror/example/worker@${D2}`],
  ]);

  it('replaces only the scalars discovery found, keeping comments, quoting and other documents', () => {
    const out = rewriteImages(new Map([['deploy.yaml', enc(DEPLOY)]]), mapping);
    const text = dec(out.get('deploy.yaml'));
    expect(text).toBe(
      DEPLOY.replace('image: nginx:1.25\n---', `image: reg.local/mirror/library/nginx@${D1}\n---`)
        .replace('"busybox:1"', `"reg.local/mirror/library/busybox@${D2}"`)
        .replace(
          'lading.run/images: quay.io/example/worker:v2, docker.io/library/busybox:1',
          `lading.run/images: reg.local/mirror/example/worker@${D2}, reg.local/mirror/library/busybox@${D2}`,
        ),
    );
    expect(findImages(out).map((i) => i.reference)).toEqual([
      `reg.local/mirror/example/worker@${D2}`,
      `reg.local/mirror/library/busybox@${D2}`,
      `reg.local/mirror/library/nginx@${D1}`,
    ]);
  });

  it('rewrites imageList lines and a PackageManifest with a regenerated lock', () => {
    const manifest = `apiVersion: manifests.package-operator.run/v1alpha1
kind: PackageManifest
metadata:
  name: app
spec:
  scopes: [Namespaced]
  phases: [{ name: deploy }]
  images:
  - name: web # the web server
    image: nginx:1.25
`;
    const out = rewriteImages(
      new Map([
        ['manifest.yaml', enc(manifest)],
        ['imageList', enc('# images\nnginx:1.25\nquay.io/example/worker:v2 # worker\n')],
      ]),
      mapping,
    );
    expect(dec(out.get('manifest.yaml'))).toBe(
      manifest.replace('image: nginx:1.25', `image: reg.local/mirror/library/nginx@${D1}`),
    );
    expect(dec(out.get('imageList'))).toBe(
      `# images\nreg.local/mirror/library/nginx@${D1}\nreg.local/mirror/example/worker@${D2} # worker\n`,
    );
    expect(dec(out.get('manifest.lock.yaml'))).toBe(`apiVersion: manifests.package-operator.run/v1alpha1
kind: PackageManifestLock
metadata:
  creationTimestamp: "1970-01-01T00:00:00Z"
spec:
  images:
  - digest: ${D1}
    image: reg.local/mirror/library/nginx@${D1}
    name: web
`);
  });

  it('refuses a mapped image it cannot reach, instead of shipping the old location', () => {
    const alias =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {x: &img nginx:1.25}}\nspec:\n  containers: [{name: a, image: *img}]\n';
    expect(() => rewriteImages(new Map([['pod.yaml', enc(alias)]]), mapping)).toThrow(
      /cannot rewrite image docker.io\/library\/nginx:1.25 in pod.yaml spec.containers\[0\].image/,
    );
    const flow =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: nginx:1.25}]\n';
    expect(dec(rewriteImages(new Map([['pod.yaml', enc(flow)]]), mapping).get('pod.yaml'))).toBe(
      flow.replace('nginx:1.25', `reg.local/mirror/library/nginx@${D1}`),
    );
  });
});
