// The dashboard's colour scheme: the user's `theme` setting (system | light | dark) resolved to
// light or dark on <html data-theme>, which app.css keys its tokens on. "system" follows the
// desktop's preference live (matchMedia), so a desktop switching to dark at dusk is followed.

import type { Theme } from './model';

const DARK = '(prefers-color-scheme: dark)';

/** Light or dark for `theme`, given whether the desktop prefers dark. */
export function resolveTheme(theme: Theme, prefersDark: boolean): 'light' | 'dark' {
  if (theme === 'system') return prefersDark ? 'dark' : 'light';
  return theme;
}

let current: Theme = 'system';
let watching: MediaQueryList | null = null;

function paint(): void {
  const prefersDark = typeof matchMedia === 'function' && matchMedia(DARK).matches;
  const resolved = resolveTheme(current, prefersDark);
  document.documentElement.dataset.theme = resolved;
  document.documentElement.style.colorScheme = resolved;
}

/** Applies `theme` now and keeps following the desktop while it is `system`. */
export function applyTheme(theme: Theme): void {
  current = theme;
  if (!watching && typeof matchMedia === 'function') {
    watching = matchMedia(DARK);
    watching.addEventListener?.('change', paint);
  }
  paint();
}
