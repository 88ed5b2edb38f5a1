// What the drag-and-drop and paste tests (test/e2e/files-input.test.ts) drive and read in the
// page: points to drag to (the messages area, the message box, the contact list, found by role
// and accessible name), a record of the drag and paste events as they leave the app, and the drop
// zone as a person sees it (the hint "Drop to send to <name>" and the outline around the messages).
// The drags are real browser drags through DevTools' Input.dispatchDragEvent (Chromium only).

import type { CDPSession } from 'playwright-core';
import type { BrowserUser } from './browsers';
import { inPage, waitInPage } from './page-queries';

export type Spot = 'list' | 'box' | 'contacts';

/** The drop hint's text, "Drop to send to <name>" (aria-hidden: it only repeats what the outline says). */
export const HINT = { re: '^Drop to send to \\S+$' };

/**
 * A point inside part of the window, in viewport CSS px (`dy` moves it a little, for a second
 * update): 'list' is the messages area (between the conversation's heading and the message box,
 * its upper third, where the drop hint sits), 'box' the message box, 'contacts' the contact list.
 */
export function pointOf(user: BrowserUser, spot: Spot, dy = 0): Promise<{ x: number; y: number }> {
  return inPage(
    user,
    (q, a) => {
      const rect = (steps: Parameters<typeof q.queryOne>[0]) => {
        const el = q.queryOne(steps);
        if (!el) throw new Error(`nothing at ${a.spot}: ${JSON.stringify(steps)}`);
        return el.getBoundingClientRect();
      };
      if (a.spot === 'list') {
        const top = rect([{ role: 'status', text: { re: '^Connected directly' } }]).bottom; // the header's last line
        const box = rect([{ label: 'Message' }]);
        return { x: Math.round(box.left + box.width / 2), y: Math.round(top + (box.top - top) / 3) + a.dy };
      }
      const r = a.spot === 'box' ? rect([{ label: 'Message' }]) : rect([{ role: 'list', name: 'Contacts' }]);
      return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) + a.dy };
    },
    { spot, dy },
  );
}

export interface Seen {
  type: string;
  trusted: boolean;
  /** defaultPrevented once the app's handlers ran (recorded on window, bubbling). */
  prevented: boolean;
  /** The innermost target (composedPath()[0]). */
  target: string;
  names: string[];
  types: string[];
}

/**
 * Records, in the page, the drag and paste events as they leave the app (a bubbling listener on
 * window runs after the conversation's own), and every time the drop hint appears or goes (a
 * ResizeObserver on it: at most once a frame, so what could be seen, not what flickered unseen).
 * Starts a fresh record on each call.
 */
export function record(user: BrowserUser): Promise<void> {
  return inPage(
    user,
    (q, hint) => {
      type W = { __seen: unknown[]; __zone: boolean[]; __zoneObs?: ResizeObserver; __seenInstalled?: boolean };
      const w = window as unknown as W;
      w.__seen = [];
      w.__zone = [];
      if (!w.__seenInstalled) {
        w.__seenInstalled = true;
        for (const type of ['dragenter', 'dragover', 'dragleave', 'drop', 'paste']) {
          window.addEventListener(type, (e) => {
            const dt = (e as DragEvent).dataTransfer ?? (e as ClipboardEvent).clipboardData ?? null;
            w.__seen.push({
              type,
              trusted: e.isTrusted,
              prevented: e.defaultPrevented,
              target: (e.composedPath()[0] as Element | undefined)?.localName ?? '',
              names: Array.from(dt?.files ?? [], (f) => f.name),
              types: Array.from(dt?.types ?? []),
            });
          });
        }
      }
      w.__zoneObs?.disconnect();
      // The hint is display:none until a drag: found by its text, hidden ones included.
      const el = q
        .queryAll([{ hidden: true }])
        .find((e) => e.children.length === 0 && new RegExp(hint.re).test(q.composedText(e).trim()));
      if (!el) throw new Error('no drop hint in the open conversation');
      let shown = el.getBoundingClientRect().width > 0;
      w.__zoneObs = new ResizeObserver(([entry]) => {
        const now = (entry?.contentRect.width ?? 0) > 0;
        if (now !== shown) w.__zone.push((shown = now));
      });
      w.__zoneObs.observe(el);
    },
    HINT,
  );
}

export function recorded(user: BrowserUser): Promise<{ events: Seen[]; zone: boolean[] }> {
  return user.evaluate(() => {
    const w = window as unknown as { __seen: Seen[]; __zone: boolean[] };
    return { events: w.__seen, zone: w.__zone };
  });
}

/** Waits until the record holds an event matching `type` (and `target`, if given); returns it. */
export async function waitSeen(user: BrowserUser, type: string, target?: string): Promise<Seen> {
  const found = await user.waitFor(
    (a: { type: string; target: string | null }) =>
      (window as unknown as { __seen: Seen[] }).__seen.find((e) => e.type === a.type && (a.target === null || e.target === a.target)) ?? null,
    { type, target: target ?? null },
    5_000,
  );
  if (!found) throw new Error(`${user.name}: no ${type} event seen`); // waitFor returns only truthy values
  return found;
}

export interface Zone {
  /** The drop hint is on screen. */
  on: boolean;
  /** Outline style around the messages (the nearest one set on them or a box around them). */
  outline: string;
  /** Text of the drop hint when it is on screen, else null. */
  hint: string | null;
}

export function dropZone(user: BrowserUser): Promise<Zone> {
  return inPage(
    user,
    (q, hint) => {
      const shown = q.queryAll([{ text: hint, hidden: true, visible: true }]).at(-1);
      const messages = q.queryAll([{ role: 'list', name: { re: '^Messages with ' } }])[0] ?? q.queryAll([{ text: { re: '^No messages yet' } }]).at(-1);
      if (!messages) throw new Error('no conversation open');
      let outline = 'none';
      for (let el: Element | null = messages; el && outline === 'none'; el = el.parentElement ?? ((el.getRootNode() as ShadowRoot).host ?? null)) {
        outline = getComputedStyle(el).outlineStyle;
      }
      return { on: !!shown, outline, hint: shown ? q.renderedText(shown) : null };
    },
    HINT,
  );
}

/** Waits until the drop zone is shown (`on`) or gone; returns what it looks like then. */
export async function waitZone(user: BrowserUser, on: boolean, what: string): Promise<Zone> {
  try {
    await waitInPage(user, (q, a) => (q.queryAll([{ text: a.hint, hidden: true, visible: true }]).length > 0) === a.on, { on, hint: HINT }, 5_000, 'the drop zone');
  } catch {
    throw new Error(`${what}: drop zone should be ${on ? 'shown' : 'gone'}: ${JSON.stringify(await dropZone(user))}`);
  }
  return dropZone(user);
}

/** One drag update from outside the page (the user's pointer), carrying files and/or text. */
export async function drag(cdp: CDPSession, type: 'dragEnter' | 'dragOver' | 'drop', at: { x: number; y: number }, data: { files?: string[]; text?: string }): Promise<void> {
  await cdp.send('Input.dispatchDragEvent', {
    type,
    x: at.x,
    y: at.y,
    data: {
      items: data.text === undefined ? [] : [{ mimeType: 'text/plain', data: data.text }],
      ...(data.files ? { files: data.files } : {}),
      dragOperationsMask: 1 | 2 | 16, // copy | link | move, like a file manager
    },
  });
}
