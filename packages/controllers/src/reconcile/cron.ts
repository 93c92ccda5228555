/**
 * Five-field cron schedules ("minute hour day-of-month month day-of-week")
 * with ranges, steps, lists, month and day names, 7 as Sunday, and the
 * @hourly/@daily/@weekly/@monthly/@yearly macros, evaluated in an IANA time
 * zone through Intl. As in cron, when both day fields are restricted a day
 * matching either one matches.
 */

export class CronParseError extends Error {
  override name = 'CronParseError';
}

export class UnknownTimeZoneError extends Error {
  override name = 'UnknownTimeZoneError';
}

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseValue(text: string, names: string[] | undefined, offset: number, field: string): number {
  const lower = text.toLowerCase();
  if (names) {
    const i = names.indexOf(lower);
    if (i >= 0) return i + offset;
  }
  if (!/^\d+$/.test(text)) throw new CronParseError(`${field}: ${JSON.stringify(text)} is not a number`);
  return Number(text);
}

function parseField(text: string, min: number, max: number, field: string, names?: string[], nameOffset = 0): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronParseError(`${field}: bad step ${JSON.stringify(stepText)}`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      lo = parseValue(a, names, nameOffset, field);
      hi = parseValue(b, names, nameOffset, field);
    } else {
      lo = parseValue(range, names, nameOffset, field);
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) throw new CronParseError(`${field}: ${JSON.stringify(part)} is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): CronSchedule {
  const text = MACROS[expr.trim().toLowerCase()] ?? expr.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new CronParseError(`expected 5 fields, got ${fields.length} in ${JSON.stringify(expr)}`);
  const [mi = '', h = '', dom = '', mon = '', dow = ''] = fields;
  const weekdays = parseField(dow, 0, 7, 'day of week', DAYS);
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0);
  }
  return {
    minutes: parseField(mi, 0, 59, 'minute'),
    hours: parseField(h, 0, 23, 'hour'),
    days: parseField(dom, 1, 31, 'day of month'),
    months: parseField(mon, 1, 12, 'month', MONTHS, 1),
    weekdays,
    dayRestricted: !dom.startsWith('*') && !dom.startsWith('?'),
    weekdayRestricted: !dow.startsWith('*') && !dow.startsWith('?'),
  };
}

interface Wall {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    } catch (err) {
      throw new UnknownTimeZoneError(`unknown time zone ${JSON.stringify(timeZone)}`, { cause: err });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

function wall(ms: number, timeZone: string): Wall {
  const w: Wall = { month: 0, day: 0, weekday: 0, hour: 0, minute: 0 };
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type === 'month') w.month = Number(p.value);
    else if (p.type === 'day') w.day = Number(p.value);
    else if (p.type === 'weekday') w.weekday = WEEKDAY[p.value] ?? 0;
    else if (p.type === 'hour') w.hour = Number(p.value) % 24;
    else if (p.type === 'minute') w.minute = Number(p.value);
  }
  return w;
}

function dayMatches(s: CronSchedule, w: Wall): boolean {
  const d = s.days.has(w.day);
  const wd = s.weekdays.has(w.weekday);
  if (s.dayRestricted && s.weekdayRestricted) return d || wd;
  return d && wd;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Validates the zone (throws UnknownTimeZoneError). */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/**
 * The first scheduled minute strictly after `afterMs`, or undefined within
 * `horizonMs` (default 5 years). Walks hour by hour, minute by minute only
 * inside matching hours. Time zones with whole-hour or half-hour offsets
 * keep minute boundaries, so each UTC minute is one wall minute.
 */
export function nextRun(s: CronSchedule, afterMs: number, timeZone = 'UTC', horizonMs = 5 * 366 * 24 * HOUR): number | undefined {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const end = afterMs + horizonMs;
  while (t <= end) {
    const w = wall(t, timeZone);
    if (!s.months.has(w.month) || !dayMatches(s, w) || !s.hours.has(w.hour)) {
      // Skip to the next wall-clock hour.
      t += HOUR - w.minute * MINUTE;
      continue;
    }
    for (let m = w.minute; m < 60; m++, t += MINUTE) {
      if (s.minutes.has(m)) return t;
    }
  }
  return undefined;
}

/** The latest run in (afterMs, nowMs], searched in growing windows back from now so dense schedules stay cheap. */
function latestRun(s: CronSchedule, afterMs: number, nowMs: number, timeZone: string): number | undefined {
  for (const window of [HOUR, 24 * HOUR, 32 * 24 * HOUR, 367 * 24 * HOUR]) {
    let x = nextRun(s, Math.max(afterMs, nowMs - window), timeZone, window + MINUTE);
    if (x === undefined || x > nowMs) continue;
    let latest = x;
    while (x !== undefined && x <= nowMs) {
      latest = x;
      x = nextRun(s, x, timeZone, nowMs - x + MINUTE);
    }
    return latest;
  }
  return undefined;
}

/**
 * The latest scheduled minute in (afterMs, nowMs], and how many there were
 * (capped at `cap`), or undefined when none.
 */
export function lastMissedRun(s: CronSchedule, afterMs: number, nowMs: number, timeZone = 'UTC', cap = 100): { at: number; count: number } | undefined {
  let last: number | undefined;
  let count = 0;
  let t = afterMs;
  while (true) {
    const n = nextRun(s, t, timeZone, nowMs - t + MINUTE);
    if (n === undefined || n > nowMs) break;
    last = n;
    count++;
    t = n;
    if (count >= cap) return { at: latestRun(s, t, nowMs, timeZone) ?? last, count };
  }
  return last === undefined ? undefined : { at: last, count };
}
