import { css } from 'lit';

/**
 * Colours and sizes shared by every component. Light and dark follow the system setting;
 * text/background pairs meet WCAG AA contrast.
 */
export const theme = css`
  :host {
    --pc-bg: #ffffff;
    --pc-surface: #f3f5f9;
    --pc-border: #d5dae3;
    --pc-text: #16181d;
    --pc-muted: #4f5866;
    --pc-accent: #2456d6;
    --pc-accent-text: #ffffff;
    --pc-bubble-out: #2456d6;
    --pc-bubble-out-text: #ffffff;
    --pc-bubble-in: #e8ebf1;
    --pc-bubble-in-text: #16181d;
    --pc-danger: #b3261e;
    --pc-danger-bg: #fde8e7;
    --pc-warn-bg: #fff4d6;
    --pc-warn-text: #5c4400;
    --pc-ok: #1b7f3b;
    --pc-radius: 12px;
    --pc-touch: 44px;
    color: var(--pc-text);
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    font-size: 16px;
    box-sizing: border-box;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --pc-bg: #121418;
      --pc-surface: #1c1f26;
      --pc-border: #343a46;
      --pc-text: #eef1f6;
      --pc-muted: #aab3c2;
      --pc-accent: #7ea2ff;
      --pc-accent-text: #0b1020;
      --pc-bubble-out: #3459c8;
      --pc-bubble-out-text: #ffffff;
      --pc-bubble-in: #262b35;
      --pc-bubble-in-text: #eef1f6;
      --pc-danger: #ffb4ab;
      --pc-danger-bg: #3d1714;
      --pc-warn-bg: #3b3000;
      --pc-warn-text: #ffe08a;
      --pc-ok: #7bd88f;
    }
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button {
    font: inherit;
    min-height: var(--pc-touch);
    min-width: var(--pc-touch);
    padding: 0 16px;
    border-radius: 8px;
    border: 1px solid var(--pc-border);
    background: var(--pc-surface);
    color: var(--pc-text);
    cursor: pointer;
    white-space: nowrap;
  }
  button.primary {
    background: var(--pc-accent);
    color: var(--pc-accent-text);
    border-color: transparent;
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid var(--pc-accent);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
