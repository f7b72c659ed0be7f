// Placeholders of the proposed daemon.json (the engine's `daemon_json_plan.placeholders`): example
// values the user must replace before applying the file. Presentation only: which values they are
// is the engine's call; this finds them in the text so the file view can mark them.

/** A run of text, marked when it is a placeholder's value. */
export type Segment = { text: string; mark: boolean };

/** How `value` is written inside a JSON string literal of the pretty-printed file. */
export function asJsonText(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Splits `text` into runs, marking every occurrence of any of `marks` (longest first, no overlap). */
export function markSegments(text: string, marks: string[]): Segment[] {
  const wanted = [...new Set(marks.filter((m) => m.length > 0))].sort((a, b) => b.length - a.length);
  const out: Segment[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const hit = wanted.find((m) => text.startsWith(m, i));
    if (hit) {
      if (plain) out.push({ text: plain, mark: false });
      plain = '';
      out.push({ text: hit, mark: true });
      i += hit.length;
    } else {
      plain += text[i];
      i += 1;
    }
  }
  if (plain) out.push({ text: plain, mark: false });
  return out;
}
