// Public face of the conditions domain: Kyverno conditions (`{any, all}` blocks, operators, `{{ JMESPath }}` variables) evaluated purely on plain data.
export { ConditionsError, type ConditionsErrorCode } from './errors.js';
export { evaluateConditions, type EvaluateOptions } from './evaluate.js';
export { searchJmesPath, type SearchOptions } from './jmespath/index.js';
export type { AnyAllConditions, Condition, ConditionsOutcome } from './model.js';
export { OPERATORS } from './operators/index.js';
export { parseConditions } from './parse.js';
