/**
 * A tiny observable value. Each slice of app state (session, presence, conversations, peers)
 * is one Store, handed to components through a Lit context.
 */
export class Store<T> {
  private readonly subs = new Set<(v: T) => void>();
  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  set(v: T): void {
    if (Object.is(v, this.value)) return;
    this.value = v;
    for (const fn of [...this.subs]) fn(v);
  }

  update(fn: (v: T) => T): void {
    this.set(fn(this.value));
  }

  subscribe(fn: (v: T) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
}
