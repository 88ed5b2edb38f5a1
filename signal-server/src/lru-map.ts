/**
 * A Map bounded to `maxSize` entries that forgets the least recently used one when full.
 * Every limiter keyed by something a client chooses (an address, an account name, a pair of
 * accounts) keeps its state here, so a flood of new keys pushes out idle keys instead of growing
 * memory or wiping the state of keys that are being limited right now.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  /** The key used last: already the newest, so using it again needs no re-insert (a burst of one pair's relays). */
  private newest: K | undefined;

  constructor(readonly maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`maxSize must be a whole number of at least 1, but it is ${maxSize}.`);
  }

  /** The value, marking the key as just used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined || key === this.newest) return v;
    this.map.delete(key);
    this.map.set(key, v);
    this.newest = key;
    return v;
  }

  /** Looks without marking the key as used. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets the value as the most recently used; evicts the least recently used key when full. */
  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.maxSize) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
    this.newest = key;
  }

  delete(key: K): boolean {
    if (key === this.newest) this.newest = undefined;
    return this.map.delete(key);
  }

  /** Drops every entry for which `stale` is true. */
  sweep(stale: (value: V, key: K) => boolean): void {
    for (const [k, v] of this.map) if (stale(v, k)) this.delete(k);
  }

  get size(): number {
    return this.map.size;
  }
}
