// Kyverno's time functions (pkg/engine/jmespath/time.go): RFC 3339 and Go reference layouts in, RFC 3339 and Go durations out.
import { goParseDuration } from '../../../common/index.js';
import { functionError } from '../errors.js';
import { formatGoDuration } from './go-duration.js';
import type { FunctionContext, FunctionEntry } from './table.js';

/** A Go time.Time: nanoseconds since the Unix epoch and the zone offset it was written with (seconds east of UTC). */
interface GoTime {
  readonly nanoseconds: bigint;
  readonly offset: number;
}

const NANOS = 1_000_000_000n;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MAX_DURATION = (1n << 63n) - 1n;

/** Go's reference-layout elements, longest first where one is a prefix of another. */
const ELEMENTS = [
  'January', 'Jan', 'Monday', 'Mon', 'MST', '2006', '002', '01', '02', '03', '04', '05', '06', '15', '__2', '_2', 'PM', 'pm',
  'Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07', '-07:00:00', '-070000', '-07:00', '-0700', '-07', '1', '2', '3', '4', '5',
];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  offset: number | undefined;
  pm: boolean | undefined;
}

const bad = (name: string, layout: string, value: string) => functionError(name, `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);

/** time.Parse for the numeric, month/day-name, AM/PM, fraction and offset elements of Go layouts (zone abbreviations are read, not resolved). */
function parseLayout(name: string, layout: string, value: string): GoTime {
  const fields: Fields = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0, offset: undefined, pm: undefined };
  let rest = value;
  let index = 0;
  const digits = (min: number, max: number): number => {
    const match = new RegExp(`^[0-9]{${min},${max}}`).exec(rest);
    if (match === null) throw bad(name, layout, value);
    rest = rest.slice(match[0].length);
    return Number(match[0]);
  };
  const word = (words: string[]): number => {
    const found = words.findIndex((candidate) => rest.toLowerCase().startsWith(candidate.toLowerCase()));
    if (found === -1) throw bad(name, layout, value);
    rest = rest.slice(words[found]?.length);
    return found;
  };
  const offset = (element: string) => {
    if (element.startsWith('Z') && rest.startsWith('Z')) {
      rest = rest.slice(1);
      fields.offset = 0;
      return;
    }
    const colon = element.includes(':');
    const parts = element.replace(/^[Z-]/, '').replaceAll(':', '').length / 2;
    const sign = rest[0] === '-' ? -1 : rest[0] === '+' ? 1 : 0;
    if (sign === 0) throw bad(name, layout, value);
    rest = rest.slice(1);
    let seconds = digits(2, 2) * 3600;
    if (parts >= 2) {
      if (colon && !rest.startsWith(':')) throw bad(name, layout, value);
      if (colon) rest = rest.slice(1);
      seconds += digits(2, 2) * 60;
    }
    if (parts >= 3) {
      if (colon && !rest.startsWith(':')) throw bad(name, layout, value);
      if (colon) rest = rest.slice(1);
      seconds += digits(2, 2);
    }
    fields.offset = sign * seconds;
  };
  while (index < layout.length) {
    const fraction = /^[.,](0+|9+)/.exec(layout.slice(index));
    if (fraction !== null) {
      const match = /^[.,]([0-9]+)/.exec(rest);
      if (match === null) {
        if (fraction[1]?.startsWith('9')) {
          index += fraction[0].length;
          continue;
        }
        throw bad(name, layout, value);
      }
      fields.nanosecond = Number((match[1] ?? '').slice(0, 9).padEnd(9, '0'));
      rest = rest.slice(match[0].length);
      index += fraction[0].length;
      continue;
    }
    const element = ELEMENTS.find((candidate) => layout.startsWith(candidate, index));
    if (element === undefined) {
      if (rest[0] !== layout[index]) throw bad(name, layout, value);
      rest = rest.slice(1);
      index++;
      continue;
    }
    index += element.length;
    switch (element) {
      case '2006': fields.year = digits(4, 4); break;
      case '06': { const year = digits(2, 2); fields.year = year >= 69 ? 1900 + year : 2000 + year; break; }
      case 'January': fields.month = word(MONTHS) + 1; break;
      case 'Jan': fields.month = word(MONTHS.map((month) => month.slice(0, 3))) + 1; break;
      case 'Monday': word(DAYS); break;
      case 'Mon': word(DAYS.map((day) => day.slice(0, 3))); break;
      case '01': fields.month = digits(2, 2); break;
      case '1': fields.month = digits(1, 2); break;
      case '02': fields.day = digits(2, 2); break;
      case '_2': if (rest[0] === ' ') rest = rest.slice(1); fields.day = digits(1, 2); break;
      case '2': fields.day = digits(1, 2); break;
      case '002': case '__2': digits(3, 3); break;
      case '15': fields.hour = digits(1, 2); break;
      case '03': fields.hour = digits(2, 2); break;
      case '3': fields.hour = digits(1, 2); break;
      case '04': fields.minute = digits(2, 2); break;
      case '4': fields.minute = digits(1, 2); break;
      case '05': case '5': {
        fields.second = element === '05' ? digits(2, 2) : digits(1, 2);
        // Go reads a fraction after the seconds even when the layout has none.
        const match = layout.slice(index).match(/^[.,][09]/) === null ? /^[.,]([0-9]+)/.exec(rest) : null;
        if (match !== null) {
          fields.nanosecond = Number((match[1] ?? '').slice(0, 9).padEnd(9, '0'));
          rest = rest.slice(match[0].length);
        }
        break;
      }
      case 'PM': case 'pm': {
        const marker = rest.slice(0, 2).toUpperCase();
        if (marker !== 'AM' && marker !== 'PM') throw bad(name, layout, value);
        fields.pm = marker === 'PM';
        rest = rest.slice(2);
        break;
      }
      case 'MST': { const match = /^[A-Z]{3,5}|^[+-][0-9]{2,4}/.exec(rest); if (match === null) throw bad(name, layout, value); rest = rest.slice(match[0].length); break; }
      default: offset(element);
    }
  }
  if (rest.length > 0) throw functionError(name, `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(rest)}`);
  if (fields.pm !== undefined) {
    if (fields.hour > 12) throw functionError(name, `parsing time ${JSON.stringify(value)}: hour out of range`);
    if (fields.pm && fields.hour < 12) fields.hour += 12;
    if (!fields.pm && fields.hour === 12) fields.hour = 0;
  }
  return build(name, value, fields);
}

function build(name: string, value: string, fields: Fields): GoTime {
  const { year, month, day, hour, minute, second } = fields;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0) ? 1 : 0);
  if (month < 1 || month > 12) throw functionError(name, `parsing time ${JSON.stringify(value)}: month out of range`);
  if (day < 1 || day > daysInMonth) throw functionError(name, `parsing time ${JSON.stringify(value)}: day out of range`);
  if (hour > 23 || minute > 59 || second > 59) throw functionError(name, `parsing time ${JSON.stringify(value)}: time out of range`);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const offset = fields.offset ?? 0;
  return { nanoseconds: (BigInt(date.getTime()) / 1000n - BigInt(offset)) * NANOS + BigInt(fields.nanosecond), offset };
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';

function parseRfc3339(name: string, value: string): GoTime {
  return parseLayout(name, RFC3339, value);
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Local calendar fields of a time in its own offset. */
function fieldsOf(time: GoTime): Date {
  const seconds = time.nanoseconds / NANOS - (time.nanoseconds % NANOS < 0n ? 1n : 0n);
  return new Date(Number((seconds + BigInt(time.offset)) * 1000n));
}

/** Format(time.RFC3339): seconds precision, `Z` for a zero offset. */
function formatRfc3339(time: GoTime): string {
  const local = fieldsOf(time);
  const zone = time.offset === 0 ? 'Z' : `${time.offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(time.offset) / 3600), 2)}:${pad(Math.floor((Math.abs(time.offset) % 3600) / 60), 2)}`;
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}${zone}`;
}

