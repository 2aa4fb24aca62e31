/**
 * Five-field cron schedules (`minute hour day-of-month month day-of-week`, as Porch's
 * `spec.sync.schedule`): `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`.
 * Times are UTC. Day-of-month and day-of-week combine as in cron: when both are restricted, a
 * day matches if either does.
 */
import { BadRequestError } from '../apimachinery/index.js';

export interface CronSchedule {
  /** The first matching minute strictly after `after`. */
  next(after: Date): Date;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(text: string, field: (typeof FIELDS)[number], schedule: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m)
      throw new BadRequestError(
        `invalid cron schedule ${JSON.stringify(schedule)}: bad ${field.name} ${JSON.stringify(part)}`,
      );
    const from = m[1] === '*' ? field.min : Number(m[2]);
    const to =
      m[1] === '*' ? field.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? field.max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < field.min || to > field.max || from > to || step < 1) {
      throw new BadRequestError(
        `invalid cron schedule ${JSON.stringify(schedule)}: ${field.name} must be within ${field.min}-${field.max}`,
      );
    }
    for (let v = from; v <= to; v += step) values.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return values;
}

export function parseCron(schedule: string): CronSchedule {
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new BadRequestError(
      `invalid cron schedule ${JSON.stringify(schedule)}: expected 5 fields (minute hour day month weekday)`,
    );
  }
  const [minutes, hours, days, months, weekdays] = FIELDS.map((f, i) =>
    parseField(parts[i] ?? '', f, schedule),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const daysRestricted = parts[2] !== '*';
  const weekdaysRestricted = parts[4] !== '*';
  const dayMatches = (d: Date): boolean => {
    const dom = days.has(d.getUTCDate());
    const dow = weekdays.has(d.getUTCDay());
    if (daysRestricted && weekdaysRestricted) return dom || dow;
    return dom && dow;
  };
  return {
    next(after) {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      // Bounded: every schedule matches within a few years (Feb 29 at worst).
      for (let i = 0; i < 5 * 366 * 24 * 60; i++) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0);
        } else if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0);
        } else if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1);
        } else {
          return t;
        }
      }
      throw new BadRequestError(`cron schedule ${JSON.stringify(schedule)} never matches`);
    },
  };
}
