import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPackageDir, writePackageDir } from './package-dir.js';
import { withTempDir } from './test-kpt.js';

describe('readPackageDir', () => {
  it('reads all files but .git, following symlinks that stay inside', async () => {
    await withTempDir(async (root) => {
      mkdirSync(join(root, 'pkg/sub'), { recursive: true });
      mkdirSync(join(root, 'pkg/.git'));
      writeFileSync(join(root, 'pkg/Kptfile'), 'k');
      writeFileSync(join(root, 'pkg/sub/a.yaml'), 'a');
      writeFileSync(join(root, 'pkg/.git/HEAD'), 'ref');
      symlinkSync('sub/a.yaml', join(root, 'pkg/link.yaml'));
      expect(await readPackageDir(join(root, 'pkg'))).toEqual(
        new Map([
          ['Kptfile', 'k'],
          ['link.yaml', 'a'],
          ['sub/a.yaml', 'a'],
        ]),
      );
    });
  });

  it.each([
    [
      'a symlink out of the directory',
      (root: string) => symlinkSync(join(root, 'secret'), join(root, 'pkg/x.yaml')),
      /outside/,
    ],
    [
      'a binary file',
      (root: string) => writeFileSync(join(root, 'pkg/x.bin'), Buffer.from([0xff, 0xfe, 0x00])),
      /UTF-8/,
    ],
  ])('refuses %s', async (_name, setup, message) => {
    await withTempDir(async (root) => {
      mkdirSync(join(root, 'pkg'));
      writeFileSync(join(root, 'secret'), 'token');
      setup(root);
      await expect(readPackageDir(join(root, 'pkg'))).rejects.toThrow(message);
    });
  });
});

describe('writePackageDir', () => {
  it('replaces package files, removes stale ones and empty directories, keeps .git', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'pkg');
      await writePackageDir(dir, { Kptfile: 'k1', 'old/x.yaml': 'x', 'keep.yaml': 'v1' });
      mkdirSync(join(dir, '.git'));
      writeFileSync(join(dir, '.git/HEAD'), 'ref');
      await writePackageDir(
        dir,
        new Map([
          ['Kptfile', 'k2'],
          ['keep.yaml', 'v2'],
          ['new/y.yaml', 'y'],
        ]),
      );
      expect(await readPackageDir(dir)).toEqual(
        new Map([
          ['Kptfile', 'k2'],
          ['keep.yaml', 'v2'],
          ['new/y.yaml', 'y'],
        ]),
      );
      expect(existsSync(join(dir, 'old'))).toBe(false);
      expect(readFileSync(join(dir, '.git/HEAD'), 'utf8')).toBe('ref');
    });
  });

  it('refuses unsafe paths before writing anything', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'pkg');
      await expect(writePackageDir(dir, { 'ok.yaml': 'x', '../escape.yaml': 'x' })).rejects.toThrow(/`\.\.`/);
      expect(existsSync(join(root, 'escape.yaml'))).toBe(false);
      expect(existsSync(join(dir, 'ok.yaml'))).toBe(false);
    });
  });

  it('never writes through a symlinked directory: the link is replaced by a real directory', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'pkg');
      mkdirSync(join(root, 'outside'));
      mkdirSync(dir);
      symlinkSync(join(root, 'outside'), join(dir, 'sub'));
      await writePackageDir(dir, { 'sub/x.yaml': 'x' });
      expect(existsSync(join(root, 'outside/x.yaml'))).toBe(false);
      expect(lstatSync(join(dir, 'sub')).isDirectory()).toBe(true);
      expect(readFileSync(join(dir, 'sub/x.yaml'), 'utf8')).toBe('x');
    });
  });

  it('replaces a symlinked file instead of writing to its target', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'pkg');
      mkdirSync(dir);
      writeFileSync(join(root, 'target'), 'original');
      symlinkSync(join(root, 'target'), join(dir, 'a.yaml'));
      await writePackageDir(dir, { 'a.yaml': 'new' });
      expect(readFileSync(join(root, 'target'), 'utf8')).toBe('original');
      expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe('new');
    });
  });
});
