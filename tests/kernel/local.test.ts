import { LocalKey, LocalStore } from '../../stack/kernel/local';

describe('typed thread-local keys', () => {
  test('a key returns what was stored under it, typed; an unset key gives undefined', () => {
    const store = new LocalStore();
    const fds = new LocalKey<Map<number, string>>('fds');
    const errno = new LocalKey<number>('errno');
    expect(store.get(errno)).toBeUndefined();
    store.set(errno, 5);
    store.set(fds, new Map([[3, 'socket']]));
    const e: number | undefined = store.get(errno);
    expect(e).toBe(5);
    expect(store.get(fds)?.get(3)).toBe('socket');
    expect(store.has(fds)).toBe(true);
    expect(store.delete(fds)).toBe(true);
    expect(store.has(fds)).toBe(false);
  });

  test('keys compare by identity: two libraries using the same name do not collide', () => {
    const store = new LocalStore();
    const a = new LocalKey<string>('errno');
    const b = new LocalKey<number>('errno');
    store.set(a, 'text');
    store.set(b, 22);
    expect(store.get(a)).toBe('text');
    expect(store.get(b)).toBe(22);
  });
});
