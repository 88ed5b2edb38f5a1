/**
 * System notifications for new messages and files while the page is hidden, the unread total in
 * the document title and on the installed app's icon (Badging API where present), and an
 * optional short tone (generated with Web Audio, nothing fetched).
 */
import { msg } from '@lit/localize';
import type { ChatService } from '../state/chat-service';
import type { StoredMessage } from '../db/schema';
import { deviceSettings } from '../settings/settings-store';
import { notificationBody, shouldNotify, titleWithUnread } from './notification-rules';
import { playTone } from './tone';
import { usernameKey } from '../../../shared/index';

const BASE_TITLE = 'Peerchat';

function permission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export class NewMessageNotifier {
  private readonly notified = new Set<string>();
  private readonly unsubs: (() => void)[] = [];

  constructor(
    private readonly service: ChatService,
    /** Opens the conversation with this contact (a notification was clicked). */
    private readonly open: (peerName: string) => void,
  ) {}

  start(): void {
    this.unsubs.push(this.service.onMessage((m) => this.onMessage(m)));
    this.unsubs.push(
      this.service.conversations.subscribe((c) => this.showUnread(c.list.reduce((n, x) => n + (x.contact === 'request' ? 0 : x.unread), 0))),
    );
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  private onMessage(m: StoredMessage): void {
    const s = deviceSettings.get();
    const go = shouldNotify({
      outgoing: m.outgoing,
      kind: m.kind,
      pageHidden: document.visibilityState === 'hidden' || !document.hasFocus(),
      enabled: s.notifications,
      permission: permission(),
      alreadyNotified: this.notified.has(m.id),
      changed: m.editedAt !== undefined || m.recalledAt !== undefined || Object.keys(m.reactions ?? {}).length > 0,
    });
    this.notified.add(m.id);
    if (!go) return;
    // The author's display name and avatar when they sent a profile (else the username).
    const author = usernameKey(m.from);
    const who = this.service.profiles.displayName(author) || m.from;
    const icon = this.service.profiles.state.get().avatars.get(author);
    const body = notificationBody(m.text, !!m.fileId, s.hidePreviews, { newMessage: msg('New message'), newFile: msg('Sent you a file') });
    try {
      const n = new Notification(who, { body, tag: `peerchat-${m.conv}`, ...(icon ? { icon } : {}) });
      n.onclick = () => {
        window.focus();
        this.open(m.from);
        n.close();
      };
    } catch (err) {
      // Some browsers (Chrome on Android) allow notifications only from a service worker.
      console.warn('Peerchat: the notification could not be shown', err);
    }
    if (s.sound) playTone();
  }

  private showUnread(total: number): void {
    document.title = titleWithUnread(BASE_TITLE, total);
    const nav = navigator as Navigator & { setAppBadge?: (n: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
    const p = total > 0 ? nav.setAppBadge?.(total) : nav.clearAppBadge?.();
    p?.catch((err: unknown) => console.warn('Peerchat: the app badge could not be set', err));
  }
}
