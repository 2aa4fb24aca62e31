/**
 * Kptfiles as kpt writes them when it creates or rewrites one from its Go struct (`kpt pkg init`,
 * `kpt pkg get`, Porch's clone): fields in struct order, empty fields left out, map keys sorted,
 * strings quoted only when they would read back as another type, no comments.
 */
import { Document } from 'yaml';
import { KPTFILE_API_VERSION, KPTFILE_KIND, type Kptfile } from './kptfile.js';
import { KPTFILE_FIELDS } from './kptfile-schema.js';
import { emitDocument, type SeqIndent } from './kyaml-emitter.js';
import { buildNode } from './yaml-object.js';

export const LOCAL_CONFIG_ANNOTATION = 'config.kubernetes.io/local-config';

/**
 * The Kptfile text kpt's marshaller produces. `kpt pkg init` writes lists compact (`- x` under the
 * key); kpt's Kptfile writer used by `pkg get`/`pkg update` and Porch writes them wide (indented).
 */
export function formatKptfile(kptfile: Kptfile, seqIndent: SeqIndent = 'wide'): string {
  const doc = new Document();
  doc.contents = buildNode(kptfile, { type: 'object', fields: KPTFILE_FIELDS });
  return emitDocument(doc, seqIndent);
}

export interface NewKptfileOptions {
  name: string;
  /** kpt's default is "sample description". */
  description?: string;
  keywords?: string[];
  site?: string;
}

/** The Kptfile `kpt pkg init` creates. */
export function newKptfile(options: NewKptfileOptions): Kptfile {
  return {
    apiVersion: KPTFILE_API_VERSION,
    kind: KPTFILE_KIND,
    metadata: { name: options.name, annotations: { [LOCAL_CONFIG_ANNOTATION]: 'true' } },
    info: {
      ...(options.site ? { site: options.site } : {}),
      description: options.description ?? 'sample description',
      ...(options.keywords && options.keywords.length > 0 ? { keywords: [...options.keywords] } : {}),
    },
  };
}
