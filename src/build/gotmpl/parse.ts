/**
 * Parser for Go `text/template` syntax (the subset packages use): text, `{{- -}}` trimming,
 * comments, pipelines with variables, `if`/`else if`/`else`, `range` (with `$i, $v :=`, `else`,
 * `break`, `continue`), `with`, `define`, `template`, `block`, parenthesised pipelines, fields,
 * chained field access and string/raw string/number/bool/nil literals.
 */

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe; line: number }
  | { type: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined; line: number }
  | { type: 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined; line: number }
  | { type: 'template'; name: string; pipe: Pipe | undefined; line: number }
  | { type: 'break' | 'continue'; line: number };

export interface Pipe {
  decl: string[];
  /** `=` assigns to existing variables, `:=` declares. */
  assign: boolean;
  cmds: Operand[][];
}

export type Operand =
  | { type: 'field'; path: string[] } // .a.b (path [] is `.`)
  | { type: 'var'; name: string; path: string[] }
  | { type: 'ident'; name: string }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' }
  | { type: 'pipe'; pipe: Pipe; path: string[] };

export class TemplateError extends Error {
  constructor(name: string, line: number, message: string) {
    super(`template: ${name}:${line}: ${message}`);
    this.name = 'TemplateError';
  }
}

type Token =
  | { k: 'field'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'ident'; v: string }
  | { k: 'string'; v: string }
  | { k: 'number'; v: number; text: string }
  | { k: 'char'; v: string } // ( ) | , := =
  | { k: 'dotpath'; path: string[] }; // .b.c following a ) — chained field

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

function lexAction(src: string, name: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(name, line, msg);
  };
  const readPath = (): string[] => {
    const path: string[] = [];
    while (src[i] === '.') {
      const m = IDENT.exec(src.slice(i + 1));
      if (!m) break;
      path.push(m[0]);
      i += 1 + m[0].length;
    }
    return path;
  };
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) fail('unterminated quoted string');
      let value: string;
      try {
        value = JSON.parse(src.slice(i, j + 1).replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
      } catch {
        return fail(`invalid quoted string ${src.slice(i, j + 1)}`);
      }
      tokens.push({ k: 'string', v: value });
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw quoted string');
      tokens.push({ k: 'string', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '.') {
      const prev = tokens[tokens.length - 1];
      const adjacent = i > 0 && src[i - 1] === ')';
      const path = readPath();
      if (path.length === 0) {
        i++;
        tokens.push({ k: 'field', path: [] });
      } else if (adjacent && prev?.k === 'char' && prev.v === ')') tokens.push({ k: 'dotpath', path });
      else tokens.push({ k: 'field', path });
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(i));
      i += m?.[0].length ?? 1;
      tokens.push({ k: 'var', name: m?.[0] ?? '$', path: readPath() });
    } else if (c === ':' && src[i + 1] === '=') {
      tokens.push({ k: 'char', v: ':=' });
      i += 2;
    } else if ('()|,='.includes(c)) {
      tokens.push({ k: 'char', v: c });
      i++;
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?(0x[0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+([eE][-+]?[0-9]+)?)/.exec(src.slice(i));
      if (!m) fail(`bad number syntax: ${JSON.stringify(src.slice(i, i + 10))}`);
      const text = m?.[0] ?? '';
      tokens.push({ k: 'number', v: Number(text.replace(/_/g, '')), text });
      i += text.length;
    } else if (c === "'") {
      const m = /^'(\\.|[^'])'/.exec(src.slice(i));
      if (!m) fail('bad character constant');
      const ch = (JSON.parse(`"${(m?.[1] ?? '').replace(/^\\'/, "'")}"`) as string).codePointAt(0) ?? 0;
      tokens.push({ k: 'number', v: ch, text: String(ch) });
      i += m?.[0].length ?? 1;
    } else {
      const m = IDENT.exec(src.slice(i));
      if (!m) fail(`unexpected ${JSON.stringify(c)} in command`);
      tokens.push({ k: 'ident', v: m?.[0] ?? '' });
      i += m?.[0].length ?? 1;
    }
  }
  return tokens;
}

class PipeParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly name: string,
    private readonly line: number,
  ) {}

  fail(msg: string): never {
    throw new TemplateError(this.name, this.line, msg);
  }

  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  pipe(allowDecl: boolean, stop?: string): Pipe {
    const decl: string[] = [];
    let assign = false;
    if (allowDecl) {
      // `$x :=`, `$x =`, or `$i, $v :=`
      let j = this.pos;
      const names: string[] = [];
      while (this.tokens[j]?.k === 'var') {
        const t = this.tokens[j] as { name: string; path: string[] };
        if (t.path.length > 0) break;
        names.push(t.name);
        const next = this.tokens[j + 1];
        if (next?.k === 'char' && next.v === ',') {
          j += 2;
          continue;
        }
        if (next?.k === 'char' && (next.v === ':=' || next.v === '=')) {
          decl.push(...names);
          assign = next.v === '=';
          this.pos = j + 2;
        }
        break;
      }
    }
    const cmds: Operand[][] = [];
    let cmd: Operand[] = [];
    while (!this.done()) {
      const t = this.tokens[this.pos] as Token;
      if (t.k === 'char' && t.v === ')' && stop === ')') break;
      this.pos++;
      if (t.k === 'char' && t.v === '|') {
        if (cmd.length === 0) this.fail('missing command');
        cmds.push(cmd);
        cmd = [];
        continue;
      }
      cmd.push(this.operand(t));
    }
    if (cmd.length > 0) cmds.push(cmd);
    if (cmds.length === 0) this.fail('missing value for command');
    return { decl, assign, cmds };
  }

  private operand(t: Token): Operand {
    switch (t.k) {
      case 'field':
        return { type: 'field', path: t.path };
      case 'var':
        return { type: 'var', name: t.name, path: t.path };
      case 'string':
        return { type: 'string', value: t.v };
      case 'number':
        return { type: 'number', value: t.v, text: t.text };
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { type: 'bool', value: t.v === 'true' };
        if (t.v === 'nil') return { type: 'nil' };
        return { type: 'ident', name: t.v };
      case 'char': {
        if (t.v !== '(') return this.fail(`unexpected "${t.v}" in operand`);
        const pipe = this.pipe(true, ')');
        const close = this.tokens[this.pos];
        if (!(close?.k === 'char' && close.v === ')')) this.fail('unclosed left paren');
        this.pos++;
        const next = this.tokens[this.pos];
        let path: string[] = [];
        if (next?.k === 'dotpath') {
          path = next.path;
          this.pos++;
        }
        return { type: 'pipe', pipe, path };
      }
      case 'dotpath':
        return { type: 'field', path: t.path };
    }
  }
}

function parsePipe(src: string, name: string, line: number, allowDecl = true): Pipe {
  const p = new PipeParser(lexAction(src, name, line), name, line);
  const pipe = p.pipe(allowDecl);
  if (pipe.cmds.length === 0) throw new TemplateError(name, line, 'missing value for command');
  return pipe;
}

interface RawAction {
  text: string;
  line: number;
}

/** Splits a template into text and action items, applying `{{-`/`-}}` trimming. */
function scan(src: string, name: string): (string | RawAction)[] {
  const items: (string | RawAction)[] = [];
  let i = 0;
  let line = 1;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      items.push(text);
      break;
    }
    const leftTrim =
      src.startsWith('{{- ', open) ||
      src.startsWith('{{-\t', open) ||
      src.startsWith('{{-\n', open) ||
      src.startsWith('{{-\r', open);
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
    items.push(text);
    line += (src.slice(i, open).match(/\n/g) ?? []).length;
    const start = open + (leftTrim ? 3 : 2);
    let close: number;
    const ws = /^\s*/.exec(src.slice(start, start + 16))?.[0].length ?? 0;
    if (src.startsWith('/*', start + ws)) {
      const end = src.indexOf('*/', start);
      if (end < 0) throw new TemplateError(name, line, 'unclosed comment');
      close = src.indexOf('}}', end);
    } else {
      // Find `}}` outside quoted strings.
      let j = start;
      close = -1;
      while (j < src.length) {
        const c = src[j];
        if (c === '"') {
          j++;
          while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
        } else if (c === '`') {
          j = src.indexOf('`', j + 1);
          if (j < 0) break;
        } else if (c === '}' && src[j + 1] === '}') {
          close = j;
          break;
        }
        j++;
      }
    }
    if (close < 0) throw new TemplateError(name, line, 'unclosed action');
    const rightTrim = close - 2 >= start && src[close - 1] === '-' && /[ \t\r\n]/.test(src[close - 2] ?? '');
    const body = src.slice(start, rightTrim ? close - 1 : close);
    if (!/^\s*\/\*/.test(body)) items.push({ text: body.trim(), line });
    line += (src.slice(open, close).match(/\n/g) ?? []).length;
    trimNext = rightTrim;
    i = close + 2;
  }
  return items;
}

export interface ParsedTemplate {
  root: Node[];
  defines: Map<string, Node[]>;
}

