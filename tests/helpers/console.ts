// Keeps the handlers' structured logs (Powertools writes through console) out of test output, and
// optionally collects them for assertions.
import { jest } from '@jest/globals';

/** Replaces console output for the rest of the file (undo with `jest.restoreAllMocks()`); lines go to `into`. */
export const captureConsole = (into: string[] = []): string[] => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      into.push(args.map(String).join(' '));
    });
  }
  return into;
};
