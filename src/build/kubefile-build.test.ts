import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFromKubefile } from './kubefile-build.js';

describe('buildFromKubefile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lading-kubefile-'));
    await mkdir(join(dir, 'app', 'templates'), { recursive: true });
    await writeFile(
      join(dir, 'app', 'deploy.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    );
    await writeFile(join(dir, 'extra-amd64.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    await symlink('/etc', join(dir, 'outside'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const build = async (text: string, options: Parameters<typeof buildFromKubefile>[1] = {}) => {
    await writeFile(join(dir, 'Kubefile'), text);
    return buildFromKubefile(join(dir, 'Kubefile'), options);
  };

  it('copies apps and files, substitutes ARG (overridable) and ${ARCH}, labels CNI apps', async () => {
    const built = await build(
      'ARG DEST=manifests\nFROM scratch\nCOPY extra-${ARCH}.yaml ${DEST}/\nCNI calico local://app\nKUBEVERSION 1.22 - 1.24\nLAUNCH ["calico"]\n',
      { buildArgs: { DEST: 'deploy' }, name: 'net' },
    );
    expect([...built.files.keys()]).toEqual([
      'application/apps/calico/deploy.yaml',
      'deploy/extra-amd64.yaml',
    ]);
    expect(built.image.config.config?.Labels).toEqual({
      'app.alpha.sealer.io/supported-kube-version': '1.22 - 1.24',
      'cluster.alpha.sealer.io/kube-cni-calico': 'true',
    });
    expect(built.name).toBe('net');
    const again = await build(
      'ARG DEST=manifests\nFROM scratch\nCOPY extra-${ARCH}.yaml ${DEST}/\nCNI calico local://app\nKUBEVERSION 1.22 - 1.24\nLAUNCH ["calico"]\n',
      { buildArgs: { DEST: 'deploy' }, name: 'net' },
    );
    expect(again.image.digest).toBe(built.image.digest);
  });

  it.each([
    { name: 'RUN', text: 'FROM scratch\nRUN echo hi\n', want: /Kubefile:2: RUN runs commands at build time/ },
    {
      name: 'a URL source',
      text: 'FROM scratch\nAPP web https://example.com/web.yaml\n',
      want: /Kubefile:2: "https:\/\/example.com\/web.yaml": only local sources can be built/,
    },
    {
      name: 'a source outside the context',
      text: 'FROM scratch\nCOPY outside/hostname x\n',
      want: /Kubefile:2: "outside\/hostname" is outside the build context/,
    },
    {
      name: 'a missing source',
      text: 'FROM scratch\nCOPY nope.yaml x\n',
      want: /Kubefile:2: "nope.yaml" not found/,
    },
    {
      name: 'a ".." destination',
      text: 'FROM scratch\nCOPY app/deploy.yaml ../x.yaml\n',
      want: /Kubefile:2: destination "\.\.\/x.yaml" must not contain "\.\."/,
    },
    {
      name: 'a cluster base image',
      text: 'FROM docker.io/sealerio/kubernetes:v1-22-15\nAPP web local://app\n',
      want: /Kubefile:1: FROM docker.io\/sealerio\/kubernetes:v1-22-15: base images are not available here/,
    },
    { name: 'no files', text: 'FROM scratch\nLABEL a=b\n', want: /puts no files into the package/ },
  ])('refuses $name naming the line', async ({ text, want }) => {
    await expect(build(text)).rejects.toThrow(want);
  });
});
