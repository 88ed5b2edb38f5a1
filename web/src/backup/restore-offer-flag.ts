/**
 * Whether to offer restoring a backup right after logging in, kept for this tab
 * (sessionStorage) across the login and the device approval that may follow it: 'offer' after a
 * login (not a registration: a new account has nothing to restore), 'open' when the person
 * asked for it on the login screen (the restore dialog opens by itself).
 */
const KEY = 'peerchat.restore-offer';

export type RestoreOffer = 'offer' | 'open';

export function restoreOffer(): RestoreOffer | null {
  try {
    const v = sessionStorage.getItem(KEY);
    return v === 'offer' || v === 'open' ? v : null;
  } catch {
    return null;
  }
}

export function setRestoreOffer(v: RestoreOffer | null): void {
  try {
    if (v) sessionStorage.setItem(KEY, v);
    else sessionStorage.removeItem(KEY);
  } catch (err) {
    console.warn('Peerchat: could not note the restore offer for this tab', err);
  }
}

/** The login form was sent: a login offers a restore (kept at 'open' if asked for), a registration does not. */
export function noteLoginKind(kind: 'login' | 'register'): void {
  if (kind === 'register') setRestoreOffer(null);
  else if (restoreOffer() !== 'open') setRestoreOffer('offer');
}
