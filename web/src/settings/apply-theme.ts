/**
 * Applies the chosen theme to the document at once: for light or dark, every colour is forced
 * through `--pc-forced-*` on the root element (inherited into every shadow root, see
 * web/src/styles/theme.ts) and `color-scheme` follows, so scrollbars and form controls match;
 * for "system" both are removed and the system setting decides again.
 */
import { DARK_PALETTE, LIGHT_PALETTE, type PaletteName } from '../styles/theme';
import type { ThemeChoice } from './settings-model';
import { deviceSettings } from './settings-store';

export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  const palette = choice === 'dark' ? DARK_PALETTE : choice === 'light' ? LIGHT_PALETTE : null;
  for (const name of Object.keys(LIGHT_PALETTE) as PaletteName[]) {
    if (palette) root.style.setProperty(`--pc-forced-${name}`, palette[name]);
    else root.style.removeProperty(`--pc-forced-${name}`);
  }
  root.style.colorScheme = choice === 'system' ? '' : choice;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** Follows the setting from now on (called once at start-up). */
export function followThemeSetting(): void {
  let current: ThemeChoice | null = null;
  const apply = (choice: ThemeChoice) => {
    if (choice === current) return;
    current = choice;
    applyTheme(choice);
  };
  apply(deviceSettings.get().theme);
  deviceSettings.subscribe((s) => apply(s.theme));
}
