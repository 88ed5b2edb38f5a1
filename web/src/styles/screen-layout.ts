/**
 * The page layout of the full-screen views (Settings, Search, Devices): a scrolling host, one
 * centred column (640 px unless the view sets `--pc-screen-width`) exactly as wide as the screen
 * at most, so long content wraps instead of widening it, and a header row with Back and a title.
 */
import { css } from 'lit';

export const screenLayoutStyles = css`
  :host {
    display: block;
    overflow-y: auto;
    background: var(--pc-bg);
  }
  .wrap {
    width: min(100%, var(--pc-screen-width, 640px));
    margin: 0 auto;
    padding: 16px;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 14px;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 12px;
  }
  h2 {
    margin: 0;
    font-size: 1.35rem;
  }
`;
