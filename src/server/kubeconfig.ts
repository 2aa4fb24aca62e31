/** The kubeconfig `lading serve` writes so that `kubectl --kubeconfig <data-dir>/kubeconfig` reaches it. */
import { chmod, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export async function writeKubeconfig(
  path: string,
  server: string,
  token: string | undefined,
): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    // Plain HTTP on loopback: @kubernetes/client-node refuses http:// servers unless told to skip
    // TLS verification (there is no TLS to verify).
    clusters: [
      {
        name: 'lading',
        cluster: { server, ...(server.startsWith('http://') ? { 'insecure-skip-tls-verify': true } : {}) },
      },
    ],
    users: [{ name: 'lading', user: token === undefined ? {} : { token } }],
    contexts: [{ name: 'lading', context: { cluster: 'lading', user: 'lading', namespace: 'default' } }],
    'current-context': 'lading',
  };
  // Written 0600: it may carry a bearer token.
  await writeFile(path, stringify(config), { mode: 0o600 });
  await chmod(path, 0o600);
}
