/**
 * Page side of the Web Share Target: picks up what the service worker stored (see share-store.ts)
 * when the app opens, and hands the text to the composer of the contact the person chooses.
 * Files stay stored until the file-transfer feature sends them (`loadSharedFiles()`) or the
 * person discards them.
 */
import { Store } from '../state/store';
import { SHARE_LOST_PARAM, clearShare, loadShare, takeSharedText, type SharedContent } from './share-store';

export interface ShareState {
  /** What is waiting to be sent, or null. */
  content: SharedContent | null;
  /** A share that did not arrive, in words a person can act on. */
  problem: string | null;
}

const PROBLEMS: Record<string, string> = {
  [SHARE_LOST_PARAM]:
    'Something was shared to Peerchat, but Peerchat was not set up on this device yet. Open Peerchat once (over HTTPS), then share again.',
  failed: 'Something was shared to Peerchat, but it could not be kept on this device (is its storage full?). Please share it again.',
  missing: 'The shared content was not found (was it already used in another window?). Please share it again.',
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
    } catch {
      content = null;
    }
    let problem: string | null = null;
    if (param !== null && param !== '1') problem = PROBLEMS[param] ?? PROBLEMS.failed ?? null;
    else if (param === '1' && !content) problem = PROBLEMS.missing ?? null;
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
    await takeSharedText().catch(() => undefined);
  }

  /** Drops the whole share (text and files). */
  async discard(): Promise<void> {
    this.state.set({ content: null, problem: null });
    await clearShare().catch(() => undefined);
  }

  dismissProblem(): void {
    this.state.update((s) => ({ ...s, problem: null }));
  }
}

export const shareIntake = new ShareIntake();
