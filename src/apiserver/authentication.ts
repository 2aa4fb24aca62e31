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
      const token = tokenOf(authorization);
      if (!token) throw new UnauthorizedError();
      const given = Buffer.from(token);
      for (const entry of entries) {
        if (entry.token.length === given.length && timingSafeEqual(entry.token, given)) {
          return { ...entry.user, groups: [...entry.user.groups, 'system:authenticated'] };
        }
      }
      throw new UnauthorizedError();
    },
  };
}

/**
 * The token of `Authorization: Bearer <token>`, or of `Basic` credentials whose password is the
 * token (what git clients send to the hosted repositories; the user name is ignored).
 */
function tokenOf(authorization: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

/** Used when no authentication is configured (loopback only): everyone is the local admin. */
export const anonymousAdmin: Authenticator = {
  authenticate: () => ({
    name: 'lading:local-admin',
    uid: '',
    groups: ['system:masters', 'system:authenticated'],
  }),
};
