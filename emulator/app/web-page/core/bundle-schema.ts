/**
 * The JSON Schema of a scenario bundle (api.ts ScenarioBundle) as `qnxemu web` and `qnxemu test --artifacts` read it
 * back (bundle.ts `checkBundle`). Plain data: `npm run build` compiles it into a validator ahead of time
 * (scripts/gen-validators.ts, ajv's standalone code), so no process compiles it when it starts.
 */
const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';

export const bundleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'file', 'yaml', 'files'],
  properties: {
    format: { const: 1 },
    file: { type: 'string', minLength: 1 },
    yaml: { type: 'string' },
    files: { type: 'object', additionalProperties: { type: 'string', pattern: BASE64 } },
    seed: { type: 'integer', minimum: 0, maximum: 0xffffffff },
    until: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    failure: {
      type: 'object',
      additionalProperties: false,
      required: ['t', 'expectation', 'message'],
      properties: { t: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, expectation: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
