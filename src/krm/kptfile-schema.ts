/**
 * The Kptfile schema as data, in kpt's field order. The order matters: kpt writes Kptfiles by
 * marshalling its Go structs, so a Kptfile written by kpt lists fields in exactly this order, and new
 * fields are inserted at these positions when Lading edits a Kptfile. The same table drives strict
 * parsing (unknown fields are errors, as in kpt).
 */
/** `upstream.updateStrategy` values (`copy-merge` is newer kpt). */
export const UPDATE_STRATEGIES = [
  'resource-merge',
  'fast-forward',
  'force-delete-replace',
  'copy-merge',
] as const;

/** Field kinds of the schema, used both to validate a parsed Kptfile and to write one. */
export type FieldSchema =
  | { type: 'string'; enum?: readonly string[] }
  | { type: 'integer' }
  | { type: 'stringMap' }
  | { type: 'stringList' }
  | { type: 'any' }
  | { type: 'object'; fields: ObjectFields }
  | { type: 'list'; items: FieldSchema; key?: string };

/** Ordered (kpt's struct order) field schemas of an object. */
export type ObjectFields = readonly (readonly [string, FieldSchema])[];

const str = { type: 'string' } as const;
const stringMap = { type: 'stringMap' } as const;
const stringList = { type: 'stringList' } as const;

const SELECTOR: FieldSchema = {
  type: 'object',
  fields: [
    ['apiVersion', str],
    ['kind', str],
    ['name', str],
    ['namespace', str],
    ['labels', stringMap],
    ['annotations', stringMap],
  ],
};

const FUNCTION: FieldSchema = {
  type: 'object',
  fields: [
    ['image', str],
    ['exec', str],
    ['configPath', str],
    ['configMap', stringMap],
    ['name', str],
    ['tag', str],
    ['selectors', { type: 'list', items: SELECTOR }],
    ['exclude', { type: 'list', items: SELECTOR }],
    [
      'configRef',
      {
        type: 'object',
        fields: [
          ['apiVersion', str],
          ['kind', str],
          ['name', str],
          ['namespace', str],
        ],
      },
    ],
  ],
};

const ORIGIN_TYPE = { type: 'string', enum: ['git', 'oci', 'generic'] } as const;

const STEP_RESULT: FieldSchema = {
  type: 'object',
  fields: [
    ['name', str],
    ['image', str],
    ['exec', str],
    ['executionError', str],
    ['stderr', str],
    ['exitCode', { type: 'integer' }],
    ['results', { type: 'list', items: { type: 'any' } }],
    ['errorResults', { type: 'list', items: { type: 'any' } }],
  ],
};

export const KPTFILE_FIELDS: ObjectFields = [
  ['apiVersion', str],
  ['kind', str],
  [
    'metadata',
    {
      type: 'object',
      fields: [
        ['name', str],
        ['namespace', str],
        ['labels', stringMap],
        ['annotations', stringMap],
      ],
    },
  ],
  [
    'upstream',
    {
      type: 'object',
      fields: [
        ['type', ORIGIN_TYPE],
        [
          'git',
          {
            type: 'object',
            fields: [
              ['repo', str],
              ['directory', str],
              ['ref', str],
            ],
          },
        ],
        [
          'oci',
          {
            type: 'object',
            fields: [
              ['image', str],
              ['path', str],
            ],
          },
        ],
        ['updateStrategy', { type: 'string', enum: UPDATE_STRATEGIES }],
      ],
    },
  ],
  [
    'upstreamLock',
    {
      type: 'object',
      fields: [
        ['type', ORIGIN_TYPE],
        [
          'git',
          {
            type: 'object',
            fields: [
              ['repo', str],
              ['directory', str],
              ['ref', str],
              ['commit', str],
            ],
          },
        ],
        [
          'oci',
          {
            type: 'object',
            fields: [
              ['image', str],
              ['path', str],
              ['digest', str],
            ],
          },
        ],
        [
          'generic',
          {
            type: 'object',
            fields: [
              ['storeID', str],
              ['resourceID', str],
              ['resourceVersion', str],
            ],
          },
        ],
      ],
    },
  ],
  [
    'info',
    {
      type: 'object',
      fields: [
        ['site', str],
        ['emails', stringList],
        ['license', str],
        ['licenseFile', str],
        ['description', str],
        ['keywords', stringList],
        ['man', str],
        [
          'readinessGates',
          { type: 'list', key: 'conditionType', items: { type: 'object', fields: [['conditionType', str]] } },
        ],
      ],
    },
  ],
  [
    'pipeline',
    {
      type: 'object',
      fields: [
        ['mutators', { type: 'list', items: FUNCTION }],
        ['validators', { type: 'list', items: FUNCTION }],
      ],
    },
  ],
  [
    'inventory',
    {
      type: 'object',
      fields: [
        ['namespace', str],
        ['name', str],
        ['inventoryID', str],
        ['labels', stringMap],
        ['annotations', stringMap],
      ],
    },
  ],
  [
    'status',
    {
      type: 'object',
      fields: [
        [
          'conditions',
          {
            type: 'list',
            key: 'type',
            items: {
              type: 'object',
              fields: [
                ['type', str],
                ['status', { type: 'string', enum: ['True', 'False', 'Unknown'] }],
                ['reason', str],
                ['message', str],
              ],
            },
          },
        ],
        [
          'renderStatus',
          {
            type: 'object',
            fields: [
              ['mutationSteps', { type: 'list', items: STEP_RESULT }],
              ['validationSteps', { type: 'list', items: STEP_RESULT }],
              ['errorSummary', str],
            ],
          },
        ],
      ],
    },
  ],
];

export function fieldSchema(path: readonly string[]): FieldSchema | undefined {
  let fields: ObjectFields | undefined = KPTFILE_FIELDS;
  let schema: FieldSchema | undefined;
  for (const name of path) {
    schema = fields?.find(([n]) => n === name)?.[1];
    if (!schema) return undefined;
    fields = schema.type === 'object' ? schema.fields : undefined;
  }
  return schema;
}
