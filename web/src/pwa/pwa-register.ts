/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * Registers the service worker and tells the UI when a new version is waiting. Nothing updates
 * by itself: `applyUpdate()` (the "Reload" button) lets the waiting worker take over, and every
 * open tab reloads into the new version together.
 */
import { registerSW } from 'virtual:pwa-register';
import { Store } from '../state/store';

export interface UpdateState {
  /** A new version is installed and waiting for the person's go-ahead. */
  needRefresh: boolean;
  /** The app shell is cached: Peerchat now opens without the server (first install done). */
  offlineReady: boolean;
  /** Service workers are unavailable here (e.g. plain HTTP on a LAN address). */
  unsupported: boolean;
}

export const updateState = new Store<UpdateState>({ needRefresh: false, offlineReady: false, unsupported: false });

let update: ((reload?: boolean) => Promise<void>) | null = null;
let started = false;

/** Starts registration once; safe to call again. */
export function startServiceWorker(): void {
  if (started) return;
  started = true;
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    updateState.update((s) => ({ ...s, unsupported: true }));
    return;
  }
  update = registerSW({
    immediate: true,
    onNeedRefresh: () => updateState.update((s) => ({ ...s, needRefresh: true })),
    onOfflineReady: () => updateState.update((s) => ({ ...s, offlineReady: true })),
    onRegisterError: () => updateState.update((s) => ({ ...s, unsupported: true })),
  });
}

/** Activates the waiting version; the page reloads when it takes control. */
export async function applyUpdate(): Promise<void> {
  await update?.(true);
}

/** Hides the prompt without updating; the new version starts with the next visit. */
export function dismissUpdate(): void {
  updateState.update((s) => ({ ...s, needRefresh: false }));
}
