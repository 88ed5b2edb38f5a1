/**
 * Per-contact caps on what a contact can make this device store or decode, as pure logic (the
 * clock is passed in):
 *   - at most PEER_CAPS.pendingOffers incoming offers waiting for the person per contact; a
 *     further offer is declined at once ('busy') and nothing of it is stored. Offers the contact
 *     withdrew (cancelled while they were waiting) within the last PEER_CAPS.windowMs count too
 *     (a sliding window, {@link WithdrawnOffers}): each left a card in the history, and without
 *     them a contact could cancel its 20 waiting offers and send 20 new ones, again and again;
 *   - at most PEER_CAPS.autoImageBytesPerWindow bytes of images accepted without asking per
 *     contact in any PEER_CAPS.windowMs (a sliding window); a later image waits for the person
 *     like any other file, with the reason on its card (HELD_IMAGE_REASON).
 * The lifecycle (lifecycle.ts) decides with a {@link PeerLoad}; the browser driver counts the
 * pending offers and keeps an {@link ImageBudget}.
 */

export const PEER_CAPS = {
  /** Incoming offers not yet accepted or declined, per contact. */
  pendingOffers: 20,
  /** Bytes of auto-accepted images per contact within `windowMs`. */
  autoImageBytesPerWindow: 50 * 1024 * 1024,
  /** One hour. */
  windowMs: 60 * 60 * 1000,
} as const;

/**
 * The stored `reason` of an incoming offer that is an image small enough to be accepted without
 * asking, but that waits for the person because the contact used up its image budget. Cleared
 * when the person accepts; replaced by the outcome's reason when it ends otherwise.
 */
export const HELD_IMAGE_REASON = 'image-budget';

/** What a contact has already made this device keep: the input of the caps. */
export interface PeerLoad {
  /** Incoming offers from this contact still waiting for the person (state 'offered'). */
  pendingOffers: number;
  /** Bytes of this contact's images auto-accepted within the last window. */
  autoImageBytes: number;
  /** Offers of this contact that it cancelled while they were waiting, within the last window (absent: none). */
  withdrawnOffers?: number;
}

/** Whether one more offer from the contact may be kept at all. */
export function offerFits(load: PeerLoad): boolean {
  return load.pendingOffers + (load.withdrawnOffers ?? 0) < PEER_CAPS.pendingOffers;
}

/** Whether an image of `size` bytes may still be accepted without asking. */
export function imageFits(load: PeerLoad, size: number): boolean {
  return load.autoImageBytes + size <= PEER_CAPS.autoImageBytesPerWindow;
}

/**
 * Bytes of auto-accepted images per contact over a sliding window. Kept in memory per page: a
 * reload starts a fresh window. That is acceptable because each image is still at most
 * AUTO_ACCEPT_IMAGE_BYTES and a reload is the person's own act (a contact cannot cause one), and
 * the sender's clock in an offer cannot be trusted to rebuild it from stored records.
 */
export class ImageBudget {
  private readonly spent = new Map<string, { at: number; bytes: number }[]>();

  constructor(private readonly windowMs: number = PEER_CAPS.windowMs) {}

  /** Bytes auto-accepted from `conv` within the window ending at `now` (older entries are dropped). */
  used(conv: string, now: number): number {
    const list = this.spent.get(conv);
    if (!list) return 0;
    const live = list.filter((e) => now - e.at < this.windowMs);
    if (live.length === 0) this.spent.delete(conv);
    else this.spent.set(conv, live);
    return live.reduce((sum, e) => sum + e.bytes, 0);
  }

  /** Counts an image of `bytes` auto-accepted from `conv` at `now`. */
  spend(conv: string, bytes: number, now: number): void {
    const list = this.spent.get(conv) ?? [];
    list.push({ at: now, bytes });
    this.spent.set(conv, list);
  }
}

/**
 * Offers a contact withdrew (cancelled while they waited for the person) per contact over a
 * sliding window. In memory per page, like {@link ImageBudget} and for the same reasons.
 */
export class WithdrawnOffers {
  private readonly counts: ImageBudget;

  constructor(windowMs: number = PEER_CAPS.windowMs) {
    this.counts = new ImageBudget(windowMs);
  }

  /** Offers withdrawn by `conv` within the window ending at `now`. */
  count(conv: string, now: number): number {
    return this.counts.used(conv, now);
  }

  /** `conv` withdrew a waiting offer at `now`. */
  note(conv: string, now: number): void {
    this.counts.spend(conv, 1, now);
  }
}
