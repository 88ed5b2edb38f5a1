/**
 * When a new message becomes a system notification, and what it says: pure, unit-tested.
 */

export interface NotifyInput {
  outgoing: boolean;
  /** A quiet line (a contact's device added), not a message. */
  kind?: string;
  /** The page is hidden (another tab, minimised, the installed app in the background). */
  pageHidden: boolean;
  /** The person turned notifications on in Settings. */
  enabled: boolean;
  /** The browser's permission. */
  permission: NotificationPermission | 'unsupported';
  /** This message was notified already (a later change of the same message). */
  alreadyNotified: boolean;
  /**
   * The record is a change of a message, not a new one: edited, deleted for everyone, reacted to
   * or read. A change of a message from before this page was opened is not news.
   */
  changed?: boolean;
}

export function shouldNotify(i: NotifyInput): boolean {
  return !i.outgoing && !i.kind && !i.changed && i.pageHidden && i.enabled && i.permission === 'granted' && !i.alreadyNotified;
}

/** The body: the text on one line and cut short, or nothing when previews are hidden. */
export function notificationBody(text: string, isFile: boolean, hidePreviews: boolean, words: { newMessage: string; newFile: string }): string {
  if (hidePreviews) return isFile ? words.newFile : words.newMessage;
  if (isFile) return words.newFile;
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}

/** The title with the unread total in front, e.g. "(3) Peerchat". */
export function titleWithUnread(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${base}` : base;
}
