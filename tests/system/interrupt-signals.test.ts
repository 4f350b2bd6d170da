/**
 * emulator/app/cli/signals.ts: the first SIGINT/SIGTERM asks the command to wind down; a second one (while it
 * cleans up) runs the last-resort cleanup and exits at once with 128 + its number. Driven in process with
 * process.emit and a stubbed process.exit.
 */
import { interruptStatus, onInterrupt } from '../../emulator/app/cli/signals';

describe('onInterrupt', () => {
  test('128 + the signal number: 130 for SIGINT, 143 for SIGTERM', () => {
    expect(interruptStatus('SIGINT')).toBe(130);
    expect(interruptStatus('SIGTERM')).toBe(143);
  });

  test('first signal: the wind-down only; second: cleanup and exit at once with its status', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const calls: string[] = [];
    const h = onInterrupt(
      (sig) => calls.push(`first ${sig}`),
      (sig) => calls.push(`second ${sig}`),
    );
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(calls).toEqual(['first SIGINT']);
      expect(h.signal).toBe('SIGINT');
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGTERM', 'SIGTERM');
      expect(calls).toEqual(['first SIGINT', 'second SIGTERM']);
      expect(exit).toHaveBeenCalledWith(143);
    } finally {
      h.dispose();
      exit.mockRestore();
    }
    // Disposed: no listener of ours is left.
    expect(process.listeners('SIGINT').length + process.listeners('SIGTERM').length).toBe(0);
  });
});
