import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  ServingStatus,
  decodeEvaluateRequest,
  decodeEvaluateResponse,
  decodeHealthRequest,
  decodeHealthResponse,
  encodeEvaluateRequest,
  encodeEvaluateResponse,
  encodeHealthRequest,
  encodeHealthResponse,
} from './messages.js';
import { ProtobufDecodeError, readFields, writeFields } from './protobuf-wire.js';

// Porch's evaluator.proto and grpc.health.v1, compiled by protobufjs: an independent implementation
// our hand-written codec must agree with byte for byte.
const PROTO = `
syntax = "proto3";
package evaluator;
message EvaluateFunctionRequest { bytes resource_list = 1; string image = 2; }
message EvaluateFunctionResponse { bytes resource_list = 1; bytes log = 2; }
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
message Future { bytes resource_list = 1; string image = 2; int64 n = 3; fixed32 f = 4; fixed64 g = 5; string extra = 99; }
`;
const root = protobuf.parse(PROTO).root;
const Request = root.lookupType('evaluator.EvaluateFunctionRequest');
const Response = root.lookupType('evaluator.EvaluateFunctionResponse');
const HealthRequest = root.lookupType('evaluator.HealthCheckRequest');
const HealthResponse = root.lookupType('evaluator.HealthCheckResponse');
const Future = root.lookupType('evaluator.Future');

const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
/** protobufjs writes every field set on the object; Go (and we) leave proto3 defaults out. */
const pb = (type: protobuf.Type, value: Record<string, unknown>, keepDefaults = false): Buffer => {
  const isDefault = (v: unknown): boolean => v === 0 || v === '' || (Buffer.isBuffer(v) && v.length === 0);
  const set = Object.entries(value).filter(([, v]) => keepDefaults || !isDefault(v));
  return Buffer.from(type.encode(type.create(Object.fromEntries(set))).finish());
};

describe('evaluator messages against protobufjs', () => {
  const cases: { name: string; resourceList: Buffer; image: string }[] = [
    { name: 'empty message', resourceList: Buffer.alloc(0), image: '' },
    { name: 'image only', resourceList: Buffer.alloc(0), image: 'gcr.io/kpt-fn/set-namespace:v0.4.1' },
    {
      name: 'small list',
      resourceList: bytesOf('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n'),
      image: 'x',
    },
    { name: 'length needing a 2-byte varint', resourceList: Buffer.alloc(300, 0x61), image: 'img' },
    {
      name: 'length needing a 4-byte varint (3 MiB)',
      resourceList: Buffer.alloc(3 << 20, 0x62),
      image: 'img',
    },
    { name: 'non-ASCII image', resourceList: bytesOf('ü'), image: 'registry.example/fn/ünïcode:1' },
    { name: 'binary bytes', resourceList: Buffer.from([0, 255, 128, 10, 13]), image: 'b' },
  ];
  it.each(cases)('request: $name', ({ resourceList, image }) => {
    const ours = encodeEvaluateRequest({ resourceList, image });
    expect(ours.equals(pb(Request, { resourceList, image }))).toBe(true);
    const decoded = decodeEvaluateRequest(pb(Request, { resourceList, image }, true));
    expect(decoded.image).toBe(image);
    expect(Buffer.compare(decoded.resourceList, resourceList)).toBe(0);
    const theirs = Request.toObject(Request.decode(ours), { bytes: Buffer, defaults: true }) as {
      resourceList: Buffer;
      image: string;
    };
    expect(theirs.image).toBe(image);
    expect(Buffer.compare(theirs.resourceList, resourceList)).toBe(0);
  });

  it.each(cases)('response: $name', ({ resourceList, image }) => {
    const log = bytesOf(image);
    const ours = encodeEvaluateResponse({ resourceList, log });
    expect(ours.equals(pb(Response, { resourceList, log }))).toBe(true);
    const decoded = decodeEvaluateResponse(ours);
    expect(decoded.resourceList.equals(resourceList)).toBe(true);
    expect(decoded.log.equals(log)).toBe(true);
  });

  it('writes the documented bytes for a tiny request', () => {
    expect(encodeEvaluateRequest({ resourceList: bytesOf('a'), image: 'b' }).toString('hex')).toBe(
      '0a0161120162',
    );
  });

  it('skips fields it does not know (a newer peer), of every wire type', () => {
    const wire = pb(Future, {
      resourceList: bytesOf('rl'),
      image: 'img',
      n: 2 ** 40,
      f: 7,
      g: 9,
      extra: 'x',
    });
    const decoded = decodeEvaluateRequest(wire);
    expect(decoded).toEqual({ resourceList: bytesOf('rl'), image: 'img' });
  });

  it('takes the last value of a repeated scalar field, as proto3 does', () => {
    const wire = Buffer.concat([pb(Request, { image: 'first' }), pb(Request, { image: 'second' })]);
    expect(decodeEvaluateRequest(wire).image).toBe('second');
  });
});

describe('health messages against protobufjs', () => {
  it.each(['', 'evaluator.FunctionEvaluator'])('request for service %j', (service) => {
    expect(encodeHealthRequest(service).equals(pb(HealthRequest, { service }))).toBe(true);
    expect(decodeHealthRequest(pb(HealthRequest, { service }, true))).toBe(service);
  });
  it.each(Object.entries(ServingStatus))('response %s', (_name, status) => {
    expect(encodeHealthResponse(status).equals(pb(HealthResponse, { status }))).toBe(true);
    expect(decodeHealthResponse(pb(HealthResponse, { status }, true))).toBe(status);
  });
});

describe('malformed input', () => {
  const cases: { name: string; hex: string; error: RegExp }[] = [
    { name: 'length past the end', hex: '0a05616263', error: /runs past the end/ },
    { name: 'truncated varint tag', hex: '80', error: /varint runs past the end/ },
    { name: 'varint longer than 10 bytes', hex: '08ffffffffffffffffffff01', error: /longer than 10 bytes/ },
    { name: 'field number 0', hex: '0200', error: /field number 0/ },
    { name: 'group wire type', hex: '0b', error: /unsupported wire type 3/ },
    { name: 'truncated fixed64', hex: '09010203', error: /runs past the end/ },
    { name: 'image not UTF-8', hex: '1202c328', error: /`image` is not valid UTF-8/ },
  ];
  it.each(cases)('$name', ({ hex, error }) => {
    const run = (): unknown => decodeEvaluateRequest(Buffer.from(hex, 'hex'));
    expect(run).toThrow(ProtobufDecodeError);
    expect(run).toThrow(error);
  });

  it('refuses a length that does not fit in a safe integer', () => {
    expect(() => readFields(Buffer.from('0affffffffffffffff7f', 'hex'), () => undefined)).toThrow(
      /too large/,
    );
  });
});

describe('writeFields', () => {
  it('leaves out proto3 default values', () => {
    expect(
      writeFields([
        { field: 1, bytes: '' },
        { field: 2, varint: 0 },
        { field: 3, bytes: undefined },
      ]).length,
    ).toBe(0);
  });
  it('refuses negative varints', () => {
    expect(() => writeFields([{ field: 1, varint: -1 }])).toThrow(RangeError);
  });
  it('writes a view of a larger buffer without its neighbours', () => {
    const big = Buffer.from('xxhelloxx');
    const out = writeFields([{ field: 1, bytes: big.subarray(2, 7) }]);
    expect(out.toString('hex')).toBe('0a05' + Buffer.from('hello').toString('hex'));
  });
});
