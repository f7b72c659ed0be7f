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
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
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
