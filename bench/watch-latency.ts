/** Watch latency: time from sending a write to receiving its watch event, one write at a time. */
import { configMap, percentile } from './support.js';

export async function watchLatency(baseUrl: string, writes: number): Promise<{ p50: number; p99: number }> {
  const list = (await (await fetch(`${baseUrl}/api/v1/namespaces/kube-public/configmaps`)).json()) as {
    metadata: { resourceVersion: string };
  };
  const controller = new AbortController();
  const res = await fetch(
    `${baseUrl}/api/v1/namespaces/kube-public/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
    { signal: controller.signal },
  );
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let arrived: ((name: string) => void) | undefined;
  const reader = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        const now = performance.now();
        buffer += decoder.decode(chunk, { stream: true });
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          const name = /"name":"([^"]+)"/.exec(line)?.[1] ?? '';
          const sent = sentAt.get(name);
          if (sent !== undefined) {
            latencies.push(now - sent);
            arrived?.(name);
          }
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  for (let i = 0; i < writes; i++) {
    const name = `watch-${i}`;
    const seen = new Promise<string>((resolve) => (arrived = resolve));
    sentAt.set(name, performance.now());
    const post = await fetch(`${baseUrl}/api/v1/namespaces/kube-public/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...configMap(name), metadata: { name, namespace: 'kube-public' } }),
    });
    if (post.status !== 201) throw new Error(`create ${name}: ${post.status}`);
    await post.arrayBuffer();
    await seen;
  }
  controller.abort();
  await reader;
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}
