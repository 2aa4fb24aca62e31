import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
import {
  WIDGET_RESOURCE,
  configMap,
  startRegistry,
  widget,
  type RegistryFixture,
} from '../../test/support/registry-fixture.js';

let r: RegistryFixture;
beforeEach(async () => {
  r = await startRegistry({ controllers: false });
});
afterEach(async () => {
  await r.close();
});

describe('create', () => {
  it('sets uid, creationTimestamp, generation 1 and resourceVersion', async () => {
    const before = await r.store.currentRv();
    const created = await r.configMaps.create('default', configMap('a', { k: 'v' }), {
      fieldManager: 'test',
    });
    expect(created.metadata).toMatchObject({ name: 'a', namespace: 'default', generation: 1 });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(before);
    expect(await r.configMaps.get('default', 'a')).toEqual(created);
  });

  it('generates a name from generateName', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } };
    const a = await r.configMaps.create('default', body, {});
    const b = await r.configMaps.create('default', body, {});
    expect(a.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(b.metadata.name).not.toBe(a.metadata.name);
    expect(a.metadata.generateName).toBe('gen-');
  });

  it('rejects a second object with the same name with 409 AlreadyExists', async () => {
    await r.configMaps.create('default', configMap('dup'), {});
    await expect(r.configMaps.create('default', configMap('dup'), {})).rejects.toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
  });

  it('rejects a namespace that does not exist with 404', async () => {
    const before = await r.store.currentRv();
    await expect(r.configMaps.create('nowhere', configMap('a'), {})).rejects.toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
    expect(await r.store.currentRv()).toBe(before);
  });

  it('rejects a terminating namespace with 403', async () => {
    await r.createNamespace('leaving');
    // Without the namespace controller the namespace stays Terminating.
    await r.namespaces.delete('leaving', 'leaving', {}, {});
    await r.namespaces.delete('', 'leaving', {}, {});
    expect((await r.namespaces.get('', 'leaving')).status).toEqual({ phase: 'Terminating' });
    await expect(r.configMaps.create('leaving', configMap('a'), {})).rejects.toMatchObject({
      code: 403,
      reason: 'Forbidden',
    });
  });

  it('rejects metadata.resourceVersion with 422', async () => {
    const body = configMap('a', {}, { metadata: { resourceVersion: '5' } });
    await expect(r.configMaps.create('default', body, {})).rejects.toMatchObject({
      code: 422,
      details: { causes: [expect.objectContaining({ field: 'metadata.resourceVersion' })] },
    });
  });

  it('with dryRun returns the object and writes nothing', async () => {
    const before = await r.store.currentRv();
    const created = await r.configMaps.create('default', configMap('dry', { k: 'v' }), { dryRun: true });
    expect(created.metadata.uid).toBeDefined();
    expect(created.data).toEqual({ k: 'v' });
    expect(await r.store.currentRv()).toBe(before);
    await expect(r.configMaps.get('default', 'dry')).rejects.toMatchObject({ code: 404 });
  });

  it('applies defaults from the schema and drops status of a status-subresource kind', async () => {
    const body = { ...widget('w', { color: 'red' }), status: { phase: 'Hacked' } };
    const created = await r.handler(WIDGET_RESOURCE).create('default', body, {});
    expect(created.spec).toEqual({ color: 'red', size: 'small', replicas: 1 });
    expect(created.status).toBeUndefined();
  });

  it('rejects a body of another kind with 400', async () => {
    await expect(
      r.configMaps.create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, {}),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('rejects an object without a name with 422 naming metadata.name', async () => {
    await expect(
      r.configMaps.create('default', { apiVersion: 'v1', kind: 'ConfigMap' }, {}),
    ).rejects.toMatchObject({
      code: 422,
      details: { causes: [expect.objectContaining({ field: 'metadata.name' })] },
    });
  });

  describe('unknown fields', () => {
    const cases: {
      name: string;
      mode: 'Strict' | 'Warn' | 'Ignore' | undefined;
      error?: number;
      warnings: string[];
    }[] = [
      { name: 'Strict rejects with 400', mode: 'Strict', error: 400, warnings: [] },
      { name: 'default is Strict', mode: undefined, error: 400, warnings: [] },
      { name: 'Warn warns and prunes', mode: 'Warn', warnings: ['unknown field "spec.extra"'] },
      { name: 'Ignore prunes silently', mode: 'Ignore', warnings: [] },
    ];
    it.each(cases)('$name', async ({ mode, error, warnings }) => {
      const warned: string[] = [];
      const request = { warnings: warned, ...(mode ? { fieldValidation: mode } : {}) };
      const body = widget('w', { color: 'blue', extra: 1 });
      const create = r.handler(WIDGET_RESOURCE).create('default', body, request);
      if (error !== undefined) {
        const failure: unknown = await create.catch((err: unknown) => err);
        expect(failure).toMatchObject({ code: error });
        expect((failure as Error).message).toContain('spec.extra');
        return;
      }
      const created: KubeObject = await create;
      expect(created.spec).toEqual({ color: 'blue', size: 'small', replicas: 1 });
      expect(warned).toEqual(warnings);
      expect((await r.handler(WIDGET_RESOURCE).get('default', 'w')).spec).not.toHaveProperty('extra');
    });
  });

  it('folds Secret stringData into base64 data and defaults type to Opaque', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: Buffer.from('one').toString('base64') },
      stringData: { b: 'two' },
    };
    const created = await r.secrets.create('default', body, {});
    expect(created).not.toHaveProperty('stringData');
    expect(created.type).toBe('Opaque');
    expect(created.data).toEqual({ a: 'b25l', b: Buffer.from('two').toString('base64') });
  });

  it('rejects Secret data that is not base64 without echoing the value', async () => {
    const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!' } };
    const error: unknown = await r.secrets.create('default', body, {}).catch((err: unknown) => err);
    expect(error).toMatchObject({
      code: 422,
      details: { causes: [expect.objectContaining({ field: 'data.a' })] },
    });
    expect(JSON.stringify(error)).not.toContain('not base64!');
    expect((error as Error).message).not.toContain('not base64!');
  });
});
