// How many cores replay's default counts as busy (cli/replay.ts `busyCores`): the one-minute load average lags, so on
// Linux the tasks runnable at this instant (`/proc/loadavg`'s fourth field, this thread included) count when lower.
// @see https://man7.org/linux/man-pages/man5/proc_loadavg.5.html
import { loadavg } from 'node:os';
import { busyCores } from '../../../cli/replay.js';

const average = loadavg()[0] ?? 0;

test('a machine whose only runnable task is this one has no busy core, however high the average', () => {
  expect(busyCores(() => '3.50 2.00 1.00 1/123 4567\n')).toBe(0);
});

test('other runnable tasks count, but never above the average', () => {
  expect(busyCores(() => '0.00 0.00 0.00 3/123 4567\n')).toBe(Math.min(average, 2));
});

test('without /proc/loadavg, or with text it cannot read, the average decides', () => {
  expect(
    busyCores(() => {
      throw new Error('ENOENT');
    }),
  ).toBe(average);
  expect(busyCores(() => 'garbage')).toBe(average);
  expect(busyCores(() => '1 1 1 0/0 1')).toBe(average);
});
