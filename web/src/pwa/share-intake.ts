/**
 * Page side of the Web Share Target: picks up what the service worker stored (see share-store.ts)
 * when the app opens, and hands the text to the composer of the contact the person chooses.
 * Files stay stored until the file-transfer feature sends them (`loadSharedFiles()`) or the
 * person discards them.
 */
import type { AppErrorCode } from '../../../shared/errors';
import { Store } from '../state/store';
import { SHARE_LOST_PARAM, SHARE_TOO_LARGE_PARAM, clearShare, loadShare, takeSharedText, type SharedContent } from './share-store';

export interface ShareState {
  /** What is waiting to be sent, or null. */
  content: SharedContent | null;
  /** Why a share did not arrive (its sentence is in web/src/l10n/error-text.ts). */
  problem: AppErrorCode | null;
}

/** The `?share=` values that say a share was lost on its way (set by the server or sw.ts). */
const PROBLEMS: Readonly<Record<string, AppErrorCode>> = {
  [SHARE_LOST_PARAM]: 'SHARE_UNAVAILABLE',
  failed: 'SHARE_NOT_STORED',
  [SHARE_TOO_LARGE_PARAM]: 'SHARE_TOO_LARGE',
};

export class ShareIntake {
  readonly state = new Store<ShareState>({ content: null, problem: null });
  private started = false;

  /** Reads `?share=…` (then removes it from the address) and any share still waiting. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const url = new URL(location.href);
    const param = url.searchParams.get('share');
    if (param !== null) {
      url.searchParams.delete('share');
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    }
    let content: SharedContent | null = null;
    try {
      content = await loadShare();
    } catch (err) {
      // Shown below as "not found" when the app was sent here for a share; else nothing waits.
      console.warn('Peerchat: the shared content could not be read', err);
      content = null;
    }
    let problem: AppErrorCode | null = null;
    if (param !== null && param !== '1') problem = PROBLEMS[param] ?? 'SHARE_NOT_STORED';
    else if (param === '1' && !content) problem = 'SHARE_MISSING';
    this.state.set({ content, problem });
  }

  /** The text waiting for a composer, if any. */
  pendingText(): string {
    return this.state.get().content?.text ?? '';
  }

  /** The text is now in a composer: forget it, keep any files. */
  async textDelivered(): Promise<void> {
    const content = this.state.get().content;
    if (!content) return;
    this.state.set({ content: content.files.length ? { ...content, text: '' } : null, problem: null });
    await takeSharedText().catch((err: unknown) => console.warn('Peerchat: the shared text could not be cleared; it may be offered again', err));
  }

  /** Drops the whole share (text and files). */
  async discard(): Promise<void> {
    this.state.set({ content: null, problem: null });
    await clearShare().catch((err: unknown) => console.warn('Peerchat: the shared content could not be cleared; it may be offered again', err));
  }

  /** The share could not be used after all: forget it, and say why. */
  async fail(problem: AppErrorCode): Promise<void> {
    this.state.set({ content: null, problem });
    await clearShare().catch((err: unknown) => console.warn('Peerchat: the shared content could not be cleared', err));
  }

  dismissProblem(): void {
    this.state.update((s) => ({ ...s, problem: null }));
  }
}

export const shareIntake = new ShareIntake();
