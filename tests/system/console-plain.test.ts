/**
 * `qnxemu console` on a guest into a pipe: the guest's control sequences are removed even when the serial port
 * hands them over a byte at a time (busybox's ESC[6n cursor query after every prompt used to leave "[6n").
 */
import { plainText } from '../../emulator/app/cli/console-cmd';

describe('plainText', () => {
  test('a whole sequence and carriage returns go', () => {
    expect(plainText()('guest# \x1b[6nls\r\n')).toBe('guest# ls\n');
  });

  test('a sequence split over several pieces goes too; text around it stays in order', () => {
    const f = plainText();
    const out = ['guest# ', '\x1b', '[', '6', 'n', 'e', 'cho hi\r\n', '\x1b[0', ';1m', 'hi\n'].map(f).join('');
    expect(out).toBe('guest# echo hi\nhi\n');
  });

  test('an escape that starts no CSI is not held back forever', () => {
    const f = plainText();
    expect(f('a\x1b')).toBe('a');
    expect(f('cb')).toBe('\x1bcb');
  });
});
