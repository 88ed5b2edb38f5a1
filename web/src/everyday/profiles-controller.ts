/**
 * Gives a component the profiles state (display names and avatars) and re-renders it when that
 * changes. The state belongs to the chat service (its `profiles`), reached through the service
 * context, so no provider of its own is needed.
 */
import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import type { StoredProfile } from '../../../shared/messaging/profile';
import type { ProfilesState } from './profile-service';

export class ProfilesController implements ReactiveController {
  private unsub: (() => void) | undefined;
  private service: ChatService | undefined;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
    new ContextConsumer(host, { context: serviceContext, subscribe: true, callback: (s) => this.attach(s) });
  }

  get value(): ProfilesState | undefined {
    return this.service?.profiles.state.get();
  }

  /** The profile of `conv` (usernameKey), if one was received (or set, for my own). */
  of(conv: string): StoredProfile | undefined {
    return this.value?.profiles.get(conv);
  }

  /** The display name of `conv`, or '' when it has none. */
  name(conv: string): string {
    return this.of(conv)?.name ?? '';
  }

  avatar(conv: string): string | null {
    return this.value?.avatars.get(conv) ?? null;
  }

  hostConnected(): void {
    if (this.service && !this.unsub) this.subscribe();
  }

  hostDisconnected(): void {
    this.unsub?.();
    this.unsub = undefined;
  }

  private attach(service: ChatService): void {
    if (service === this.service) return;
    this.unsub?.();
    this.service = service;
    this.subscribe();
    this.host.requestUpdate();
  }

  private subscribe(): void {
    this.unsub = this.service?.profiles.state.subscribe(() => this.host.requestUpdate());
  }
}
