// Kyverno's range values ("1-10", "1Ki-1Mi", and the "!-" negation) for the *In operators, as pkg/engine/pattern validates a string against them.
import { goParseDuration } from '../../common/index.js';
import { compare, parseQuantity } from './quantity.js';
import { wildcardMatch } from '../../common/index.js';

const IN_RANGE = /^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$/;
const NOT_IN_RANGE = /^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)!-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$/;

type PatternOperator = '' | '>=' | '<=' | '!' | '>' | '<' | '-' | '!-';

/** operator.GetOperatorFromStringPattern. */
export function patternOperator(pattern: string): PatternOperator {
  if (pattern.length < 2) return '';
  for (const prefix of ['>=', '<=', '>', '<', '!'] as const) if (pattern.startsWith(prefix)) return prefix;
  if (NOT_IN_RANGE.test(pattern)) return '!-';
  if (IN_RANGE.test(pattern)) return '-';
  return '';
}

function orderResult(order: number, operator: PatternOperator): boolean | undefined {
  switch (operator) {
    case '':
      return order === 0;
    case '!':
      return order !== 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    default:
      return undefined;
  }
}

/** pattern.validateString for a string value: as durations, else as quantities, else (= and ! only) as a wildcard. */
function validateString(value: string, pattern: string, operator: PatternOperator): boolean {
  const patternDuration = goParseDuration(pattern);
  const valueDuration = goParseDuration(value);
  if (patternDuration !== undefined && valueDuration !== undefined) {
    const result = orderResult(valueDuration === patternDuration ? 0 : valueDuration > patternDuration ? 1 : -1, operator);
    if (result !== undefined) return result;
  }
  const patternQuantity = parseQuantity(pattern);
  const valueQuantity = parseQuantity(value);
  if (patternQuantity !== undefined && valueQuantity !== undefined) {
    const result = orderResult(compare(valueQuantity, patternQuantity), operator);
    if (result !== undefined) return result;
  }
  if (operator === '' || operator === '!') return wildcardMatch(pattern, value) === (operator === '');
  return false;
}

function validateStringPattern(value: string, pattern: string): boolean {
  const operator = patternOperator(pattern);
  if (operator === '-' || operator === '!-') {
    const match = (operator === '-' ? IN_RANGE : NOT_IN_RANGE).exec(pattern);
    if (match === null) return false;
    const [, left = '', right = ''] = match;
    if (operator === '-') return validateStringPattern(value, `>= ${left}`) && validateStringPattern(value, `<= ${right}`);
    return validateStringPattern(value, `< ${left}`) || validateStringPattern(value, `> ${right}`);
  }
  return validateString(value, pattern.slice(operator.length).trim(), operator);
}

/** strings.Trim(text, " "): spaces only, not other white space. */
const trimSpaces = (text: string) => text.replace(/^ +| +$/g, '');

/** pattern.Validate(value, pattern) for a string value and a string pattern: `|` alternatives of `&` conjunctions. */
export function validatePattern(value: string, pattern: string): boolean {
  if (value === pattern) return true;
  return pattern.split('|').some((alternative) => trimSpaces(alternative).split('&').every((condition) => validateStringPattern(value, trimSpaces(condition))));
}
