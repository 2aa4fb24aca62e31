import { describe, expect, it } from 'vitest';
import { MAX_PATH_BYTES, toFileMap, validatePackagePaths } from './package-files.js';

describe('validatePackagePaths', () => {
  const cases: { name: string; paths: string[]; fields: string[]; message?: RegExp }[] = [
    { name: 'ordinary paths', paths: ['Kptfile', 'a/b.yaml', '.krmignore', 'sub/.expected/x'], fields: [] },
    {
      name: 'absolute path',
      paths: ['/etc/passwd'],
      fields: ['spec.resources[/etc/passwd]'],
      message: /relative/,
    },
    { name: 'drive letter', paths: ['C:/x'], fields: ['spec.resources[C:/x]'], message: /relative/ },
    {
      name: 'parent segment',
      paths: ['a/../../x'],
      fields: ['spec.resources[a/../../x]'],
      message: /`\.\.`/,
    },
    { name: 'dot segment', paths: ['./x'], fields: ['spec.resources[./x]'], message: /`\.` segments/ },
    { name: 'empty segment', paths: ['a//b'], fields: ['spec.resources[a//b]'], message: /empty segments/ },
    { name: 'trailing slash', paths: ['a/'], fields: ['spec.resources[a/]'], message: /empty segments/ },
    { name: 'empty path', paths: [''], fields: ['spec.resources[]'], message: /must not be empty/ },
    { name: 'backslash', paths: ['a\\b'], fields: ['spec.resources[a\\b]'], message: /`\\`/ },
    { name: 'NUL', paths: ['a\u0000b'], fields: ['spec.resources[a\u0000b]'], message: /control/ },
    { name: 'control character', paths: ['a\nb'], fields: ['spec.resources[a\nb]'], message: /control/ },
    {
      name: 'git directory',
      paths: ['.git/config'],
      fields: ['spec.resources[.git/config]'],
      message: /\.git/,
    },
    {
      name: 'file and directory of one name',
      paths: ['a', 'a/b'],
      fields: ['spec.resources[a/b]'],
      message: /is a file/,
    },
    {
      name: 'directory then file of one name',
      paths: ['a/b', 'a'],
      fields: ['spec.resources[a]'],
      message: /directory/,
    },
  ];
  it.each(cases)('$name', ({ paths, fields, message }) => {
    const causes = validatePackagePaths(paths);
    expect(causes.map((c) => c.field)).toEqual(fields);
    if (message) expect(causes.map((c) => c.message).join(' ')).toMatch(message);
  });

  it('limits path length in bytes', () => {
    const long = 'é'.repeat(MAX_PATH_BYTES / 2 + 1);
    expect(validatePackagePaths([long]).map((c) => c.reason)).toEqual(['FieldValueTooLong']);
    expect(validatePackagePaths(['a'.repeat(MAX_PATH_BYTES)])).toEqual([]);
  });

  it('limits the package size (UTF-8 bytes of paths and texts)', () => {
    const files = { 'a.yaml': 'x'.repeat(90), 'b.yaml': 'y'.repeat(10) };
    expect(validatePackagePaths(files, { maxPackageBytes: 200 })).toEqual([]);
    const causes = validatePackagePaths(files, { maxPackageBytes: 100 });
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ field: 'spec.resources', reason: 'FieldValueTooLong' });
    expect(validatePackagePaths(new Map(Object.entries(files)), { maxPackageBytes: 100 })).toHaveLength(1);
  });

  it('copies record and map inputs', () => {
    const record = { b: '2', a: '1' };
    expect([...toFileMap(record)]).toEqual([
      ['b', '2'],
      ['a', '1'],
    ]);
  });
});
