//! apk-tools' ordering, written from the rules of its `src/version.c` (tokenizer and comparison),
//! and tested against apk-tools' own `test/unit/version.data`.
//!
//! Grammar: `digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}`. apk itself still orders an invalid
//! version (by whatever prefix it tokenized); we refuse to, and answer `None`.

use std::cmp::Ordering;

/// Token kinds in apk's order: a version that ends early or goes on with a "later" kind of token
/// is ordered by these ranks (see `compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix ranks: pre-release suffixes sort below `NONE` (the bare version), the others above.
const SUFFIX_NONE: u8 = 5;

fn suffix_value(s: &[u8]) -> Option<u8> {
    Some(match s {
        b"alpha" => 1,
        b"beta" => 2,
        b"pre" => 3,
        b"rc" => 4,
        b"cvs" => 6,
        b"svn" => 7,
        b"git" => 8,
        b"hg" => 9,
        b"p" => 10,
        _ => return None,
    })
}

struct Tokenizer<'a> {
    rest: &'a [u8],
    token: Token,
    suffix: u8,
    number: u64,
    value: &'a [u8],
}

impl<'a> Tokenizer<'a> {
    fn new(v: &'a str) -> Self {
        let mut t =
            Tokenizer { rest: v.as_bytes(), token: Token::InitialDigit, suffix: 0, number: 0, value: &[] };
        t.digits();
        t
    }

    fn span(&mut self, pred: impl Fn(u8) -> bool) -> &'a [u8] {
        let n = self.rest.iter().take_while(|&&c| pred(c)).count();
        let (span, rest) = self.rest.split_at(n);
        self.rest = rest;
        span
    }

    fn digits(&mut self) {
        let digits = self.span(|c| c.is_ascii_digit());
        // apk accumulates in a uint64_t that wraps; so do we, to agree on absurdly long numbers.
        self.number = digits.iter().fold(0u64, |n, &d| n.wrapping_mul(10).wrapping_add(u64::from(d - b'0')));
        self.value = digits;
        if digits.is_empty() {
            self.token = Token::Invalid;
        }
    }

    fn next(&mut self) {
        let Some(&c) = self.rest.first() else {
            self.token = Token::End;
            return;
        };
        match c {
            b'a'..=b'z' if self.token <= Token::Digit => {
                self.value = &self.rest[..1];
                self.rest = &self.rest[1..];
                self.token = Token::Letter;
            }
            b'.' | b'0'..=b'9'
                if self.token <= Token::Digit || (c != b'.' && self.token == Token::Suffix) =>
            {
                if c == b'.' {
                    self.rest = &self.rest[1..];
                }
                self.token = if self.token == Token::Suffix { Token::SuffixNo } else { Token::Digit };
                self.digits();
            }
            b'_' if self.token <= Token::SuffixNo => {
                self.rest = &self.rest[1..];
                self.value = self.span(|c| c.is_ascii_lowercase());
                match suffix_value(self.value) {
                    Some(s) => {
                        self.suffix = s;
                        self.token = Token::Suffix;
                    }
                    None => self.token = Token::Invalid,
                }
            }
            b'~' if self.token < Token::CommitHash => {
                self.rest = &self.rest[1..];
                self.value = self.span(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
                self.token = if self.value.is_empty() { Token::Invalid } else { Token::CommitHash };
            }
            b'-' if self.token < Token::RevisionNo && self.rest.starts_with(b"-r") => {
                self.rest = &self.rest[2..];
                self.token = Token::RevisionNo;
                self.digits();
            }
            _ => self.token = Token::Invalid,
        }
    }
}

/// Whether apk accepts `v` as a version (`apk_version_validate`).
pub fn validate(v: &str) -> bool {
    let mut t = Tokenizer::new(v);
    while t.token < Token::End {
        t.next();
    }
    t.token == Token::End
}

fn token_cmp(a: &Tokenizer<'_>, b: &Tokenizer<'_>) -> Ordering {
    match a.token {
        // A leading zero after a dot makes apk compare as strings (the Gentoo rule: 1.01 < 1.1).
        Token::Digit if a.value.starts_with(b"0") || b.value.starts_with(b"0") => a.value.cmp(b.value),
        Token::Digit | Token::InitialDigit | Token::SuffixNo | Token::RevisionNo => a.number.cmp(&b.number),
        Token::Letter => a.value.cmp(b.value),
        Token::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

/// Compares two apk versions; `None` when either is invalid.
pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    if !validate(a) || !validate(b) {
        return None;
    }
    let (mut ta, mut tb) = (Tokenizer::new(a), Tokenizer::new(b));
    while ta.token == tb.token && ta.token < Token::End {
        let r = token_cmp(&ta, &tb);
        if r != Ordering::Equal {
            return Some(r);
        }
        ta.next();
        tb.next();
    }
    if ta.token == tb.token {
        return Some(Ordering::Equal);
    }
    // One version goes on where the other ended or changed kind: a pre-release suffix makes it
    // older, otherwise the one with the earlier kind of token (more components) is newer.
    if ta.token == Token::Suffix && ta.suffix < SUFFIX_NONE {
        return Some(Ordering::Less);
    }
    if tb.token == Token::Suffix && tb.suffix < SUFFIX_NONE {
        return Some(Ordering::Greater);
    }
    Some(tb.token.cmp(&ta.token))
}