/** Time.Sub: saturating at the limits of time.Duration. */
function sub(later: GoTime, earlier: GoTime): string {
  const difference = later.nanoseconds - earlier.nanoseconds;
  return formatGoDuration(difference > MAX_DURATION ? MAX_DURATION : difference < -MAX_DURATION - 1n ? -MAX_DURATION - 1n : difference);
}

function duration(name: string, value: string): bigint {
  const parsed = goParseDuration(value);
  if (parsed === undefined) throw functionError(name, `time: invalid duration ${JSON.stringify(value)}`);
  return parsed;
}

/** The zero time.Time (year 1) as Unix nanoseconds: Truncate counts from there. */
const ZERO_TIME = -62135596800n * NANOS;

function truncate(time: GoTime, step: bigint): GoTime {
  if (step <= 0n) return time;
  const since = time.nanoseconds - ZERO_TIME;
  return { nanoseconds: time.nanoseconds - (((since % step) + step) % step), offset: time.offset };
}

function now(context: FunctionContext): GoTime {
  return { nanoseconds: BigInt(context.now().getTime()) * 1_000_000n, offset: 0 };
}

function since(layout: string, start: string, end: string, context: FunctionContext): string {
  const parse = (value: string) => (layout === '' ? parseRfc3339('time_since', value) : parseLayout('time_since', layout, value));
  const from = parse(start);
  return sub(end === '' ? now(context) : parse(end), from);
}

