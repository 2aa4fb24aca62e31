/**
 * How go-yaml v3 writes a Go string it marshals (kpt writes Kptfiles and new values this way): plain
 * when the plain text would read back as the same string, double-quoted otherwise. The checks follow
 * go-yaml's resolver (YAML 1.2 core types plus its integer, float, timestamp and legacy-boolean
 * readings).
 */
import type { ScalarStyle } from './kyaml-scalar.js';

const MAP_VALUES = new Set([
  '',
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);

const OLD_BOOLS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]| )[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[-+][0-9]{1,2}:[0-9]{2})?)?$/;

/** True when the plain text `s` would not read back as the string `s`. */
export function resolvesToNonString(s: string): boolean {
  if (MAP_VALUES.has(s)) return true;
  const first = s[0] ?? '';
  if ('+-0123456789'.includes(first)) {
    if (TIMESTAMP.test(s)) return true;
    const plain = s.replaceAll('_', '');
    if (GO_INT.test(plain)) return true;
    if (YAML_FLOAT.test(plain)) return true;
    if (/^-?0[bB][01]+$/.test(plain) || /^-?0[oO][0-7]+$/.test(plain)) return true;
  } else if (first === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) return true;
  }
  return false;
}

/** The style go-yaml marshals a Go string with (before the emitter's own fallbacks). */
export function marshalStyle(s: string): ScalarStyle {
  if (s.includes('\n')) return 'literal';
  if (resolvesToNonString(s) || OLD_BOOLS.has(s) || BASE60_FLOAT.test(s)) return 'double';
  return 'plain';
}
