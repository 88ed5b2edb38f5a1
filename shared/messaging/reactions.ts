/**
 * Reactions: one per person per message (a new one replaces the old, as in Signal and
 * WhatsApp), stored by reactor on the message record. The reactor is the identity of the
 * session the frame came on (RuleContext.actor), so nobody can react as someone else.
 * Reactions travel in `react` frames (./everyday-messages.ts).
 */
import { EVERYDAY_LIMITS, REACTION_EMOJI, type ReactFrame, type ReactionEmoji } from './everyday-messages';
import { isParticipant, type EverydayRecord, type RuleContext, type StoredReaction } from './message-record';
import type { RuleResult } from './message-rules';

/**
 * Applies a reaction set (`on`) or cleared (`off`) by ctx.actor. Returns the record to write.
 * A frame older than the reactor's stored reaction is ignored ('stale'): the newest wins.
 */
export function applyReaction<R extends EverydayRecord>(record: R | undefined, frame: ReactFrame, ctx: RuleContext): RuleResult<R> {
  if (!record) return { ok: false, reason: 'unknown' };
  if (record.conv !== ctx.conv || !isParticipant(record, ctx.actor, ctx.self)) return { ok: false, reason: 'wrong-conversation' };
  if (record.kind !== undefined) return { ok: false, reason: 'not-text' };
  if (record.recalledAt !== undefined) return { ok: false, reason: 'recalled' };
  if (frame.ts > ctx.now + EVERYDAY_LIMITS.maxClockSkewMs) return { ok: false, reason: 'bad-time' };
  const current = record.reactions?.[ctx.actor];
  if (current && frame.ts < current.ts) return { ok: false, reason: 'stale' };
  const next: Record<string, StoredReaction> = { ...record.reactions };
  if (frame.on) next[ctx.actor] = { emoji: frame.emoji, ts: frame.ts };
  else if (!current || current.emoji === frame.emoji) delete next[ctx.actor];
  else return { ok: true, record }; // clearing an emoji that was already replaced: nothing to do
  const { reactions: _old, ...rest } = record;
  return { ok: true, record: (Object.keys(next).length > 0 ? { ...rest, reactions: next } : rest) as R };
}

/**
 * What pressing `emoji` on a message does for this person: the frame to send (and to apply
 * locally with actor = self). Pressing one's current reaction clears it; anything else sets it.
 */
export function toggleReaction(record: EverydayRecord, emoji: ReactionEmoji, self: string, now: number): ReactFrame {
  const mine = record.reactions?.[self];
  const ts = Math.max(now, (mine?.ts ?? 0) + 1);
  return { type: 'react', id: record.id, emoji, on: mine?.emoji !== emoji, ts };
}

/** One emoji's line under a message. */
export interface ReactionCount {
  emoji: ReactionEmoji;
  count: number;
  /** Who reacted with it (username keys), sorted. */
  reactors: string[];
  /** This person is one of them. */
  mine: boolean;
}

/** Reaction counts and reactors, in the fixed order of REACTION_EMOJI; emoji nobody chose are left out. */
export function reactionSummary(record: EverydayRecord, self: string): ReactionCount[] {
  const by = new Map<ReactionEmoji, string[]>();
  for (const [reactor, r] of Object.entries(record.reactions ?? {})) {
    const list = by.get(r.emoji) ?? [];
    list.push(reactor);
    by.set(r.emoji, list);
  }
  const out: ReactionCount[] = [];
  for (const emoji of REACTION_EMOJI) {
    const reactors = by.get(emoji);
    if (!reactors) continue;
    reactors.sort();
    out.push({ emoji, count: reactors.length, reactors, mine: reactors.includes(self) });
  }
  return out;
}
