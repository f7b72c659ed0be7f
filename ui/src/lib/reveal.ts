//! Characters that change how text reads without being seen (bidirectional overrides and
//! isolates — "Trojan Source", CVE-2021-42574 — zero-width spaces, byte-order marks, controls)
//! are shown as `⟨U+202E⟩` wherever the dashboard displays text, as the terminal, HTML, Markdown
//! and PDF reports do (crates/report/src/reveal.rs is the same list). They reach the report from
//! the engine: a container name, an environment variable name, a Compose project.
//!
//! Why on the page's text nodes rather than in the data: the data goes back to the tray exactly
//! (a waiver names a target, a focus request a finding, a copy button copies the real command,
//! which is right once the user can see what it holds), and one observer covers every view,
//! including rows a virtualised list renders later.

/** The hidden characters; the zero-width joiner is left alone (emoji sequences use it). */
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/** `text` with every hidden character written as `⟨U+XXXX⟩`. */
export function reveal(text: string): string {
  HIDDEN.lastIndex = 0;
  if (!HIDDEN.test(text)) return text;
  return text.replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

function revealNode(node: Node): void {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.nodeValue ?? '';
    const shown = reveal(text);
    if (shown !== text) node.nodeValue = shown;
    return;
  }
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) revealNode(n);
}

/** Reveals hidden characters in `root`'s text now and in every text the app writes later. */
export function watchHidden(root: Node): MutationObserver {
  revealNode(root);
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') revealNode(r.target);
      else r.addedNodes.forEach(revealNode);
    }
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  return observer;
}