function timeParse(layout: string, value: string): string {
  if (/^[+-]?[0-9]+$/.test(layout)) {
    if (!/^[+-]?[0-9]+$/.test(value)) throw functionError('time_parse', `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
    return formatRfc3339({ nanoseconds: BigInt(value) * NANOS, offset: 0 });
  }
  return formatRfc3339(parseLayout('time_parse', layout, value));
}

function toCron(time: GoTime): string {
  const local = fieldsOf(time);
  return `${local.getUTCMinutes()} ${local.getUTCHours()} ${local.getUTCDate()} ${local.getUTCMonth() + 1} ${local.getUTCDay()}`;
}

const s = (value: unknown) => value as string;
const t = (name: string, value: unknown) => parseRfc3339(name, s(value));

export const TIME_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['time_since', { arguments: [['string'], ['string'], ['string']], handler: ([layout, start, end], context) => since(s(layout), s(start), s(end), context) }],
  ['time_now', { arguments: [], handler: (_, context) => formatRfc3339(now(context)) }],
  ['time_now_utc', { arguments: [], handler: (_, context) => formatRfc3339(now(context)) }],
  ['time_to_cron', { arguments: [['string']], handler: ([time]) => toCron(t('time_to_cron', time)) }],
  [
    'time_add',
    {
      arguments: [['string'], ['string']],
      handler: ([time, step]) => {
        const start = t('time_add', time);
        return formatRfc3339({ nanoseconds: start.nanoseconds + duration('time_add', s(step)), offset: start.offset });
      },
    },
  ],
  ['time_parse', { arguments: [['string'], ['string']], handler: ([layout, value]) => timeParse(s(layout), s(value)) }],
  ['time_utc', { arguments: [['string']], handler: ([time]) => formatRfc3339({ nanoseconds: t('time_utc', time).nanoseconds, offset: 0 }) }],
  ['time_diff', { arguments: [['string'], ['string']], handler: ([start, end]) => sub(t('time_diff', end), t('time_diff', start)) }],
  ['time_before', { arguments: [['string'], ['string']], handler: ([a, b]) => t('time_before', a).nanoseconds < t('time_before', b).nanoseconds }],
  ['time_after', { arguments: [['string'], ['string']], handler: ([a, b]) => t('time_after', a).nanoseconds > t('time_after', b).nanoseconds }],
  [
    'time_between',
    {
      arguments: [['string'], ['string'], ['string']],
      handler: ([time, start, end]) => {
        const at = t('time_between', time).nanoseconds;
        return at > t('time_between', start).nanoseconds && at < t('time_between', end).nanoseconds;
      },
    },
  ],
  [
    'time_truncate',
    {
      arguments: [['string'], ['string']],
      handler: ([time, step]) => formatRfc3339(truncate(t('time_truncate', time), duration('time_truncate', s(step)))),
    },
  ],
]);
