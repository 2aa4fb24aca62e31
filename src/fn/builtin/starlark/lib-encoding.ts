/**
 * The deterministic starlib modules: `encoding/base64.star` (encode/decode with the `standard`,
 * `standard_raw`, `url` and `url_raw` encodings), `encoding/csv.star` (read_all/write_all),
 * `encoding/yaml.star` (loads/dumps) and `hash.star` (md5/sha1/sha256 as hex).
 */
import { createHash } from 'node:crypto';
import { Document, parseAllDocuments } from 'yaml';
import { emitDocument } from '../../../krm/index.js';
import { asBool, asString, optInt, optString, unpackArgs } from './args.js';
import { fail } from './errors.js';
import { str } from './format.js';
import { iterate } from './ops.js';
import { Builtin, StarList, newStruct, type StarStruct } from './values.js';
import { YamlWriter, fromNode } from './yaml-bridge.js';

const ENCODINGS = ['standard', 'standard_raw', 'url', 'url_raw'] as const;

function encoding(fn: string, v: ReturnType<typeof unpackArgs>[number]): (typeof ENCODINGS)[number] {
  const e = optString(fn, 'encoding', v, 'standard');
  if (!(ENCODINGS as readonly string[]).includes(e)) fail(`${fn}: unsupported encoding format: ${e}`);
  return e as (typeof ENCODINGS)[number];
}

export function base64Module(): StarStruct {
  return newStruct('base64', {
    encode: new Builtin('base64.encode', (a, k) => {
      const [data, enc] = unpackArgs('base64.encode', a, k, ['data', 'encoding?']);
      const e = encoding('base64.encode', enc);
      const b = Buffer.from(asString('base64.encode', 'data', data), 'utf8');
      const text = e.startsWith('url') ? b.toString('base64url') : b.toString('base64');
      if (e === 'url') return text.padEnd(Math.ceil(text.length / 4) * 4, '=');
      return e === 'standard_raw' ? text.replace(/=+$/, '') : text;
    }),
    decode: new Builtin('base64.decode', (a, k) => {
      const [data, enc] = unpackArgs('base64.decode', a, k, ['data', 'encoding?']);
      const e = encoding('base64.decode', enc);
      const text = asString('base64.decode', 'data', data);
      const alphabet = e.startsWith('url') ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
      const padded = !e.endsWith('_raw');
      if (!alphabet.test(text) || (padded && text.length % 4 !== 0) || (!padded && text.includes('='))) {
        fail(`base64.decode: illegal base64 data in ${JSON.stringify(text)}`);
      }
      return Buffer.from(text, e.startsWith('url') ? 'base64url' : 'base64').toString('utf8');
    }),
  });
}

