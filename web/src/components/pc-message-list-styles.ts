import { css } from 'lit';
import { messageActionStyles } from '../everyday/action-styles';

/** The message list's look: day headings, quiet lines and the bubbles (their actions: ../everyday/action-styles.ts). */
export const messageListStyles = [
  css`
      :host {
        display: block;
        overflow-y: auto;
        overflow-x: hidden;
        overscroll-behavior: contain;
        background: var(--pc-bg);
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 12px 12px 16px;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      li.day {
        align-self: center;
        font-size: 0.8rem;
        color: var(--pc-muted);
        margin: 10px 0 4px;
      }
      li.note {
        align-self: center;
        font-size: 0.8rem;
        color: var(--pc-muted);
        text-align: center;
      }
      li.msg {
        max-width: min(78%, 560px);
        padding: 8px 12px;
        border-radius: var(--pc-radius);
        background: var(--pc-bubble-in);
        color: var(--pc-bubble-in-text);
        align-self: flex-start;
        display: flex;
        flex-direction: column;
        align-items: stretch;
        overflow-wrap: anywhere;
        line-height: 1.4;
        /* Messages out of view skip style, layout, paint and hit tests: a long conversation
           costs the browser what is on screen, so the frame that draws a new message stays short. */
        content-visibility: auto;
        contain-intrinsic-size: auto 3.5rem;
      }
      .text {
        white-space: pre-wrap;
      }
      .text.deleted {
        font-style: italic;
        opacity: 0.9;
      }
      li.msg.highlight {
        outline: 3px solid var(--pc-accent);
        outline-offset: 2px;
      }
      li.msg.out {
        align-self: flex-end;
        background: var(--pc-bubble-out);
        color: var(--pc-bubble-out-text);
      }
      .from {
        font-weight: 600;
        font-size: 0.8rem;
        display: block;
        margin-bottom: 2px;
      }
      .meta {
        display: block;
        text-align: right;
        font-size: 0.75rem;
        opacity: 0.85;
        margin-top: 2px;
      }
      /* On the blue bubble a faded time falls under AA contrast in dark mode (4.3:1); full strength there. */
      li.msg.out .meta {
        opacity: 1;
      }
      .late {
        font-size: 0.7rem;
        font-weight: 700;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        margin-left: 6px;
        padding: 0 6px;
        border-radius: 8px;
        background: var(--pc-accent);
        color: var(--pc-accent-text);
      }
      .empty,
      .loading {
        padding: 32px 16px;
        text-align: center;
        color: var(--pc-muted);
      }
    `,
  messageActionStyles,
];
