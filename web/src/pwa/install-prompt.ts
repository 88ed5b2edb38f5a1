/**
 * Keeps the browser's install offer (`beforeinstallprompt`, Chromium) so an "Install" button can
 * show it later. The event can fire before any component exists, so listening starts at import.
 */
import { Store } from '../state/store';

/** Chromium's event; not in TypeScript's DOM types. */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

export interface InstallState {
  /** The browser offered installation and it has not been used yet. */
  canInstall: boolean;
  /** Running as the installed app, or installed during this visit. */
  installed: boolean;
}

function runningInstalled(): boolean {
  return window.matchMedia('(display-mode: standalone)').matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;
}

export const installState = new Store<InstallState>({ canInstall: false, installed: runningInstalled() });
let deferred: BeforeInstallPromptEvent | null = null;

window.addEventListener('beforeinstallprompt', (e) => {
  // Keep the mini-infobar away; our button offers the same thing where the person expects it.
  e.preventDefault();
  deferred = e as BeforeInstallPromptEvent;
  installState.update((s) => ({ ...s, canInstall: !s.installed }));
});

window.addEventListener('appinstalled', () => {
  deferred = null;
  installState.set({ canInstall: false, installed: true });
});

/** Shows the browser's install dialog. Resolves to true when the person accepted. */
export async function promptInstall(): Promise<boolean> {
  const e = deferred;
  if (!e) return false;
  // The event can be used once.
  deferred = null;
  installState.update((s) => ({ ...s, canInstall: false }));
  await e.prompt();
  const choice = await e.userChoice;
  if (choice.outcome === 'accepted') installState.set({ canInstall: false, installed: true });
  return choice.outcome === 'accepted';
}
