// The placeholder marks of the proposed daemon.json: which runs of the file view are the engine's
// placeholders (example values the user must replace), the copied text left as it is.

import { describe, expect, test } from 'vitest';
import { asJsonText, markSegments } from '../../src/lib/placeholders';

describe('placeholders in the proposed file', () => {
  test('every occurrence is marked, the rest kept as it is', () => {
    const line = '    "syslog-address": "tcp+tls://logs.example.internal:6514",';
    const segs = markSegments(line, ['tcp+tls://logs.example.internal:6514']);
    expect(segs.map((s) => s.text).join('')).toBe(line);
    expect(segs.filter((s) => s.mark).map((s) => s.text)).toEqual(['tcp+tls://logs.example.internal:6514']);
    expect(markSegments('A_B and A_B', ['A_B']).filter((s) => s.mark)).toHaveLength(2);
  });

  test('no placeholder, no mark; the longest wins where two overlap', () => {
    expect(markSegments('{ "icc": false }', [])).toEqual([{ text: '{ "icc": false }', mark: false }]);
    expect(markSegments('HOST_NAME_X', ['HOST_NAME', 'HOST_NAME_X'])).toEqual([{ text: 'HOST_NAME_X', mark: true }]);
  });

  test('values are matched as JSON writes them', () => {
    expect(asJsonText('a "quoted" \\ value')).toBe('a \\"quoted\\" \\\\ value');
  });
});
