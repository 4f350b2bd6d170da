// The scenario bundle schema's validator, compiled ahead of time by scripts/gen-validators.ts into bundle-validator.js
// (build output: `npm run build` writes it).
import type { ValidateFunction } from 'ajv';
declare const validate: ValidateFunction;
export default validate;
