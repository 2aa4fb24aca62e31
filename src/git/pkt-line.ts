/**
 * pkt-lines of git's wire protocol (`gitprotocol-common(5)`): four hex digits of length
 * (including themselves) then the payload; `0000` is a flush packet.
 */

/** Largest payload of one pkt-line. */
const MAX_PAYLOAD = 65516;

export const FLUSH = '0000';

export function pktLine(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (data.length > MAX_PAYLOAD) throw new Error(`pkt-line payload of ${data.length} bytes is too long`);
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0'), 'latin1'), data]);
}

/**
 * Splits a buffer of pkt-lines: payloads as strings, `null` for a flush (or delim) packet. Throws
 * on a malformed or truncated length.
 */
export function readPktLines(data: Buffer): Array<string | null> {
  const lines: Array<string | null> = [];
  let pos = 0;
  while (pos < data.length) {
    const hex = data.toString('latin1', pos, pos + 4);
    const length = /^[0-9a-f]{4}$/.test(hex) ? parseInt(hex, 16) : NaN;
    if (Number.isNaN(length) || length === 3 || pos + Math.max(length, 4) > data.length) {
      throw new Error(`malformed pkt-line at byte ${pos}`);
    }
    if (length <= 2) {
      lines.push(null);
      pos += 4;
      continue;
    }
    lines.push(data.toString('utf8', pos + 4, pos + length));
    pos += length;
  }
  return lines;
}
