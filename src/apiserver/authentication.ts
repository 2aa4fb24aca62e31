/**
 * Bearer-token authentication from a static token file, in Kubernetes' `--token-auth-file`
 * format: one `token,user,uid[,"group1,group2"]` per line. Tokens are compared in constant time
 * and never logged.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BadRequestError, UnauthorizedError } from '../apimachinery/index.js';

export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

export interface Authenticator {
  /** The user for an `Authorization` header; throws UnauthorizedError when it is missing or wrong. */
  authenticate(authorization: string | undefined): UserInfo;
}

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields.map((f) => f.trim());
}

export function parseTokenFile(text: string, source: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const [token, name, uid, groups] = parseCsvLine(line);
    if (!token || !name || !uid) {
      throw new BadRequestError(
        `${source}:${i + 1}: each line must be "token,user,uid[,\\"group1,group2\\"]"`,
      );
    }
    tokens.set(token, {
      name,
      uid,
      groups: groups
        ? groups
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean)
        : [],
    });
  });
  if (tokens.size === 0) throw new BadRequestError(`${source}: the token file has no tokens`);
  return tokens;
}

export async function loadTokenAuthenticator(path: string): Promise<Authenticator> {
  const tokens = parseTokenFile(await readFile(path, 'utf8'), path);
  const entries = [...tokens].map(([token, user]) => ({ token: Buffer.from(token), user }));
  return {
    authenticate(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match?.[1]) throw new UnauthorizedError();
      const given = Buffer.from(match[1]);
      for (const entry of entries) {
        if (entry.token.length === given.length && timingSafeEqual(entry.token, given)) {
          return { ...entry.user, groups: [...entry.user.groups, 'system:authenticated'] };
        }
      }
      throw new UnauthorizedError();
    },
  };
}

/** Used when no authentication is configured (loopback only): everyone is the local admin. */
export const anonymousAdmin: Authenticator = {
  authenticate: () => ({
    name: 'lading:local-admin',
    uid: '',
    groups: ['system:masters', 'system:authenticated'],
  }),
};
