/**
 * What a conversation export is made of: the messages as the web side reads them from its
 * history, and the words the renderers put around them (passed in, so the web side can give
 * them in the person's language; English by default).
 */
import { REACTION_EMOJI, type ReplyRef } from '../messaging/everyday-messages';
import type { StoredReaction } from '../messaging/message-record';

export interface ExportMessage {
  id: string;
  /** Display name of the author. */
  from: string;
  outgoing: boolean;
  /** '' when recalled. */
  text: string;
  /** Author's clock, ms since the epoch. */
  ts: number;
  editedAt?: number;
  recalledAt?: number;
  reply?: ReplyRef;
  /** By reactor (username key). */
  reactions?: Readonly<Record<string, StoredReaction>>;
  /** A file or image message: its facts (the bytes are not exported). */
  file?: { name: string; size: number; mime?: string };
  /** A quiet system line (e.g. a contact's device added): `text` is what it is about. */
  kind?: string;
}

export interface ExportConversation {
  /** The conversation key (the contact's username key). */
  conv: string;
  /** The contact's display name. */
  peerName: string;
  /** This person's display name. */
  selfName: string;
  /** When the export was made, ms since the epoch. */
  exportedAt: number;
  /** Oldest first. Any iterable, so a long history can stream from the database. */
  messages: Iterable<ExportMessage>;
}

/** Words around the messages. Whole phrases with `{name}` slots, never fragments. */
export interface ExportLabels {
  /** Document title: `{name}` = the contact. */
  title: string;
  /** `{time}` = when exported. */
  exportedAt: string;
  edited: string;
  deleted: string;
  /** `{name}` = the quoted author. */
  replyTo: string;
  /** `{name}` = file name, `{size}` = its size. */
  file: string;
  /** A system line; `{text}` = what it is about. */
  systemLine: string;
}

export const ENGLISH_EXPORT_LABELS: ExportLabels = {
  title: 'Conversation with {name}',
  exportedAt: 'Exported from Peerchat on {time}',
  edited: 'edited',
  deleted: 'This message was deleted.',
  replyTo: 'Replying to {name}',
  file: 'File: {name} ({size})',
  systemLine: '{text}',
};

export interface ExportOptions {
  labels?: ExportLabels;
  /** Formats a time for people (default: ISO-like UTC, "2026-01-31 14:05 UTC"). */
  formatTime?: (ms: number) => string;
  /** Formats a byte count (default: "1.5 MB" style, base 1000). */
  formatSize?: (bytes: number) => string;
}

/** ISO 8601 UTC of a time, or '' for one a Date cannot hold (a stored time is never trusted to be sane). */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function defaultFormatTime(ms: number): string {
  const iso = isoTime(ms);
  return iso === '' ? '?' : iso.slice(0, 16).replace('T', ' ') + ' UTC';
}

export function defaultFormatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + units[i];
}

/** Fills `{name}` slots (values are inserted as given; the renderer escapes the result). */
export function fillLabel(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => params[key] ?? whole);
}

/** Reaction counts, in the order of the reaction picker. */
export function reactionPairs(m: ExportMessage): { emoji: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of Object.values(m.reactions ?? {})) counts.set(r.emoji, (counts.get(r.emoji) ?? 0) + 1);
  const order = (e: string): number => (REACTION_EMOJI as readonly string[]).indexOf(e);
  return [...counts.entries()].sort((a, b) => order(a[0]) - order(b[0])).map(([emoji, count]) => ({ emoji, count }));
}
