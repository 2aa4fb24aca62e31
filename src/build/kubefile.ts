/**
 * Kubefile (sealer ≥ v0.9) parser: `FROM`, `COPY`, `ADD`, `APP`, `APPCMDS`, `APPENV`, `LABEL`,
 * `ENV`, `ARG`, `LAUNCH`, `CMDS`, `CMD`, `CNI`, `CSI`, `KUBEVERSION`, `MAINTAINER`, `RUN`.
 * Instructions are case-insensitive; `\` continues a line; `#` starts a comment line. Errors name
 * the line: `Kubefile:7: LAUNCH must be the last instruction`.
 */
import { BadRequestError } from '../apimachinery/index.js';

export type KubefileInstruction =
  | { op: 'FROM'; line: number; image: string; platform?: string }
  | { op: 'COPY' | 'ADD'; line: number; sources: string[]; dest: string }
  | { op: 'APP' | 'CNI' | 'CSI'; line: number; name: string; sources: string[] }
  | { op: 'APPCMDS'; line: number; name: string; cmds: string[] }
  | { op: 'APPENV' | 'ENV' | 'LABEL' | 'ARG'; line: number; name?: string; values: Record<string, string> }
  | { op: 'LAUNCH'; line: number; apps: string[] }
  | { op: 'CMDS'; line: number; cmds: string[] }
  | { op: 'CMD' | 'RUN' | 'MAINTAINER' | 'KUBEVERSION'; line: number; text: string };

export interface Kubefile {
  from: { image: string; platform?: string };
  instructions: KubefileInstruction[];
}

const SUPPORTED = new Set([
  'FROM',
  'COPY',
  'ADD',
  'APP',
  'APPCMDS',
  'APPENV',
  'LABEL',
  'ENV',
  'ARG',
  'LAUNCH',
  'CMDS',
  'CMD',
  'CNI',
  'CSI',
  'KUBEVERSION',
  'MAINTAINER',
  'RUN',
]);

export class KubefileError extends BadRequestError {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

/** Splits `a=b "c d"=e` / `k="v w"` into key/value pairs; a lone `KEY VALUE` form is accepted too. */
function keyValues(text: string, fail: (m: string) => never, op: string): Record<string, string> {
  const out: Record<string, string> = {};
  const words = shellWords(text, fail);
  if (words.length === 2 && !words[0]?.includes('=') && op !== 'ARG') {
    out[words[0] ?? ''] = words[1] ?? '';
    return out;
  }
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      if (op === 'ARG') {
        out[word] = '';
        continue;
      }
      fail(`${op} expects KEY=VALUE pairs, got ${JSON.stringify(word)}`);
    }
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

function shellWords(text: string, fail: (m: string) => never): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      any = true;
    } else if (/\s/.test(c)) {
      if (cur !== '' || any) words.push(cur);
      cur = '';
      any = false;
    } else cur += c;
  }
  if (quote) fail('unterminated quote');
  if (cur !== '' || any) words.push(cur);
  return words;
}

function jsonArray(text: string, fail: (m: string) => never, what: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(`${what} must be a JSON array of strings, e.g. ["a", "b"]`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    fail(`${what} must be a JSON array of strings, e.g. ["a", "b"]`);
  }
  return value;
}

