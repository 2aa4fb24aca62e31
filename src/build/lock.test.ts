import { describe, expect, it } from 'vitest';
import { formatLock, updateLock, yamlString } from './lock.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const DIGEST = `sha256:${'a'.repeat(64)}`;
const MANIFEST = `apiVersion: manifests.package-operator.run/v1alpha1
kind: PackageManifest
metadata:
  name: app
spec:
  scopes: [Namespaced]
  phases: [{ name: deploy }]
  images:
    - name: web
      image: nginx:1.25
    - name: "true"
      image: quay.io/example/worker
`;

describe('manifest.lock.yaml', () => {
  it('is printed as sigs.k8s.io/yaml prints PackageManifestLock (PKO fixture byte for byte)', () => {
    // integration/kubectl-package/testdata/packages/valid/with_config/manifest.lock.yaml
    const fixture = `apiVersion: manifests.package-operator.run/v1alpha1
kind: PackageManifestLock
metadata:
  creationTimestamp: "2023-02-06T15:27:04Z"
spec:
  images:
  - digest: sha256:f15ba5a5bfa89be25e5989eeca98e983084350e3f36d9546d22185058326d4cc
    image: something:v1.0
    name: test
`;
    expect(
      formatLock(
        [
          {
            name: 'test',
            image: 'something:v1.0',
            digest: 'sha256:f15ba5a5bfa89be25e5989eeca98e983084350e3f36d9546d22185058326d4cc',
          },
        ],
        '2023-02-06T15:27:04Z',
      ),
    ).toBe(fixture);
  });

  it.each([
    { name: 'plain image', value: 'quay.io/a/b:v1', want: 'quay.io/a/b:v1' },
    { name: 'YAML 1.1 boolean', value: 'yes', want: '"yes"' },
    { name: 'number', value: '123', want: '"123"' },
    { name: 'timestamp', value: '2024-01-01T00:00:00Z', want: '"2024-01-01T00:00:00Z"' },
    { name: 'empty', value: '', want: '""' },
    { name: 'indicator first', value: '-x', want: "'-x'" },
  ])('quotes $name as go-yaml v2', ({ value, want }) => {
    expect(yamlString(value)).toBe(want);
  });

  it('resolves images in manifest order, and reports an unchanged lock as up to date', async () => {
    const asked: string[] = [];
    const files = new Map([['manifest.yaml', enc(MANIFEST)]]);
    const first = await updateLock(files, {
      resolve: (ref) => {
        asked.push(`${ref.registry}/${ref.repository}:${ref.tag}`);
        return Promise.resolve(DIGEST);
      },
      now: () => new Date('2024-05-06T07:08:09.123Z'),
    });
    expect(asked).toEqual(['docker.io/library/nginx:1.25', 'quay.io/example/worker:latest']);
    expect(first.path).toBe('manifest.lock.yaml');
    expect(first.text).toContain('creationTimestamp: "2024-05-06T07:08:09Z"');
    expect(first.text).toContain(`  - digest: ${DIGEST}\n    image: nginx:1.25\n    name: web\n`);
    expect(first.text).toContain(`    image: quay.io/example/worker\n    name: "true"\n`);
    files.set('manifest.lock.yaml', enc(first.text!));
    const again = await updateLock(files, { resolve: () => Promise.resolve(DIGEST) });
    expect(again.text).toBeUndefined();
    const moved = await updateLock(files, { resolve: () => Promise.resolve(`sha256:${'b'.repeat(64)}`) });
    expect(moved.text).toContain('b'.repeat(64));
  });

  it('resolves at PKO_REPOSITORY_HOST when it is set, keeping the image as written', async () => {
    const files = new Map([['manifest.yaml', enc(MANIFEST)]]);
    const asked: string[] = [];
    const result = await updateLock(files, {
      hostOverride: 'mirror.local:5000',
      resolve: (ref) => {
        asked.push(`${ref.registry}/${ref.repository}:${ref.tag}`);
        return Promise.resolve(DIGEST);
      },
    });
    expect(asked[0]).toBe('mirror.local:5000/library/nginx:1.25');
    expect(result.text).toContain('image: nginx:1.25');
  });

  it('refuses a folder without a PackageManifest', async () => {
    await expect(
      updateLock(new Map([['a.yaml', enc('kind: x')]]), { resolve: () => Promise.resolve(DIGEST) }),
    ).rejects.toThrow(/PackageManifest not found/);
  });
});
