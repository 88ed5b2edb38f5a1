/**
 * The file part of a history record copied between two devices of one account (`sync-batch`,
 * `sync-msg` in shared/peer-protocol.ts): what the receiving device needs to draw the file's card
 * (name, type, size, the whole-file hash, an image's thumbnail), never the bytes. The fields are
 * checked as in a `file-offer` (shared/transfer/control.ts). A thumbnail that fails its check is
 * dropped on its own: the card then shows the name and size.
 */
import * as v from 'valibot';
import { FileOfferSchema } from './control';
import { isValidThumb } from './names';

const offer = FileOfferSchema.entries;

export const SyncedFile = v.strictObject({
  name: offer.name,
  mime: offer.mime,
  size: offer.size,
  hash: offer.hash,
  /** An image's preview (a small data: URL); anything that fails isValidThumb reads as absent. */
  thumb: v.fallback(v.optional(v.pipe(v.string(), v.check(isValidThumb))), undefined),
});

export type SyncedFile = v.InferOutput<typeof SyncedFile>;
