import { ContextConsumer, type Context } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Store } from './store';

/**
 * Gets a state slice from its context and re-renders the host whenever it changes.
 * `value` is undefined until the provider answers (immediately, once connected).
 */
export class StoreController<T> implements ReactiveController {
  private unsub: (() => void) | undefined;
  private store: Store<T> | undefined;

  /**
   * Pass the context to consume it, or the store itself when the host is the one providing
   * it (a provider does not answer requests from its own element).
   */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    source: Context<unknown, Store<T>> | Store<T>,
  ) {
    host.addController(this);
    if (source instanceof Store) {
      this.store = source;
    } else {
      new ContextConsumer(host, {
        context: source,
        subscribe: true,
        callback: (store) => this.attach(store),
      });
    }
  }

  get value(): T | undefined {
    return this.store?.get();
  }

  hostConnected(): void {
    if (this.store && !this.unsub) this.unsub = this.store.subscribe(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.unsub?.();
    this.unsub = undefined;
  }

  private attach(store: Store<T>): void {
    if (store === this.store) return;
    this.unsub?.();
    this.store = store;
    this.unsub = store.subscribe(() => this.host.requestUpdate());
    this.host.requestUpdate();
  }
}
