/**
 * The frame of an open conversation, 1:1 or group: the host as a column that never widens past
 * the screen, the header row (Back on a phone, who it is with and their status, actions), and the
 * message list filling the rest, outlined while files are dragged over it.
 */
import { css } from 'lit';

export const conversationFrameStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    /* A long name in the header is cut, never widening the pane past the screen. */
    min-width: 0;
    background: var(--pc-bg);
  }
  header {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 12px;
    border-bottom: 1px solid var(--pc-border);
    min-height: 56px;
  }
  header .who {
    flex: 1;
    min-width: 0;
  }
  h2 {
    margin: 0;
    font-size: 1.05rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .status {
    font-size: 0.8rem;
    color: var(--pc-muted);
  }
  .back {
    padding: 0 12px;
  }
  :host(:not([narrow])) .back {
    display: none;
  }
  pc-message-list {
    flex: 1;
    min-height: 0;
  }
  :host([dragging]) pc-message-list {
    outline: 3px dashed var(--pc-accent);
    outline-offset: -8px;
  }
`;
