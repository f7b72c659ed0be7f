//! Characters that change how text reads without being seen: bidirectional overrides and
//! isolates (the "Trojan Source" trick, CVE-2021-42574), zero-width spaces, byte-order marks and
//! control characters. They reach a report from the engine (environment variable names, labels,
//! Compose project names a user controls), where an override could make `\u{202E}API_TOKEN` read
//! as something else or a terminal escape rewrite the screen. The human-readable formats show each
//! as `⟨U+202E⟩`; the JSON and SARIF keep the exact text (they are data, and JSON escapes controls).

/// Whether `c` is shown as `⟨U+XXXX⟩` in the terminal, HTML and Markdown reports. The zero-width
/// joiner is left alone: it is how emoji sequences (👨‍👩‍👧) are written, and it reorders nothing.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `text` with every [`is_hidden`] character written as `⟨U+XXXX⟩`. With `keep_sgr`, an escape
/// that starts a colour sequence (`ESC [ digits ; … m`, what the terminal report paints with) is
/// kept: such a sequence can only change colours, which the report's own next sequence resets.
pub fn reveal(text: &str, keep_sgr: bool) -> String {
    if !text.chars().any(is_hidden) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && keep_sgr && is_sgr(rest) {
            out.push(c);
        } else if is_hidden(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `json` (serde_json's output) with every [`is_hidden`] character inside its strings written as
/// `⟨U+XXXX⟩`, whether raw (U+202E is written as UTF-8) or escaped (`\u0007`, `\r`, `\b`,
/// `\f`). For the PDF: its template reads the report as JSON and typst lays text out with the
/// bidirectional algorithm, so an override from the engine would reorder the printed line. One
/// pass over the bytes rather than a walk over a `serde_json::Value`: at 1000 containers the data
/// is megabytes, and a second tree of it would add to the PDF's peak memory. A raw `keep` is left
/// as it is: the PDF's own break opportunities are zero-width spaces, inserted after the text
/// they break was revealed.
pub fn reveal_json(json: &str, keep: Option<char>) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| is_hidden(c) && Some(c) != keep;
    if !json.chars().any(hidden) && !json.contains('\\') {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 32);
    let mut chars = json.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let Some(&(_, next)) = chars.peek() else {
                out.push(c);
                break;
            };
            let code = match next {
                'b' => Some(0x8),
                'f' => Some(0xc),
                'r' => Some(0xd),
                'u' => json.get(i + 2..i + 6).and_then(|hex| u32::from_str_radix(hex, 16).ok()),
                _ => None,
            };
            match code.and_then(char::from_u32).filter(|&h| hidden(h)) {
                Some(shown) => {
                    push_shown(&mut out, shown);
                    let skip = if next == 'u' { 5 } else { 1 };
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                None => {
                    // Any other escape (`\\`, `\"`, `\n`, a surrogate half…) is copied whole, so
                    // an escaped backslash followed by `u0007` stays text.
                    out.push(c);
                    out.push(next);
                    chars.next();
                }
            }
        } else if hidden(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes `c` as `⟨U+XXXX⟩`.
fn push_shown(out: &mut String, c: char) {
    out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
}

/// Whether `text` starts with a Select Graphic Rendition sequence: ESC, `[`, digits and `;`, `m`.
fn is_sgr(text: &str) -> bool {
    let Some(params) = text.strip_prefix("\u{1b}[") else { return false };
    let end = params.find(|c: char| !(c.is_ascii_digit() || c == ';'));
    end.is_some_and(|i| params[i..].starts_with('m'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_get_raw_and_escaped_hidden_characters_revealed_and_stay_json() {
        let value = serde_json::json!({
            "name": "\u{202E}API_TOKEN",
            "bell": "a\u{7}b\rc\u{8}\u{c}",
            "kept": "line\n\ttab \\u0007 \"q\" \u{1F433} שלום",
        });
        let json = serde_json::to_string(&value).expect("json");
        let shown = reveal_json(&json, None);
        let back: serde_json::Value = serde_json::from_str(&shown).expect("still JSON");
        assert_eq!(back["name"], "⟨U+202E⟩API_TOKEN");
        assert_eq!(back["bell"], "a⟨U+0007⟩b⟨U+000D⟩c⟨U+0008⟩⟨U+000C⟩");
        // An escaped backslash before `u0007` is text, not an escape; newlines, tabs, quotes,
        // emoji (a surrogate pair if escaped) and RTL letters are untouched.
        assert_eq!(back["kept"], value["kept"]);
        let plain = serde_json::to_string(&serde_json::json!({"a": "plain"})).expect("json");
        assert!(matches!(reveal_json(&plain, None), std::borrow::Cow::Borrowed(_)));
        let breaks = serde_json::to_string(&serde_json::json!({"a": "ab\u{200B}cd\u{200E}"})).expect("json");
        assert_eq!(reveal_json(&breaks, Some('\u{200B}')), "{\"a\":\"ab\u{200B}cd⟨U+200E⟩\"}");
    }

    #[test]
    fn overrides_zero_width_and_controls_are_shown_and_the_rest_is_kept() {
        assert_eq!(reveal("\u{202E}API_TOKEN", false), "⟨U+202E⟩API_TOKEN");
        assert_eq!(reveal("DB_PASS\u{200B}WORD", false), "DB_PASS⟨U+200B⟩WORD");
        assert_eq!(reveal("a\u{2066}b\u{2069}\u{feff}", false), "a⟨U+2066⟩b⟨U+2069⟩⟨U+FEFF⟩");
        assert_eq!(reveal("bell\u{7}\u{9b}", false), "bell⟨U+0007⟩⟨U+009B⟩");
        // Ordinary text, newlines, tabs, accents, RTL letters and emoji sequences are untouched.
        let plain = "line\n\ttab · SECRET\u{301} שלום 👨\u{200D}👩\u{200D}👧 🐳";
        assert_eq!(reveal(plain, false), plain);
    }

    #[test]
    fn colour_sequences_survive_only_when_asked_and_other_escapes_never() {
        let painted = "\u{1b}[1;31m✗ FAIL\u{1b}[0m";
        assert_eq!(reveal(painted, true), painted);
        assert_eq!(reveal(painted, false), "⟨U+001B⟩[1;31m✗ FAIL⟨U+001B⟩[0m");
        // A title-setting OSC or a cursor move from a label is shown, never obeyed.
        assert_eq!(reveal("\u{1b}]0;pwned\u{7}", true), "⟨U+001B⟩]0;pwned⟨U+0007⟩");
        assert_eq!(reveal("\u{1b}[2J", true), "⟨U+001B⟩[2J");
    }
}
