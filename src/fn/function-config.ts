/**
 * functionConfig for a function step: a `configMap` (or `key=value` arguments) becomes the
 * ConfigMap `function-input` kpt builds; a `configPath` names a resource of the package.
 */
import type { Document } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import { cloneNode, parseYamlDocument, parseYamlFile, type KrmResource } from '../krm/index.js';
import { Document as YamlDoc } from 'yaml';

/** The ConfigMap kpt passes for `configMap:` data or `-- key=value` arguments. */
export function configMapFunctionConfig(data: Readonly<Record<string, string>>): Document {
  const keys = Object.keys(data).sort();
  const lines = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: function-input',
    keys.length === 0 ? 'data: {}' : 'data:',
    ...keys.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(data[k] ?? '')}`),
  ];
  return parseYamlDocument('functionConfig', `${lines.join('\n')}\n`);
}

/** `key=value` arguments (after `--`) as ConfigMap data; throws on an argument without `=`. */
export function parseKeyValueArgs(args: readonly string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new BadRequestError(`function argument "${arg}" must be of the form key=value`);
    }
    data[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return data;
}

/** A functionConfig read from a file's text (exactly one document, as kpt requires). */
export function functionConfigFromText(path: string, text: string): Document {
  const file = parseYamlFile(path, text);
  if (file.documents.length > 1) {
    throw new BadRequestError(
      `functionConfig "${path}" must not contain more than one config, got ${file.documents.length}`,
    );
  }
  const first = file.documents[0];
  if (!first) throw new BadRequestError(`functionConfig "${path}" is empty; it must hold one resource`);
  return cloneDocument(first.doc);
}

export function cloneDocument(doc: Document): Document {
  const copy = new YamlDoc();
  copy.contents = cloneNode(doc.contents);
  return copy;
}

/** A deep copy of a resource (its document cloned), for validators and untrusted runners. */
export function cloneResource(resource: KrmResource): KrmResource {
  return {
    path: resource.path,
    index: resource.index,
    document: { ...resource.document, doc: cloneDocument(resource.document.doc) },
  };
}