/** Parses Kubefile `text` (`file` names it in errors). Throws KubefileError. */
export function parseKubefile(text: string, file = 'Kubefile'): Kubefile {
  const instructions: KubefileInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let from: Kubefile['from'] | undefined;
  let terminal: { op: string; line: number } | undefined;
  const apps = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let body = lines[i] ?? '';
    if (/^\s*(#|$)/.test(body)) continue;
    while (/\\\s*$/.test(body) && i + 1 < lines.length)
      body = body.replace(/\\\s*$/, ' ') + (lines[++i] ?? '');
    const fail = (message: string): never => {
      throw new KubefileError(file, line, message);
    };
    const m = /^\s*([A-Za-z]+)\s*(.*?)\s*$/.exec(body);
    if (!m) fail(`cannot read ${JSON.stringify(body.trim())}`);
    const op = (m?.[1] ?? '').toUpperCase();
    const rest = m?.[2] ?? '';
    if (!SUPPORTED.has(op)) fail(`command ${op} is not supported`);
    if (terminal) fail(`${terminal.op} (line ${terminal.line}) must be the last instruction`);
    if (!from && op !== 'FROM' && op !== 'ARG') fail('FROM must be the first instruction');
    if (rest === '' && op !== 'CMD') fail(`${op} needs arguments`);
    switch (op) {
      case 'FROM': {
        if (from) fail('only one FROM is allowed');
        const words = shellWords(rest, fail);
        let platform: string | undefined;
        while (words[0]?.startsWith('--')) {
          const flag = words.shift() ?? '';
          const pm = /^--platform=(.+)$/.exec(flag);
          if (!pm) fail(`FROM accepts only --platform, not ${flag}`);
          platform = pm?.[1];
        }
        if (words.length !== 1) fail('FROM takes one image');
        from = { image: words[0] ?? '', ...(platform ? { platform } : {}) };
        instructions.push({ op: 'FROM', line, ...from });
        break;
      }
      case 'COPY':
      case 'ADD': {
        const words = shellWords(rest, fail).filter((w) => !w.startsWith('--'));
        if (words.length < 2) fail(`${op} needs a source and a destination`);
        instructions.push({ op, line, sources: words.slice(0, -1), dest: words.at(-1) ?? '' });
        break;
      }
      case 'APP':
      case 'CNI':
      case 'CSI': {
        const [name, ...sources] = shellWords(rest, fail);
        if (!name || sources.length === 0)
          fail(`${op} needs a name and at least one source: ${op} NAME local://PATH`);
        for (const s of sources) {
          if (!/^(local|https?):\/\/./.test(s))
            fail(`${op} source ${JSON.stringify(s)} must start with local://, http:// or https://`);
        }
        apps.add(name ?? '');
        instructions.push({ op, line, name: name ?? '', sources });
        break;
      }
      case 'APPCMDS': {
        const sp = /^(\S+)\s+(.*)$/.exec(rest);
        if (!sp) return fail('APPCMDS needs an app name and a JSON array: APPCMDS NAME ["cmd"]');
        if (!apps.has(sp[1] ?? ''))
          fail(`APPCMDS: app ${JSON.stringify(sp[1])} is not defined by an earlier APP`);
        instructions.push({ op, line, name: sp[1] ?? '', cmds: jsonArray(sp[2] ?? '', fail, 'APPCMDS') });
        break;
      }
      case 'APPENV': {
        const sp = /^(\S+)\s+(.*)$/.exec(rest);
        if (!sp) return fail('APPENV needs an app name and KEY=VALUE pairs');
        if (!apps.has(sp[1] ?? ''))
          fail(`APPENV: app ${JSON.stringify(sp[1])} is not defined by an earlier APP`);
        instructions.push({ op, line, name: sp[1] ?? '', values: keyValues(sp[2] ?? '', fail, op) });
        break;
      }
      case 'ENV':
      case 'LABEL':
      case 'ARG':
        instructions.push({ op, line, values: keyValues(rest, fail, op) });
        break;
      case 'LAUNCH': {
        if (instructions.some((x) => x.op === 'CMD' || x.op === 'CMDS'))
          fail('LAUNCH cannot be combined with CMD or CMDS');
        const list = jsonArray(rest, fail, 'LAUNCH');
        for (const a of list)
          if (!apps.has(a)) fail(`LAUNCH: app ${JSON.stringify(a)} is not defined by an APP`);
        instructions.push({ op, line, apps: list });
        terminal = { op, line };
        break;
      }
      case 'CMDS':
        if (instructions.some((x) => x.op === 'LAUNCH')) fail('CMDS cannot be combined with LAUNCH');
        instructions.push({ op, line, cmds: jsonArray(rest, fail, 'CMDS') });
        terminal = { op, line };
        break;
      default:
        instructions.push({ op: op as 'CMD' | 'RUN' | 'MAINTAINER' | 'KUBEVERSION', line, text: rest });
    }
  }
  if (!from) throw new KubefileError(file, lines.length, 'no FROM instruction');
  return { from, instructions };
}
