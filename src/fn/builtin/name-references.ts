/**
 * kustomize's name back-references (its `nameReference` field specs): which fields of which kinds
 * hold the name of which other kind, so that renaming a ConfigMap, Secret, Service, role, service
 * account… can be followed in the objects that refer to it. Used by ensure-name-substring.
 */
import { fieldSpec, type FieldSpec } from './field-spec.js';

export interface NameReference {
  /** The referred-to kind (group/version empty = any). */
  target: { kind: string; group: string; version: string };
  referrers: FieldSpec[];
}

/** Where each workload kind keeps its pod spec. */
const POD_SPECS: readonly [string, string, string?][] = [
  ['Pod', 'spec', 'v1'],
  ['PodTemplate', 'template/spec'],
  ['Deployment', 'spec/template/spec'],
  ['ReplicaSet', 'spec/template/spec'],
  ['DaemonSet', 'spec/template/spec'],
  ['StatefulSet', 'spec/template/spec'],
  ['Job', 'spec/template/spec'],
  ['CronJob', 'spec/jobTemplate/spec/template/spec'],
];

function inPodSpecs(paths: readonly string[], kinds = POD_SPECS): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [kind, prefix, version] of kinds) {
    for (const p of paths) out.push(fieldSpec(`${prefix}/${p}`, version ? { kind, version } : { kind }));
  }
  return out;
}

const CONFIG_MAP_PATHS = [
  'volumes/configMap/name',
  'containers/env/valueFrom/configMapKeyRef/name',
  'initContainers/env/valueFrom/configMapKeyRef/name',
  'containers/envFrom/configMapRef/name',
  'initContainers/envFrom/configMapRef/name',
  'volumes/projected/sources/configMap/name',
];

const SECRET_PATHS = [
  'volumes/secret/secretName',
  'containers/env/valueFrom/secretKeyRef/name',
  'initContainers/env/valueFrom/secretKeyRef/name',
  'containers/envFrom/secretRef/name',
  'initContainers/envFrom/secretRef/name',
  'imagePullSecrets/name',
  'volumes/projected/sources/secret/name',
];

/** Pod-spec kinds that also name service accounts, claims and priority classes. */
const SCHEDULED: readonly [string, string, string?][] = [
  ['Pod', 'spec'],
  ['StatefulSet', 'spec/template/spec'],
  ['Deployment', 'spec/template/spec'],
  ['ReplicationController', 'spec/template/spec'],
  ['CronJob', 'spec/jobTemplate/spec/template/spec'],
  ['Job', 'spec/template/spec'],
  ['DaemonSet', 'spec/template/spec'],
];

function target(kind: string, group = '', version = ''): NameReference['target'] {
  return { kind, group, version };
}

const hpa = [fieldSpec('spec/scaleTargetRef/name', { kind: 'HorizontalPodAutoscaler' })];

