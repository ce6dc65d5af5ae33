import { describe, expect, it } from 'vitest';
import {
  cronFieldError,
  describeSchedule,
  draftFromSchedule,
  scheduleDraft,
  scheduleErrors,
  scheduleFrom,
} from './schedule';

describe('cron presets', () => {
  it.each([
    [{ preset: 'minute' }, '* * * * *'],
    [{ preset: 'minutes', step: '5' }, '*/5 * * * *'],
    [{ preset: 'minutes', step: '15' }, '*/15 * * * *'],
    [{ preset: 'hour', minute: '0' }, '0 * * * *'],
    [{ preset: 'hour', minute: '07' }, '7 * * * *'],
    [{ preset: 'day', time: '03:30' }, '30 3 * * *'],
    [{ preset: 'day', time: '00:00' }, '0 0 * * *'],
    [{ preset: 'week', time: '23:05', weekday: '0' }, '5 23 * * 0'],
    [{ preset: 'month', time: '04:00', monthDay: '15' }, '0 4 15 * *'],
    [{ preset: 'reboot' }, '@reboot'],
    [
      {
        preset: 'custom',
        custom: { minute: '0', hour: '9-17', dayOfMonth: '*', month: '*', dayOfWeek: 'mon-fri' },
      },
      '0 9-17 * * mon-fri',
    ],
  ] as const)('%o writes %s', (draft, schedule) => {
    expect(scheduleFrom(scheduleDraft(draft))).toBe(schedule);
  });

  it.each([
    '* * * * *',
    '*/5 * * * *',
    '7 * * * *',
    '30 3 * * *',
    '5 23 * * 0',
    '0 4 15 * *',
    '@reboot',
    '0 9-17 * * mon-fri',
  ])('reads %s back into the draft that writes it', (schedule) => {
    expect(scheduleFrom(draftFromSchedule(schedule))).toBe(schedule);
  });

  it('opens shortcuts and odd shapes in the preset they mean, or as custom fields', () => {
    expect(draftFromSchedule('@daily')).toMatchObject({ preset: 'day', time: '00:00' });
    expect(draftFromSchedule('@hourly')).toMatchObject({ preset: 'hour', minute: '0' });
    expect(draftFromSchedule('@weekly')).toMatchObject({ preset: 'week', weekday: '0', time: '00:00' });
    expect(draftFromSchedule('0 0 * * 7')).toMatchObject({ preset: 'week', weekday: '0' });
    expect(draftFromSchedule('*/7 * * * *')).toMatchObject({ preset: 'custom', custom: { minute: '*/7' } });
    expect(draftFromSchedule('@yearly')).toMatchObject({
      preset: 'custom',
      custom: { month: '1', dayOfMonth: '1' },
    });
  });
});

describe('describeSchedule', () => {
  it.each([
    ['* * * * *', 'Every minute'],
    ['*/15 * * * *', 'Every 15 minutes'],
    ['0 * * * *', 'Every hour, on the hour'],
    ['5 * * * *', 'Every hour at :05'],
    ['0 */6 * * *', 'Every 6 hours at :00'],
    ['30 3 * * *', 'Every day at 03:30'],
    ['0 22 * * 1', 'Every Monday at 22:00'],
    ['0 22 * * 7', 'Every Sunday at 22:00'],
    ['0 8 * * 1-5', 'Every weekday (Monday to Friday) at 08:00'],
    ['0 8 * * mon,thu', 'Every Monday and Thursday at 08:00'],
    ['0 4 1 * *', 'Every month on the 1st at 04:00'],
    ['0 4 22 * *', 'Every month on the 22nd at 04:00'],
    ['0 0 25 12 *', 'Every year on 25 December at 00:00'],
    ['@daily', 'Every day at 00:00'],
    ['@hourly', 'Every hour, on the hour'],
    ['@monthly', 'Every month on the 1st at 00:00'],
    ['@reboot', 'When the server starts'],
  ])('%s is “%s”', (schedule, words) => {
    expect(describeSchedule(schedule)).toBe(words);
  });

  it.each(['0 9-17 * * *', '*/5 1 * * *', '0 0 1,15 * *', '0 0 * 2 1'])(
    'leaves %s to its fields',
    (schedule) => {
      expect(describeSchedule(schedule)).toBeNull();
    },
  );
});

describe('schedule checks', () => {
  it.each([
    ['minute', '*/10', undefined],
    ['minute', '0,30', undefined],
    ['minute', '60', /0–59/],
    ['hour', '9-17', undefined],
    ['hour', '17-9', /0–23/],
    ['dayOfMonth', '0', /1–31/],
    ['month', 'jan-jun', undefined],
    ['dayOfWeek', 'mon-fri', undefined],
    ['dayOfWeek', '8', /0–7/],
    ['minute', '', /Enter a value/],
    ['minute', '*/0', /steps/],
  ] as const)('%s field %s', (key, value, expected) => {
    const error = cronFieldError(key, value);
    if (expected === undefined) expect(error).toBeUndefined();
    else expect(error).toMatch(expected);
  });

  it('checks the preset’s own settings', () => {
    expect(scheduleErrors(scheduleDraft({ preset: 'hour', minute: '75' }))).toEqual({
      minute: 'Enter a minute from 0 to 59.',
    });
    expect(scheduleErrors(scheduleDraft({ preset: 'day', time: '' }))).toEqual({
      time: 'Enter a time such as 03:30.',
    });
    expect(scheduleErrors(scheduleDraft({ preset: 'minute' }))).toEqual({});
  });
});
