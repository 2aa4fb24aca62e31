/**
 * `.krmignore`: gitignore-style patterns that keep files out of a package's resources. A pattern is
 * relative to the directory holding the `.krmignore`; without a `/` it matches a name at any depth,
 * a trailing `/` matches directories only, `!` re-includes, `*`, `?`, `[...]` and `**` glob.
 */

export const KRMIGNORE = '.krmignore';

interface Rule {
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more directories, a trailing `**` everything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += `\\${glob[i + 1] ?? ''}`;
      i++;
    } else {
      out += /[.+^${}()|\]\\/]/.test(c) ? `\\${c}` : c;
    }
  }
  return out;
}

export interface KrmIgnore {
  /** Whether `path` (relative to the `.krmignore` directory, `/`-separated) is ignored. */
  ignores(path: string, isDir: boolean): boolean;
}

export function parseKrmIgnore(text: string): KrmIgnore {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    }
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.slice(0, -1);
    }
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globToRegex(line);
    const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
    rules.push({ regex, negate, dirOnly });
  }
  return {
    ignores(path: string, isDir: boolean): boolean {
      // A path is ignored when it or one of its parent directories matches (last rule wins).
      const parts = path.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        const prefixIsDir = i < parts.length || isDir;
        let ignored = false;
        for (const rule of rules) {
          if (rule.dirOnly && !prefixIsDir) continue;
          if (rule.regex.test(prefix)) ignored = !rule.negate;
        }
        if (ignored) return true;
      }
      return false;
    },
  };
}
