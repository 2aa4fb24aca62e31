/**
 * `ctx.open_api`: the catalog function exposes kyaml's embedded Kubernetes OpenAPI (swagger 2.0)
 * document. Lading does not carry that multi-megabyte schema; it builds, on first use, a reduced
 * document of the same shape: one definition per built-in kind (named as in Kubernetes' swagger,
 * with `x-kubernetes-group-version-kind`, `apiVersion`, `kind` and a `metadata` reference) and
 * ObjectMeta. Field schemas of the kinds' specs are not included.
 */
import { StarDict, StarList, newDict, type Value } from './values.js';

/** group (empty for core), versions and kinds of the built-in API. */
const KINDS: readonly [string, string, readonly string[]][] = [
  [
    '',
    'v1',
    [
      'Binding',
      'ConfigMap',
      'Endpoints',
      'Event',
      'LimitRange',
      'Namespace',
      'Node',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'Pod',
      'PodTemplate',
      'ReplicationController',
      'ResourceQuota',
      'Secret',
      'Service',
      'ServiceAccount',
    ],
  ],
  ['admissionregistration.k8s.io', 'v1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']],
  ['apiextensions.k8s.io', 'v1', ['CustomResourceDefinition']],
  ['apiregistration.k8s.io', 'v1', ['APIService']],
  ['apps', 'v1', ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet']],
  ['autoscaling', 'v1', ['HorizontalPodAutoscaler']],
  ['autoscaling', 'v2', ['HorizontalPodAutoscaler']],
  ['batch', 'v1', ['CronJob', 'Job']],
  ['certificates.k8s.io', 'v1', ['CertificateSigningRequest']],
  ['coordination.k8s.io', 'v1', ['Lease']],
  ['discovery.k8s.io', 'v1', ['EndpointSlice']],
  ['events.k8s.io', 'v1', ['Event']],
  ['networking.k8s.io', 'v1', ['Ingress', 'IngressClass', 'NetworkPolicy']],
  ['node.k8s.io', 'v1', ['RuntimeClass']],
  ['policy', 'v1', ['PodDisruptionBudget']],
  ['policy', 'v1beta1', ['PodDisruptionBudget', 'PodSecurityPolicy']],
  ['rbac.authorization.k8s.io', 'v1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']],
  ['scheduling.k8s.io', 'v1', ['PriorityClass']],
  ['storage.k8s.io', 'v1', ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment']],
];

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function definitionName(group: string, version: string, kind: string): string {
  if (group === 'apiextensions.k8s.io')
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${kind}`;
  if (group === 'apiregistration.k8s.io')
    return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${kind}`;
  const short = group === '' ? 'core' : (group.split('.')[0] ?? group);
  return `io.k8s.api.${short}.${version}.${kind}`;
}

function stringProperty(description: string): StarDict {
  return newDict([
    ['description', description],
    ['type', 'string'],
  ]);
}

function kindDefinition(group: string, version: string, kind: string): StarDict {
  return newDict([
    ['description', `${kind} (${group === '' ? '' : `${group}/`}${version}).`],
    [
      'properties',
      newDict([
        [
          'apiVersion',
          stringProperty('APIVersion defines the versioned schema of this representation of an object.'),
        ],
        [
          'kind',
          stringProperty('Kind is a string value representing the REST resource this object represents.'),
        ],
        ['metadata', newDict([['$ref', `#/definitions/${OBJECT_META}`]])],
      ]),
    ],
    ['type', 'object'],
    [
      'x-kubernetes-group-version-kind',
      new StarList([
        newDict([
          ['group', group],
          ['kind', kind],
          ['version', version],
        ]),
      ]),
    ],
  ]);
}

/** The reduced OpenAPI document (a fresh value each call: programs may change it). */
export function openApiDocument(): Value {
  const definitions = new StarDict();
  const stringMap = newDict([
    ['additionalProperties', newDict([['type', 'string']])],
    ['type', 'object'],
  ]);
  definitions.setUnchecked(
    OBJECT_META,
    newDict([
      ['description', 'ObjectMeta is metadata that all persisted resources must have.'],
      [
        'properties',
        newDict([
          ['annotations', stringMap],
          ['labels', stringMap],
          ['name', stringProperty('Name must be unique within a namespace.')],
          ['namespace', stringProperty('Namespace defines the space within which each name must be unique.')],
        ]),
      ],
      ['type', 'object'],
    ]),
  );
  for (const [group, version, kinds] of KINDS) {
    for (const kind of kinds)
      definitions.setUnchecked(definitionName(group, version, kind), kindDefinition(group, version, kind));
  }
  return newDict([
    ['definitions', definitions],
    [
      'info',
      newDict([
        ['title', 'Kubernetes'],
        ['version', 'v1.21.2'],
      ]),
    ],
    ['swagger', '2.0'],
  ]);
}
