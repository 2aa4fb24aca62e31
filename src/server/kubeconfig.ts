/** The kubeconfig `lading serve` writes so that `kubectl --kubeconfig <data-dir>/kubeconfig` reaches it. */
import { chmod, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigCredentials {
  token?: string;
  /** PEM of the self-signed serving certificate, trusted as the cluster's CA. */
  certificateAuthority?: string;
}

export async function writeKubeconfig(
  path: string,
  server: string,
  credentials: KubeconfigCredentials,
): Promise<void> {
  const { token, certificateAuthority } = credentials;
  const cluster: Record<string, unknown> = { server };
  // Plain HTTP on loopback: @kubernetes/client-node refuses http:// servers unless told to skip
  // TLS verification (there is no TLS to verify).
  if (server.startsWith('http://')) cluster['insecure-skip-tls-verify'] = true;
  if (certificateAuthority)
    cluster['certificate-authority-data'] = Buffer.from(certificateAuthority).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lading', cluster }],
    users: [{ name: 'lading', user: token === undefined ? {} : { token } }],
    contexts: [{ name: 'lading', context: { cluster: 'lading', user: 'lading', namespace: 'default' } }],
    'current-context': 'lading',
  };
  // Written 0600: it may carry a bearer token.
  await writeFile(path, stringify(config), { mode: 0o600 });
  await chmod(path, 0o600);
}