/** Parses `src` (named `name` in errors); `define`d templates are returned separately. */
export function parseTemplate(src: string, name: string): ParsedTemplate {
  const items = scan(src, name);
  const defines = new Map<string, Node[]>();
  let pos = 0;
  type Stop = { word: 'end' | 'else'; rest: string; line: number };
  const parseList = (inRange: boolean, nested: boolean): { list: Node[]; stop: Stop | undefined } => {
    const list: Node[] = [];
    while (pos < items.length) {
      const item = items[pos++] as string | RawAction;
      if (typeof item === 'string') {
        if (item !== '') list.push({ type: 'text', text: item });
        continue;
      }
      const { text, line } = item;
      const word = /^[a-z]+/.exec(text)?.[0] ?? '';
      const rest = text.slice(word.length).trim();
      const boundary = word.length === text.length || /[\s(]/.test(text[word.length] ?? '');
      if (!boundary) {
        list.push({ type: 'action', pipe: parsePipe(text, name, line), line });
        continue;
      }
      switch (word) {
        case 'end':
        case 'else':
          if (!nested) throw new TemplateError(name, line, `unexpected {{${word}}}`);
          return { list, stop: { word, rest, line } };
        case 'if':
        case 'with':
        case 'range': {
          const node = parseControl(word, rest, line, inRange);
          list.push(node);
          continue;
        }
        case 'define': {
          const defName = parseName(rest, line).name;
          const body = parseList(false, true);
          if (body.stop?.word !== 'end') throw new TemplateError(name, line, 'unexpected EOF in define');
          defines.set(defName, body.list);
          continue;
        }
        case 'block': {
          const { name: blockName, rest: arg } = parseName(rest, line);
          const body = parseList(inRange, true);
          if (body.stop?.word !== 'end') throw new TemplateError(name, line, 'unexpected EOF in block');
          defines.set(blockName, body.list);
          list.push({
            type: 'template',
            name: blockName,
            pipe: arg ? parsePipe(arg, name, line) : undefined,
            line,
          });
          continue;
        }
        case 'template': {
          const { name: tName, rest: arg } = parseName(rest, line);
          list.push({
            type: 'template',
            name: tName,
            pipe: arg ? parsePipe(arg, name, line) : undefined,
            line,
          });
          continue;
        }
        case 'break':
        case 'continue':
          if (!inRange) throw new TemplateError(name, line, `{{${word}}} outside {{range}}`);
          list.push({ type: word, line });
          continue;
        default:
          list.push({ type: 'action', pipe: parsePipe(text, name, line), line });
      }
    }
    if (nested) throw new TemplateError(name, 0, 'unexpected EOF');
    return { list, stop: undefined };
  };
  const parseName = (rest: string, line: number): { name: string; rest: string } => {
    const m = /^("(?:\\.|[^"\\])*"|`[^`]*`)\s*/.exec(rest);
    if (!m) throw new TemplateError(name, line, 'template name must be a quoted string');
    const raw = m[1] ?? '""';
    return {
      name: raw.startsWith('`') ? raw.slice(1, -1) : (JSON.parse(raw) as string),
      rest: rest.slice(m[0].length),
    };
  };
  /** `outerInRange`: whether the control itself sits inside a range (for break/continue). */
  const parseControl = (
    word: 'if' | 'with' | 'range',
    rest: string,
    line: number,
    outerInRange: boolean,
  ): Node => {
    const pipe = parsePipe(rest, name, line);
    const body = parseList(word === 'range' || outerInRange, true);
    let elseList: Node[] | undefined;
    if (body.stop?.word === 'else') {
      const chained = /^(if|with)\b/.exec(body.stop.rest);
      if (chained && word !== 'range') {
        // `else if` / `else with`: the nested control consumes the shared {{end}}.
        const nestedNode = parseControl(
          chained[1] as 'if' | 'with',
          body.stop.rest.slice(chained[0].length).trim(),
          body.stop.line,
          outerInRange,
        );
        elseList = [nestedNode];
        return { type: word, pipe, list: body.list, elseList, line };
      }
      const elseBody = parseList(outerInRange, true);
      if (elseBody.stop?.word !== 'end')
        throw new TemplateError(name, line, `expected end; found ${elseBody.stop?.word ?? 'EOF'}`);
      elseList = elseBody.list;
    } else if (body.stop?.word !== 'end') throw new TemplateError(name, line, 'unexpected EOF');
    return { type: word, pipe, list: body.list, elseList, line };
  };
  const { list } = parseList(false, false);
  return { root: list, defines };
}
