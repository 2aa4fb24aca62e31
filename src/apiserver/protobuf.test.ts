import { describe, expect, it } from 'vitest';
import { decodeProtobufObject } from './protobuf.js';

/** A tiny protobuf writer for the cases below (length-delimited and varint fields). */
function field(no: number, value: Buffer | string | number | boolean): Buffer {
  if (typeof value === 'number' || typeof value === 'boolean') {
    return Buffer.from([(no << 3) | 0, Number(value)]);
  }
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([(no << 3) | 2, bytes.length]), bytes]);
}
const msg = (...fields: Buffer[]) => Buffer.concat(fields);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'binary'),
    field(1, msg(field(1, apiVersion), field(2, kind))),
    field(2, raw),
  ]);

describe('decodeProtobufObject', () => {
  it('decodes a ConfigMap with metadata, labels and data', () => {
    const meta = msg(
      field(1, 'cm'),
      field(2, ''),
      field(3, 'default'),
      field(11, msg(field(1, 'app'), field(2, 'web'))),
    );
    const raw = msg(
      field(1, meta),
      field(2, msg(field(1, 'a'), field(2, '1'))),
      field(2, msg(field(1, 'b'), field(2, ''))),
      field(4, true),
    );
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'default', labels: { app: 'web' } },
      data: { a: '1', b: '' },
      immutable: true,
    });
  });

  it('decodes Secret data as base64', () => {
    const raw = msg(
      field(1, msg(field(1, 's'))),
      field(2, msg(field(1, 'pw'), field(2, Buffer.from('hunter2')))),
      field(3, 'Opaque'),
    );
    expect(decodeProtobufObject(envelope('v1', 'Secret', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { pw: Buffer.from('hunter2').toString('base64') },
      type: 'Opaque',
    });
  });

  it.each([
    ['no magic number', Buffer.from('{"kind":"ConfigMap"}'), /magic number/],
    [
      'unsupported kind',
      envelope('apps/v1', 'Deployment', Buffer.alloc(0)),
      /only accepted for v1 ConfigMap, Secret and Namespace/,
    ],
    [
      'truncated body',
      Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from([0x12, 0x20, 0x01])]),
      /truncated/,
    ],
  ])('rejects %s', (_name, body, message) => {
    expect(() => decodeProtobufObject(body)).toThrow(message);
  });
});
