/** Prometheus metrics of the API server, named as kube-apiserver names them. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  observe(labels: RequestLabels, seconds: number): void;
}

export interface RequestLabels {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  code: string;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lading_' });
  const labelNames = ['verb', 'group', 'version', 'resource', 'subresource', 'code'] as const;
  const requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out by verb, group, version, resource, subresource and HTTP response code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and code.',
    labelNames,
    buckets: [
      0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
    ],
    registers: [registry],
  });
  return {
    registry,
    observe(labels, seconds) {
      requests.inc({ ...labels });
      duration.observe({ ...labels }, seconds);
    },
  };
}
