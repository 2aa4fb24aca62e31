/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) for the
 * built-in kinds whose typed clients send them: kubectl's `create configmap|secret|namespace` use
 * protobuf. The envelope is `k8s\0` + `runtime.Unknown{typeMeta, raw}`; `raw` is the kind's
 * message as `k8s.io/api/core/v1/generated.proto` defines it. Responses are always JSON (clients
 * accept it alongside protobuf). Decode only; unknown fields are skipped.
 */
import { BadRequestError, UnsupportedMediaTypeError } from '../apimachinery/index.js';

type FieldType = 'string' | 'bytes' | 'int64' | 'bool' | 'time' | 'stringMap' | 'bytesMap' | MessageSpec;
interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
}
interface MessageSpec {
  [field: number]: FieldSpec;
}

const OWNER_REFERENCE: MessageSpec = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};

const OBJECT_META: MessageSpec = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int64' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int64' },
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  13: { name: 'ownerReferences', type: OWNER_REFERENCE, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

const KINDS: Record<string, MessageSpec> = {
  'v1/ConfigMap': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'stringMap' },
    3: { name: 'binaryData', type: 'bytesMap' },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Secret': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'bytesMap' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'stringMap' },
    5: { name: 'immutable', type: 'bool' },
  },
  'v1/Namespace': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
    3: { name: 'status', type: { 1: { name: 'phase', type: 'string' } } },
  },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new BadRequestError('protobuf body is truncated');
      const byte = this.buf[this.pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new BadRequestError('protobuf varint is too long');
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new BadRequestError('protobuf body is truncated');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new BadRequestError(`unsupported protobuf wire type ${wireType}`);
  }
}

function decodeMessage(buf: Buffer, spec: MessageSpec): Record<string, unknown> {
  const reader = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!reader.done) {
    const tag = Number(reader.varint());
    const field = spec[tag >> 3];
    const wireType = tag & 7;
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    const value = decodeField(reader, field.type, wireType);
    if (field.type === 'stringMap' || field.type === 'bytesMap') {
      const [k, v] = value as [string, string];
      out[field.name] = { ...(out[field.name] as Record<string, string> | undefined), [k]: v };
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    } else if (value !== '') {
      // gogo-protobuf writes empty optional strings (e.g. `generateName`); JSON omits them.
      out[field.name] = value;
    }
  }
  return out;
}

function decodeField(reader: Reader, type: FieldType, wireType: number): unknown {
  switch (type) {
    case 'string':
      return reader.bytes().toString('utf8');
    case 'bytes':
      return reader.bytes().toString('base64');
    case 'int64':
      return Number(BigInt.asIntN(64, reader.varint()));
    case 'bool':
      return reader.varint() !== 0n;
    case 'time': {
      const t = decodeMessage(reader.bytes(), { 1: { name: 'seconds', type: 'int64' } });
      return new Date(Number(t.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'stringMap':
    case 'bytesMap': {
      const entry = decodeMessage(reader.bytes(), {
        1: { name: 'key', type: 'string' },
        2: { name: 'value', type: type === 'stringMap' ? 'string' : 'bytes' },
      });
      return [entry.key ?? '', entry.value ?? ''];
    }
    default:
      if (wireType !== 2) throw new BadRequestError('malformed protobuf body');
      return decodeMessage(reader.bytes(), type);
  }
}

/** Decodes a protobuf-encoded object of a supported built-in kind into its JSON form. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw new BadRequestError('the protobuf body does not start with the Kubernetes magic number');
  }
  const unknown = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  while (!unknown.done) {
    const tag = Number(unknown.varint());
    if (tag === (1 << 3) + 2) {
      const typeMeta = decodeMessage(unknown.bytes(), {
        1: { name: 'apiVersion', type: 'string' },
        2: { name: 'kind', type: 'string' },
      });
      apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
      kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
    } else if (tag === (2 << 3) + 2) raw = unknown.bytes();
    else unknown.skip(tag & 7);
  }
  const spec = KINDS[`${apiVersion}/${kind}`];
  if (!spec) {
    throw new UnsupportedMediaTypeError(
      `protobuf is only accepted for v1 ConfigMap, Secret and Namespace, not ${apiVersion} ${kind}; send application/json`,
    );
  }
  return { apiVersion, kind, metadata: {}, ...decodeMessage(raw, spec) };
}
