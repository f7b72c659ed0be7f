// A small Markdown reader for the catalogue's prose (rationale, remediation): paragraphs, lists,
// fenced code, `code`, *emphasis*, **strong**, <https://autolinks> and [links](https://…).
// It returns tokens that Svelte renders as elements — never HTML strings — so prose can never
// inject markup into the webview.

/** An inline run. */
export type Inline =
  | { t: 'text'; text: string }
  | { t: 'code'; text: string }
  | { t: 'em'; text: string }
  | { t: 'strong'; text: string }
  | { t: 'link'; text: string; href: string };

/** A block. */
export type Block =
  | { t: 'p'; inlines: Inline[] }
  | { t: 'ul'; items: Inline[][] }
  | { t: 'pre'; text: string };

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|<(https?:\/\/[^>\s]+)>|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g;

/** Inline tokens of one paragraph's text. */
export function inlines(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ t: 'text', text: text.slice(last, at) });
    if (m[1] !== undefined) out.push({ t: 'code', text: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'strong', text: m[2] });
    else if (m[3] !== undefined) out.push({ t: 'em', text: m[3] });
    else if (m[4] !== undefined) out.push({ t: 'link', text: m[4], href: m[4] });
    else if (m[5] !== undefined && m[6] !== undefined) out.push({ t: 'link', text: m[5], href: m[6] });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ t: 'text', text: text.slice(last) });
  return out;
}

const ITEM = /^\s*(?:[-*]|\d+\.)\s+/;

/** Blocks of a Markdown text. Soft line breaks become spaces. */
export function blocks(md: string): Block[] {
  const out: Block[] = [];
  const src = md.replace(/\r\n/g, '\n').split('\n');
  let para: string[] = [];
  let items: string[] | null = null;
  const flush = () => {
    if (para.length) out.push({ t: 'p', inlines: inlines(para.join(' ').trim()) });
    para = [];
    if (items) out.push({ t: 'ul', items: items.map((i) => inlines(i.trim())) });
    items = null;
  };
  for (let i = 0; i < src.length; i++) {
    const line = src[i];
    if (line.trimStart().startsWith('```')) {
      flush();
      const code: string[] = [];
      i++;
      while (i < src.length && !src[i].trimStart().startsWith('```')) code.push(src[i++]);
      out.push({ t: 'pre', text: code.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      flush();
    } else if (ITEM.test(line)) {
      if (para.length) {
        out.push({ t: 'p', inlines: inlines(para.join(' ').trim()) });
        para = [];
      }
      items = items ?? [];
      items.push(line.replace(ITEM, ''));
    } else if (items && /^\s+/.test(line)) {
      items[items.length - 1] += ' ' + line.trim();
    } else {
      if (items) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out;
}
