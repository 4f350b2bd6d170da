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
    threaded: {
      type: 'object',
      additionalProperties: false,
      required: ['threads', 'traceHash', 'events', 'guests'],
      properties: {
        threads: { type: 'integer', minimum: 1, maximum: 256 },
        traceHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        events: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        // Each guest's recording (threaded-bundle.ts encodes its messages); the replay's end checks the run it gives.
        guests: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name', 'index', 'attaches', 'radios', 'messages', 'events'],
            properties: {
              name: { type: 'string', minLength: 1 },
              index: { type: 'integer', minimum: 0 },
              attaches: { type: 'array' },
              radios: { type: 'array' },
              messages: { type: 'array', items: { type: 'object', required: ['k'], properties: { k: { type: 'string' } } } },
              events: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
    },
    failure: {
      type: 'object',
      additionalProperties: false,
      required: ['t', 'expectation', 'message'],
      properties: { t: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, expectation: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
