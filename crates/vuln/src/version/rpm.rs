//! RPM's ordering: `rpmvercmp` segment by segment (including `~`, sorting before everything, and
//! `^`, sorting after the base version but before anything else), over `[epoch:]version[-release]`.
//! Written from rpm's algorithm and tested against rpm 4.18's own `rpm.vercmp`.

use std::cmp::Ordering;

/// An `[epoch:]version[-release]` split the way rpm's `parseEVR` splits it.
pub(super) struct Evr<'a> {
    epoch: &'a str,
    version: &'a str,
    release: &'a str,
}

/// Splits an EVR; `None` for what we refuse to order: empty parts, a non-numeric epoch, spaces,
/// control or non-ASCII characters (rpm would order them by rules nobody relies on).
pub(super) fn parse(v: &str) -> Option<Evr<'_>> {
    if v.is_empty() || !v.bytes().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    let (epoch, rest) = match v.split_once(':') {
        Some((e, rest)) if e.bytes().all(|c| c.is_ascii_digit()) => {
            (if e.is_empty() { "0" } else { e }, rest)
        }
        Some(_) => return None,
        None => ("0", v),
    };
    // rpm cuts the release at the last `-`; a missing release compares as an empty one (what
    // rpm 4.18's `rpm.vercmp` does: `1.0` < `1.0-1`).
    let (version, release) = rest.rsplit_once('-').unwrap_or((rest, ""));
    if version.is_empty() || rest.ends_with('-') {
        return None;
    }
    Some(Evr { epoch, version, release })
}

/// rpm's `rpmvercmp` on one field.
pub(super) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let is_sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        while one.first().is_some_and(is_sep) {
            one = &one[1..];
        }
        while two.first().is_some_and(is_sep) {
            two = &two[1..];
        }
        if one.is_empty() && two.is_empty() {
            break;
        }
        // Tilde: sorts before everything, even the end of the string.
        if one.first() == Some(&b'~') || two.first() == Some(&b'~') {
            if one.first() != Some(&b'~') {
                return Ordering::Greater;
            }
            if two.first() != Some(&b'~') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        // Caret: like tilde, except that a version that has ended is older.
        if one.first() == Some(&b'^') || two.first() == Some(&b'^') {
            if one.is_empty() {
                return Ordering::Less;
            }
            if two.is_empty() {
                return Ordering::Greater;
            }
            if one.first() != Some(&b'^') {
                return Ordering::Greater;
            }
            if two.first() != Some(&b'^') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if one.is_empty() || two.is_empty() {
            break;
        }
        let numeric = one[0].is_ascii_digit();
        let class = |c: &u8| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let n1 = one.iter().take_while(|c| class(c)).count();
        let n2 = two.iter().take_while(|c| class(c)).count();
        let (seg1, seg2) = (&one[..n1], &two[..n2]);
        // Segments of different kinds: the numeric one is newer.
        if seg2.is_empty() {
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let r = if numeric {
            let s1 = trim_zeros(seg1);
            let s2 = trim_zeros(seg2);
            s1.len().cmp(&s2.len()).then_with(|| s1.cmp(s2))
        } else {
            seg1.cmp(seg2)
        };
        if r != Ordering::Equal {
            return r;
        }
        one = &one[n1..];
        two = &two[n2..];
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

/// Compares two EVRs: epoch, then version, then release.
pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse(a)?, parse(b)?);
    Some(
        rpmvercmp(a.epoch, b.epoch)
            .then_with(|| rpmvercmp(a.version, b.version))
            .then_with(|| rpmvercmp(a.release, b.release)),
    )
}
