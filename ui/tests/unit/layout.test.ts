// The UI's layout rules, read from the source: pages live in src/lib/views/ and widgets in
// src/lib/components/ (a widget never imports a page), and the UI names no check code — which
// check matters where, and in what order, comes from the engine's report.

import { describe, expect, test } from 'vitest';

/** Every source file of the app, by path from the UI root (`/src/…`), as text (Vite's raw import). */
const SOURCES = import.meta.glob<string>('/src/**/*.{ts,svelte}', { query: '?raw', import: 'default', eager: true });
const under = (dir: string) => Object.entries(SOURCES).filter(([path]) => path.startsWith(dir));

describe('layout', () => {
  test('widgets never import pages', () => {
    const widgets = under('/src/lib/components/');
    expect(widgets.length).toBeGreaterThan(5);
    for (const [path, text] of widgets) {
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(imports.filter((i) => i.includes('/views/')), path).toEqual([]);
    }
  });

  test('every page the app routes to is a view', () => {
    const app = SOURCES['/src/App.svelte'];
    const views = under('/src/lib/views/').map(([path]) => path.replace(/^.*\/(\w+)\.svelte$/, '$1'));
    expect(views.sort()).toEqual(['Checklist', 'Containers', 'History', 'Host', 'Network', 'Overview', 'Settings', 'Vulnerabilities']);
    for (const v of views) expect(app).toContain(`import ${v} from './lib/views/${v}.svelte'`);
  });

  test('no check code is named outside the generated bindings', () => {
    const own = Object.entries(SOURCES).filter(([path]) => !path.startsWith('/src/lib/bindings/'));
    expect(own.length).toBeGreaterThan(20);
    for (const [path, text] of own) expect(text.match(/\b[A-Z]{3}\d{3}\b/g) ?? [], path).toEqual([]);
  });
});
