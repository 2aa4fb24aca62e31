/**
 * Git credentials from a Secret of the Repository's (or clone task's) namespace, as Porch reads
 * them: basic auth (`username`, `password`) or a bearer token (`bearerToken`).
 */
import { BadRequestError, isPlainObject, type KubeObject } from '../apimachinery/index.js';
import type { GitCredentials } from '../git/index.js';

export function credentialsFromSecret(secret: KubeObject): GitCredentials {
  const data = secret.data;
  const value = (key: string): string | undefined =>
    isPlainObject(data) && typeof data[key] === 'string'
      ? Buffer.from(data[key], 'base64').toString('utf8')
      : undefined;
  const token = value('bearerToken');
  if (token) return { type: 'bearer', token };
  const username = value('username');
  const password = value('password');
  if (username !== undefined && password !== undefined) return { type: 'basic', username, password };
  throw new BadRequestError(
    `secret "${secret.metadata.name ?? ''}" must have keys username and password, or bearerToken`,
  );
}