export const NAME_REFERENCES: readonly NameReference[] = [
  { target: target('Deployment'), referrers: hpa },
  { target: target('ReplicationController'), referrers: hpa },
  { target: target('ReplicaSet'), referrers: hpa },
  { target: target('StatefulSet'), referrers: hpa },
  {
    target: target('ConfigMap', '', 'v1'),
    referrers: [
      ...inPodSpecs(CONFIG_MAP_PATHS),
      fieldSpec('spec/configSource/configMap', { kind: 'Node' }),
      fieldSpec('rules/resourceNames', { kind: 'Role' }),
      fieldSpec('rules/resourceNames', { kind: 'ClusterRole' }),
      fieldSpec('metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', {
        kind: 'Ingress',
      }),
    ],
  },
  {
    target: target('Secret', '', 'v1'),
    referrers: [
      ...inPodSpecs(SECRET_PATHS),
      fieldSpec('spec/tls/secretName', { kind: 'Ingress' }),
      fieldSpec('metadata/annotations/ingress.kubernetes.io\\/auth-secret', { kind: 'Ingress' }),
      fieldSpec('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', { kind: 'Ingress' }),
      fieldSpec('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', { kind: 'Ingress' }),
      fieldSpec('imagePullSecrets/name', { kind: 'ServiceAccount' }),
      fieldSpec('parameters/secretName', { kind: 'StorageClass' }),
      fieldSpec('parameters/adminSecretName', { kind: 'StorageClass' }),
      fieldSpec('parameters/userSecretName', { kind: 'StorageClass' }),
      fieldSpec('parameters/secretRef', { kind: 'StorageClass' }),
      fieldSpec('rules/resourceNames', { kind: 'Role' }),
      fieldSpec('rules/resourceNames', { kind: 'ClusterRole' }),
      fieldSpec('spec/template/spec/containers/env/valueFrom/secretKeyRef/name', {
        kind: 'Service',
        group: 'serving.knative.dev',
        version: 'v1',
      }),
      fieldSpec('spec/azureFile/secretName', { kind: 'PersistentVolume' }),
    ],
  },
  {
    target: target('Service', '', 'v1'),
    referrers: [
      fieldSpec('spec/serviceName', { kind: 'StatefulSet', group: 'apps' }),
      fieldSpec('spec/rules/http/paths/backend/serviceName', { kind: 'Ingress' }),
      fieldSpec('spec/backend/serviceName', { kind: 'Ingress' }),
      fieldSpec('spec/rules/http/paths/backend/service/name', { kind: 'Ingress' }),
      fieldSpec('spec/defaultBackend/service/name', { kind: 'Ingress' }),
      fieldSpec('spec/service/name', { kind: 'APIService', group: 'apiregistration.k8s.io' }),
      fieldSpec('webhooks/clientConfig/service', {
        kind: 'ValidatingWebhookConfiguration',
        group: 'admissionregistration.k8s.io',
      }),
      fieldSpec('webhooks/clientConfig/service', {
        kind: 'MutatingWebhookConfiguration',
        group: 'admissionregistration.k8s.io',
      }),
    ],
  },
  {
    target: target('Role', 'rbac.authorization.k8s.io'),
    referrers: [fieldSpec('roleRef/name', { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' })],
  },
  {
    target: target('ClusterRole', 'rbac.authorization.k8s.io'),
    referrers: [
      fieldSpec('roleRef/name', { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' }),
      fieldSpec('roleRef/name', { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' }),
    ],
  },
  {
    target: target('ServiceAccount', '', 'v1'),
    referrers: [
      fieldSpec('subjects', { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' }),
      fieldSpec('subjects', { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' }),
      ...inPodSpecs(['serviceAccountName'], SCHEDULED),
    ],
  },
  {
    target: target('PersistentVolumeClaim', '', 'v1'),
    referrers: inPodSpecs(['volumes/persistentVolumeClaim/claimName'], SCHEDULED.slice(1)).concat(
      fieldSpec('spec/volumes/persistentVolumeClaim/claimName', { kind: 'Pod' }),
    ),
  },
  {
    target: target('PersistentVolume', '', 'v1'),
    referrers: [
      fieldSpec('spec/volumeName', { kind: 'PersistentVolumeClaim' }),
      fieldSpec('rules/resourceNames', { kind: 'ClusterRole' }),
    ],
  },
  {
    target: target('StorageClass', 'storage.k8s.io', 'v1'),
    referrers: [
      fieldSpec('spec/storageClassName', { kind: 'PersistentVolume' }),
      fieldSpec('spec/storageClassName', { kind: 'PersistentVolumeClaim' }),
      fieldSpec('spec/volumeClaimTemplates/spec/storageClassName', { kind: 'StatefulSet' }),
    ],
  },
  {
    target: target('PriorityClass', 'scheduling.k8s.io', 'v1'),
    referrers: inPodSpecs(['priorityClassName'], SCHEDULED),
  },
  {
    target: target('IngressClass', 'networking.k8s.io/v1', 'v1'),
    referrers: [fieldSpec('spec/ingressClassName', { kind: 'Ingress' })],
  },
  {
    target: target('ValidatingAdmissionPolicy', 'admissionregistration.k8s.io'),
    referrers: [
      fieldSpec('spec/policyName', {
        kind: 'ValidatingAdmissionPolicyBinding',
        group: 'admissionregistration.k8s.io',
      }),
    ],
  },
];
