import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionConfigs, parseByteSize } from './fn-runner.js';

describe('parseByteSize', () => {
  it.each([
    { text: '67108864', bytes: 67108864 },
    { text: '64Mi', bytes: 64 * 1024 * 1024 },
    { text: '64MiB', bytes: 64 * 1024 * 1024 },
    { text: '100M', bytes: 100_000_000 },
    { text: '512Ki', bytes: 512 * 1024 },
    { text: '1Gi', bytes: 1024 ** 3 },
    { text: '10B', bytes: 10 },
  ])('$text → $bytes', ({ text, bytes }) => {
    expect(parseByteSize(text, '--max-message-size')).toBe(bytes);
  });
  it.each(['', '0', '-1', '12x', '1.5Mi', '2Gi', 'Mi'])('refuses %j', (text) => {
    expect(() => parseByteSize(text, '--max-message-size')).toThrow(
      /--max-message-size must be a size like 64Mi/,
    );
  });
});

describe('loadFunctionConfigs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lading-fnconfig-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };

  it('keeps FunctionConfigs with a binaryExecutor, resolving paths against the file', async () => {
    const file = await write(
      'ok.yaml',
      [
        'apiVersion: config.porch.kpt.dev/v1alpha1\nkind: FunctionConfig\nmetadata: {name: a}\nspec:\n  image: set-x\n  binaryExecutor: {path: ./bin/set-x, tags: [v1]}\n',
        'apiVersion: config.porch.kpt.dev/v1alpha1\nkind: FunctionConfig\nmetadata: {name: b}\nspec:\n  image: pod-only\n  podExecutor: {}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ignored}\n',
        'apiVersion: config.porch.kpt.dev/v1alpha1\nkind: FunctionConfig\nmetadata: {name: c}\nspec:\n  image: abs\n  binaryExecutor: {path: /usr/local/bin/abs}\n',
      ].join('---\n'),
    );
    const configs = await loadFunctionConfigs(file);
    expect(
      configs.map((c) => [c.metadata?.name, c.spec?.binaryExecutor?.path, c.spec?.binaryExecutor?.tags]),
    ).toEqual([
      ['a', join(dir, 'bin/set-x'), ['v1']],
      ['c', '/usr/local/bin/abs', undefined],
    ]);
  });

  it.each([
    {
      name: 'missing image',
      text: 'kind: FunctionConfig\nmetadata: {name: m}\nspec: {binaryExecutor: {path: x}}\n',
      error: /document 0 \(m\): `spec.image`/,
    },
    {
      name: 'missing path',
      text: 'kind: FunctionConfig\nmetadata: {name: p}\nspec: {image: x, binaryExecutor: {}}\n',
      error: /`spec.binaryExecutor.path` must name an executable/,
    },
  ])('refuses a $name', async ({ name, text, error }) => {
    await expect(loadFunctionConfigs(await write(`${name}.yaml`, text))).rejects.toThrow(error);
  });

  it('says which file it cannot read', async () => {
    await expect(loadFunctionConfigs(join(dir, 'nope.yaml'))).rejects.toThrow(
      /--function-config .*nope.yaml: ENOENT/,
    );
  });
});
