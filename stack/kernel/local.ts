/**
 * Per-process storage for libraries (ThreadCtx.local): the socket library's descriptor table and errno,
 * the spawn script of a shell, io-pkt's handle. Each user owns a typed key object, so `get` returns the
 * key's value type without a cast, and two libraries can never collide on a spelling.
 */

/** A key of LocalStore whose values are of type T. Keys compare by identity; `name` is for display. */
export class LocalKey<T> {
  /** Ties the key to its value type (compile time only; invariant in T). */
  private declare readonly valueType: (v: T) => T;
  constructor(readonly name: string) {}
}

export class LocalStore {
  private readonly values = new Map<object, unknown>();

  get<T>(key: LocalKey<T>): T | undefined {
    // Only set<T>() with the same key object stores under it, so the value has the key's type.
    return this.values.get(key) as T | undefined;
  }

  set<T>(key: LocalKey<T>, value: T): void {
    this.values.set(key, value);
  }

  has<T>(key: LocalKey<T>): boolean {
    return this.values.has(key);
  }

  delete<T>(key: LocalKey<T>): boolean {
    return this.values.delete(key);
  }
}
