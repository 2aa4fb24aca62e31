import { describe, expect, it } from 'vitest';

import { FLUSH, pktLine, readPktLines } from './pkt-line.js';

describe('pkt-line', () => {
  it('frames payloads with four hex digits of length, flush as 0000', () => {
    expect(pktLine('a\n').toString()).toBe('0006a\n');
    expect(
      readPktLines(Buffer.from(`${pktLine('unpack ok\n').toString()}0010ok refs/x/y\n${FLUSH}`)),
    ).toEqual(['unpack ok\n', 'ok refs/x/y\n', null]);
  });

  it.each([
    { name: 'not hex', data: 'zzzzabc' },
    { name: 'length 3', data: '0003' },
    { name: 'truncated', data: '0010abc' },
  ])('refuses a malformed stream: $name', ({ data }) => {
    expect(() => readPktLines(Buffer.from(data))).toThrow('malformed pkt-line at byte 0');
  });

  it('refuses a payload longer than one packet may carry', () => {
    expect(() => pktLine(Buffer.alloc(65517))).toThrow('too long');
  });
});
