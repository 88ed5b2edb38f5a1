/**
 * The person's choices for this device (theme, receipts, typing, notifications): a plain value,
 * read from and written to one localStorage entry. Pure, so the parsing is unit-tested in Node.
 */

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export interface DeviceSettings {
  /** Colours: follow the system, or always light or dark. */
  theme: ThemeChoice;
  /** Send and show "Read" (off: neither sent nor shown). */
  readReceipts: boolean;
  /** Send and show "typing…" (off: neither sent nor shown). */
  typingIndicators: boolean;
  /** System notifications for new messages while the page is hidden (needs the permission too). */
  notifications: boolean;
  /** Notifications say only who wrote, not what. */
  hidePreviews: boolean;
  /** A short tone with each notification. */
  sound: boolean;
}

export const DEFAULT_SETTINGS: DeviceSettings = {
  theme: 'system',
  readReceipts: true,
  typingIndicators: true,
  notifications: false,
  hidePreviews: false,
  sound: false,
};

export const SETTINGS_STORAGE_KEY = 'peerchat.settings';

function isThemeChoice(v: unknown): v is ThemeChoice {
  return typeof v === 'string' && (THEME_CHOICES as readonly string[]).includes(v);
}

/**
 * The settings kept in `raw` (the stored JSON), each field falling back to its default when
 * missing or of the wrong type (an older or damaged entry never breaks the app).
 */
export function parseSettings(raw: string | null): DeviceSettings {
  if (!raw) return { ...DEFAULT_SETTINGS };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ...DEFAULT_SETTINGS };
  const o = data as Record<string, unknown>;
  const bool = (k: keyof DeviceSettings): boolean => (typeof o[k] === 'boolean' ? (o[k] as boolean) : (DEFAULT_SETTINGS[k] as boolean));
  return {
    theme: isThemeChoice(o.theme) ? o.theme : DEFAULT_SETTINGS.theme,
    readReceipts: bool('readReceipts'),
    typingIndicators: bool('typingIndicators'),
    notifications: bool('notifications'),
    hidePreviews: bool('hidePreviews'),
    sound: bool('sound'),
  };
}

export function serializeSettings(s: DeviceSettings): string {
  return JSON.stringify(s);
}
