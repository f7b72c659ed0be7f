//! Entry point of the ZeroDock web UI: mounts the app into #app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { applyTheme } from './lib/theme';
import { watchHidden } from './lib/reveal';

// The bundle is loaded and evaluated: a mark for the benchmark's itemised "Open dashboard" (µs).
performance.mark?.('zd-main');

// The desktop's scheme before the first paint; the saved setting follows with the first state.
applyTheme('system');

const target = document.getElementById('app');
if (target) {
  // Before the first render, so no hidden character is ever painted.
  watchHidden(target);
  mount(App, { target });
  performance.mark?.('zd-mounted');
}
