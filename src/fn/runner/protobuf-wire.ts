/**
 * The protobuf (proto3) wire format, as much of it as the function runner's messages need: varint
 * and length-delimited fields written, every wire type read (unknown fields are skipped, as proto3
 * requires, so newer peers with more fields still work). Decoding never copies a length-delimited
 * field: it returns a view into the given buffer. Malformed input throws `ProtobufDecodeError`.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(`malformed protobuf message: ${message}`);
    this.name = 'ProtobufDecodeError';
  }
}

/** A field as read: a varint value, or the bytes of a length-delimited field. */
export type WireValue = { wireType: 0; value: number } | { wireType: 2; value: Buffer };

/**
 * Reads every field of a message, calling `onField` for varint and length-delimited ones (fixed
 * 32/64-bit fields are skipped: none of our messages has one). Varints wider than 2^53 are refused:
 * our only varint is an enum.
 */
export function readFields(buf: Buffer, onField: (field: number, value: WireValue) => void): void {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtobufDecodeError(`varint runs past the end at byte ${pos}`);
      const byte = buf[pos++] ?? 0;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new ProtobufDecodeError('varint is too large');
        return result;
      }
      scale *= 128;
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes at byte ${pos}`);
  };
  const skip = (n: number): void => {
    if (n > buf.length - pos) {
      throw new ProtobufDecodeError(`field of ${n} bytes runs past the end (${buf.length - pos} left)`);
    }
    pos += n;
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw new ProtobufDecodeError('field number 0 is not allowed');
    switch (wireType) {
      case WIRE_VARINT:
        onField(field, { wireType, value: varint() });
        break;
      case WIRE_LENGTH_DELIMITED: {
        const length = varint();
        const start = pos;
        skip(length);
        onField(field, { wireType, value: buf.subarray(start, pos) });
        break;
      }
      case WIRE_FIXED64:
        skip(8);
        break;
      case WIRE_FIXED32:
        skip(4);
        break;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wireType} of field ${field}`);
    }
  }
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function writeVarint(out: Buffer, pos: number, value: number): number {
  while (value >= 128) {
    out[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

/** A field to write. proto3 leaves out default values: empty bytes/strings and 0 are not written. */
export type FieldToWrite =
  { field: number; varint: number } | { field: number; bytes: Uint8Array | string | undefined };

/** Serializes fields in the given order (callers give them in field-number order, as protoc does). */
export function writeFields(fields: readonly FieldToWrite[]): Buffer {
  const parts: { tag: number; value: number | Buffer }[] = [];
  let size = 0;
  for (const f of fields) {
    if ('varint' in f) {
      if (!Number.isSafeInteger(f.varint) || f.varint < 0) {
        throw new RangeError(`field ${f.field}: varint must be a non-negative safe integer`);
      }
      if (f.varint === 0) continue;
      const tag = f.field * 8 + WIRE_VARINT;
      parts.push({ tag, value: f.varint });
      size += varintLength(tag) + varintLength(f.varint);
    } else {
      if (f.bytes === undefined || f.bytes.length === 0) continue;
      const bytes =
        typeof f.bytes === 'string'
          ? Buffer.from(f.bytes, 'utf8')
          : Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
      const tag = f.field * 8 + WIRE_LENGTH_DELIMITED;
      parts.push({ tag, value: bytes });
      size += varintLength(tag) + varintLength(bytes.length) + bytes.length;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const p of parts) {
    pos = writeVarint(out, pos, p.tag);
    if (typeof p.value === 'number') {
      pos = writeVarint(out, pos, p.value);
    } else {
      pos = writeVarint(out, pos, p.value.length);
      pos += p.value.copy(out, pos);
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A proto3 `string` field's value; proto3 strings must be valid UTF-8. */
export function decodeString(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new ProtobufDecodeError(`${what} is not valid UTF-8 (${String(err)})`);
  }
}
