/** Shared pieces of the `rpkg` verbs: the PackageRevision(Resources) paths and object shapes. */
import { resourcePath, type KubeClient } from './kube-client.js';

export const PORCH_GROUP_VERSION = 'porch.kpt.dev/v1alpha1';

export type SetExit = (run: Promise<number>) => void;

export interface PackageRevisionObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: {
    packageName?: string;
    repository?: string;
    workspaceName?: string;
    lifecycle?: string;
    revision?: number;
    tasks?: unknown[];
  };
}

export interface PackageRevisionResourcesObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: { resources?: Record<string, string> } & Record<string, unknown>;
}

/** The path of a PackageRevision (or its collection without `name`). */
export function revisionPath(client: KubeClient, name?: string): string {
  return resourcePath(PORCH_GROUP_VERSION, 'packagerevisions', client.namespace, false, name);
}

/** The path of a PackageRevisionResources object. */
export function resourcesPath(client: KubeClient, name: string): string {
  return resourcePath(PORCH_GROUP_VERSION, 'packagerevisionresources', client.namespace, false, name);
}

export function getRevision(client: KubeClient, name: string): Promise<PackageRevisionObject> {
  return client.request<PackageRevisionObject>('GET', revisionPath(client, name));
}

/** Porch's name of a revision: `<repo>.<package path with dots>.<workspace>`. */
export function revisionName(repository: string, packageName: string, workspace: string): string {
  return `${repository}.${packageName.split('/').join('.')}.${workspace}`;
}
