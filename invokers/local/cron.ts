// Cron schedules as the OpenWhisk alarms feed reads them (pure): five fields (minute hour
// day-of-month month day-of-week) or six with seconds first; `*`, `*/n`, `a-b`, `a-b/n` and lists;
// day-of-week 0-7 with 0 and 7 both Sunday; evaluated in UTC. When both day fields are
// restricted, a day matching either one matches (classic cron).

export interface CronSchedule {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const FIELDS: Array<[keyof CronSchedule, number, number, string]> = [
  ['seconds', 0, 59, 'second'],
  ['minutes', 0, 59, 'minute'],
  ['hours', 0, 23, 'hour'],
  ['daysOfMonth', 1, 31, 'day of month'],
  ['months', 1, 12, 'month'],
  ['daysOfWeek', 0, 7, 'day of week'],
];

function parseField(text: string, min: number, max: number, what: string, expr: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`the cron expression '${expr}' has an invalid ${what} field '${text}': use *, n, a-b, */n or lists of them`);
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < min || hi > max || lo > hi || step < 1) {
      throw new Error(`the cron expression '${expr}' has a ${what} out of range in '${text}' (allowed ${min}-${max})`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): CronSchedule {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(`the cron expression '${expr}' must have 5 fields (minute hour day month weekday) or 6 (with seconds first)`);
  }
  const all = fields.length === 5 ? ['0', ...fields] : fields;
  const sets = FIELDS.map(([, min, max, what], i) => parseField(all[i], min, max, what, expr));
  const dow = sets[5];
  if (dow.has(7)) dow.add(0);
  return {
    seconds: sets[0], minutes: sets[1], hours: sets[2], daysOfMonth: sets[3], months: sets[4], daysOfWeek: dow,
    domRestricted: all[3] !== '*', dowRestricted: all[5] !== '*',
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The first time strictly after `afterMs` (ms since the epoch) the schedule fires, or undefined within 5 years. */
export function nextFire(s: CronSchedule, afterMs: number): number | undefined {
  const first = Math.floor(afterMs / 1000) * 1000 + 1000;
  let minute = Math.floor(first / 60_000) * 60_000;
  const limit = minute + 5 * 366 * 24 * 60 * 60_000;
  for (; minute < limit; minute += 60_000) {
    const d = new Date(minute);
    if (!s.months.has(d.getUTCMonth() + 1) || !dayMatches(s, d)) {
      // jump to the next day
      minute = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - 60_000;
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      minute = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1) - 60_000;
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) continue;
    const fromSecond = minute < first ? (first - minute) / 1000 : 0;
    for (let sec = fromSecond; sec < 60; sec++) if (s.seconds.has(sec)) return minute + sec * 1000;
  }
  return undefined;
}