/** RFC 4180 records (Go's encoding/csv reader with the starlib options). */
function readCsv(
  text: string,
  comma: string,
  comment: string,
  lazyQuotes: boolean,
  trim: boolean,
): string[][] {
  const records: string[][] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (comment !== '' && text.startsWith(comment, i)) {
      while (i < n && text.charAt(i) !== '\n') i++;
      i++;
      continue;
    }
    if (text.charAt(i) === '\n' || text.startsWith('\r\n', i)) {
      i += text.charAt(i) === '\n' ? 1 : 2;
      continue;
    }
    const record: string[] = [];
    for (;;) {
      if (trim) while (text.charAt(i) === ' ' || text.charAt(i) === '\t') i++;
      let field = '';
      if (text.charAt(i) === '"') {
        i++;
        for (;;) {
          if (i >= n) {
            if (!lazyQuotes) fail(`csv.read_all: extraneous or missing " in quoted-field`);
            break;
          }
          const c = text.charAt(i);
          if (c === '"') {
            if (text.charAt(i + 1) === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          field += c;
          i++;
        }
        while (i < n && text.charAt(i) !== comma && text.charAt(i) !== '\n' && text.charAt(i) !== '\r') {
          if (!lazyQuotes) fail(`csv.read_all: extraneous or missing " in quoted-field`);
          field += text.charAt(i++);
        }
      } else {
        while (
          i < n &&
          !text.startsWith(comma, i) &&
          text.charAt(i) !== '\n' &&
          !text.startsWith('\r\n', i)
        ) {
          if (text.charAt(i) === '"' && !lazyQuotes) fail(`csv.read_all: bare " in non-quoted-field`);
          field += text.charAt(i++);
        }
      }
      record.push(field);
      if (text.startsWith(comma, i)) {
        i += comma.length;
        continue;
      }
      if (text.startsWith('\r\n', i)) i += 2;
      else if (i < n) i++;
      break;
    }
    records.push(record);
  }
  return records;
}

function csvField(s: string, comma: string): string {
  const needsQuotes =
    s === '' ? false : s.includes(comma) || /["\r\n]/.test(s) || s.startsWith(' ') || s.startsWith('\t');
  return needsQuotes ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvModule(): StarStruct {
  return newStruct('csv', {
    read_all: new Builtin('csv.read_all', (a, k) => {
      const [source, comma, comment, lazy, trim, perRecord, skip] = unpackArgs('csv.read_all', a, k, [
        'source',
        'comma?',
        'comment?',
        'lazy_quotes?',
        'trim_leading_space?',
        'fields_per_record?',
        'skip?',
      ]);
      const sep = optString('csv.read_all', 'comma', comma, ',');
      if (sep.length !== 1) fail('csv.read_all: comma must be a single character');
      const records = readCsv(
        asString('csv.read_all', 'source', source),
        sep,
        optString('csv.read_all', 'comment', comment, ''),
        asBool('csv.read_all', 'lazy_quotes', lazy, false),
        asBool('csv.read_all', 'trim_leading_space', trim, false),
      );
      let fields = optInt('csv.read_all', 'fields_per_record', perRecord, 0);
      records.forEach((r, i) => {
        if (fields === 0) fields = r.length;
        if (fields > 0 && r.length !== fields)
          fail(`csv.read_all: record on line ${i + 1}: wrong number of fields`);
      });
      return new StarList(records.slice(optInt('csv.read_all', 'skip', skip, 0)).map((r) => new StarList(r)));
    }),
    write_all: new Builtin('csv.write_all', (a, k) => {
      const [data, comma] = unpackArgs('csv.write_all', a, k, ['data', 'comma?']);
      const sep = optString('csv.write_all', 'comma', comma, ',');
      const lines = iterate(data ?? null).map((row) =>
        iterate(row)
          .map((x) => csvField(str(x), sep))
          .join(sep),
      );
      return lines.map((l) => `${l}\n`).join('');
    }),
  });
}

export function yamlModule(): StarStruct {
  return newStruct('yaml', {
    loads: new Builtin('yaml.loads', (a, k) => {
      const text = asString('yaml.loads', 'source', unpackArgs('yaml.loads', a, k, ['source'])[0]);
      const docs = parseAllDocuments(text, { version: '1.2', prettyErrors: false });
      if (!Array.isArray(docs)) return null;
      const doc = docs[0];
      if (!doc) return null;
      const error = doc.errors[0];
      if (error) fail(`yaml.loads: ${error.message.split('\n')[0] ?? error.message}`);
      return fromNode(doc.contents, { track: false, doc });
    }),
    dumps: new Builtin('yaml.dumps', (a, k) => {
      const [x] = unpackArgs('yaml.dumps', a, k, ['obj']);
      const doc = new Document();
      doc.contents = new YamlWriter().build(x ?? null);
      return emitDocument(doc, 'compact');
    }),
  });
}

function digest(algorithm: 'md5' | 'sha1' | 'sha256'): Builtin {
  const name = `hash.${algorithm}`;
  return new Builtin(name, (a, k) => {
    const s = asString(name, 'string', unpackArgs(name, a, k, ['string'])[0]);
    return createHash(algorithm).update(s, 'utf8').digest('hex');
  });
}

export function hashModule(): StarStruct {
  return newStruct('hash', { md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256') });
}
