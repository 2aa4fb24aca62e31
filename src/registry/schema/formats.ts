/**
 * String formats that CRD schemas validate, as kube-openapi's `strfmt` registry checks them.
 * Kubernetes ignores any other format (and any string format on a non-string type), so
 * `stringFormatChecker` returns undefined for those and the caller skips the check.
 */
import { isIPv4, isIPv6 } from 'node:net';

type Check = (value: string) => boolean;

const re = (source: string, flags = ''): Check => {
  const regexp = new RegExp(source, flags);
  return (value) => regexp.test(value);
};

function isDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** RFC 3339 date-time, as strfmt's `IsDateTime` accepts it (case-insensitive `T`/`Z`). */
function isDateTime(value: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!m || !isDate(m[1] ?? '')) return false;
  const [h, min, s] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const [zh, zm] = [Number(m[7] ?? 0), Number(m[8] ?? 0)];
  return h < 24 && min < 60 && s < 61 && zh < 24 && zm < 60;
}

const goDuration = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const unitDuration =
  /^\d+\s*(ns|nanoseconds?|us|µs|microseconds?|ms|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|weeks?)$/;

function isCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
  return Number(bits) <= max;
}

function isURI(value: string): boolean {
  if (value.startsWith('/')) return !/\s/.test(value);
  return URL.canParse(value) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
}

function digits(value: string): number[] {
  return [...value.replace(/[\s-]/g, '')].map((c) => (c === 'X' ? 10 : Number(c)));
}

function isISBN10(value: string): boolean {
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(value.replace(/[\s-]/g, ''))) return false;
  const sum = digits(value).reduce((acc, d, i) => acc + (10 - i) * d, 0);
  return sum % 11 === 0;
}

function isISBN13(value: string): boolean {
  if (!/^[0-9]{13}$/.test(value.replace(/[\s-]/g, ''))) return false;
  const sum = digits(value).reduce((acc, d, i) => acc + (i % 2 === 0 ? d : 3 * d), 0);
  return sum % 10 === 0;
}

function isCreditCard(value: string): boolean {
  const plain = value.replace(/[^0-9]/g, '');
  const pattern =
    /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/;
  if (!pattern.test(plain)) return false;
  let sum = 0;
  [...plain].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return sum % 10 === 0;
}

const hostnameRe =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;

function isHostname(value: string): boolean {
  return hostnameRe.test(value) && value.length <= 255 && value.split('.').every((p) => p.length <= 63);
}

const rgbPart = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';

/** Keyed by the format name with dashes removed, as go-openapi normalises names. */
const checks: Readonly<Record<string, Check>> = {
  bsonobjectid: re('^[0-9a-fA-F]{24}$'),
  uri: isURI,
  email: re('^(?:[^<>@\\s]+@[^<>@\\s]+|[^<>]*<[^<>@\\s]+@[^<>@\\s]+>)$'),
  hostname: isHostname,
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  cidr: isCIDR,
  mac: re(
    '^(?:[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){7}|[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){19}|[0-9A-Fa-f]{4}(?:\\.[0-9A-Fa-f]{4}){2,9})$',
  ),
  uuid: re('^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$', 'i'),
  uuid3: re('^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$', 'i'),
  uuid4: re('^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$', 'i'),
  uuid5: re('^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$', 'i'),
  isbn: (v) => isISBN10(v) || isISBN13(v),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: re('^\\d{3}[- ]?\\d{2}[- ]?\\d{4}$'),
  hexcolor: re('^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$'),
  rgbcolor: re(`^rgb\\(${rgbPart},${rgbPart},${rgbPart}\\)$`),
  byte: re('^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$'),
  password: () => true,
  date: isDate,
  duration: (v) => goDuration.test(v) || unitDuration.test(v),
  datetime: isDateTime,
  quantity: re('^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\\d+)?$'),
};

/**
 * The checker for `format` on a schema of type `type` (undefined when Kubernetes would not check
 * strings against it). Formats apply to schemas of type string or without a single type.
 */
export function stringFormatChecker(format: string | undefined, type: string | undefined): Check | undefined {
  if (!format || (type !== undefined && type !== 'string')) return undefined;
  return checks[format.replaceAll('-', '')];
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Range of an integer `format`; Kubernetes' built-in types reject out-of-range int32 on decode. */
export function integerFormatFits(format: string | undefined, value: number): boolean {
  return format !== 'int32' || (value >= INT32_MIN && value <= INT32_MAX);
}
