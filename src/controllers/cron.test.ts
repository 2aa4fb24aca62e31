import { describe, expect, it } from 'vitest';
import { parseCron } from './cron.js';

const at = (iso: string) => new Date(iso);

describe('parseCron', () => {
  it.each([
    ['every 10 minutes', '*/10 * * * *', '2026-11-23T10:03:30Z', '2026-11-23T10:10:00.000Z'],
    [
      'exactly on a match goes to the next one',
      '*/10 * * * *',
      '2026-11-23T10:10:00Z',
      '2026-11-23T10:20:00.000Z',
    ],
    ['hourly at :05', '5 * * * *', '2026-11-23T10:06:00Z', '2026-11-23T11:05:00.000Z'],
    ['daily at 02:30 rolls over the day', '30 2 * * *', '2026-11-23T03:00:00Z', '2026-11-24T02:30:00.000Z'],
    ['weekdays at 9 (Monday 2026-11-23)', '0 9 * * 1-5', '2026-11-27T10:00:00Z', '2026-11-30T09:00:00.000Z'],
    ['Sunday as 7', '0 0 * * 7', '2026-11-23T00:00:00Z', '2026-11-29T00:00:00.000Z'],
    ['lists and ranges', '0,30 8-9 * * *', '2026-11-23T08:45:00Z', '2026-11-23T09:00:00.000Z'],
    ['month boundary', '0 0 1 * *', '2026-11-23T00:00:00Z', '2026-12-01T00:00:00.000Z'],
    [
      'day of month or weekday when both are set',
      '0 0 1 * 1',
      '2026-11-24T00:00:00Z',
      '2026-11-30T00:00:00.000Z',
    ],
    ['leap day', '0 0 29 2 *', '2026-11-23T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('%s: %s after %s', (_name, schedule, after, next) => {
    expect(parseCron(schedule).next(at(after)).toISOString()).toBe(next);
  });

  it.each([
    ['four fields', '* * * *', /expected 5 fields/],
    ['minute out of range', '60 * * * *', /minute must be within 0-59/],
    ['garbage', 'x * * * *', /bad minute "x"/],
    ['zero step', '*/0 * * * *', /minute must be within/],
  ])('rejects %s', (_name, schedule, message) => {
    expect(() => parseCron(schedule)).toThrow(message);
  });
});
