import { css, unsafeCSS } from 'lit';

/** Colour names (without `--pc-`) and their light and dark values. */
export const LIGHT_PALETTE = {
  bg: '#ffffff',
  surface: '#f3f5f9',
  border: '#d5dae3',
  text: '#16181d',
  muted: '#4f5866',
  accent: '#2456d6',
  'accent-text': '#ffffff',
  'bubble-out': '#2456d6',
  'bubble-out-text': '#ffffff',
  'bubble-in': '#e8ebf1',
  'bubble-in-text': '#16181d',
  danger: '#b3261e',
  'danger-bg': '#fde8e7',
  'warn-bg': '#fff4d6',
  'warn-text': '#5c4400',
  ok: '#1b7f3b',
} as const;

export type PaletteName = keyof typeof LIGHT_PALETTE;

export const DARK_PALETTE: Record<PaletteName, string> = {
  bg: '#121418',
  surface: '#1c1f26',
  border: '#343a46',
  text: '#eef1f6',
  muted: '#aab3c2',
  accent: '#7ea2ff',
  'accent-text': '#0b1020',
  'bubble-out': '#3459c8',
  'bubble-out-text': '#ffffff',
  'bubble-in': '#262b35',
  'bubble-in-text': '#eef1f6',
  danger: '#ffb4ab',
  'danger-bg': '#3d1714',
  'warn-bg': '#3b3000',
  'warn-text': '#ffe08a',
  ok: '#7bd88f',
};

/**
 * Each colour defaults to the system's light or dark value; a theme chosen in Settings sets
 * `--pc-forced-<name>` on the document root (web/src/settings/apply-theme.ts), which every
 * shadow root inherits and which then wins.
 */
function paletteVars(p: Readonly<Record<PaletteName, string>>) {
  return unsafeCSS(
    Object.entries(p)
      .map(([k, v]) => `--pc-${k}: var(--pc-forced-${k}, ${v});`)
      .join('\n'),
  );
}

/**
 * Colours and sizes shared by every component. Light and dark follow the system setting unless
 * the person chose one; text/background pairs meet WCAG AA contrast.
 */
export const theme = css`
  :host {
    ${paletteVars(LIGHT_PALETTE)}
    --pc-radius: 12px;
    --pc-touch: 44px;
    color: var(--pc-text);
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    font-size: 16px;
    box-sizing: border-box;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      ${paletteVars(DARK_PALETTE)}
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
