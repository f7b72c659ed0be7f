//! `/etc/os-release` (freedesktop.org `os-release(5)`) → the base OS and its OSV ecosystem.

use zerodock_engine::snapshot::BaseOs;

/// The `KEY=value` pairs of an os-release file, quotes and backslash escapes removed; lines that
/// are not assignments (comments, blanks, garbage) are skipped.
pub fn os_release_fields(text: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else { continue };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        fields.push((key.to_owned(), unquote(raw)));
    }
    fields
}

/// Shell-style unquoting as os-release(5) allows: `"…"` with `\` escapes, `'…'`, or bare.
fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('"').map(|r| r.strip_suffix('"').unwrap_or(r)) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        out
    } else if let Some(inner) = raw.strip_prefix('\'') {
        inner.strip_suffix('\'').unwrap_or(inner).to_owned()
    } else {
        raw.to_owned()
    }
}

/// Parses an os-release file; `None` when it names no `ID`. `end_of_life` is left `None`: the
/// `eol` module fills it.
pub fn parse_os_release(text: &str) -> Option<BaseOs> {
    let fields = os_release_fields(text);
    let get = |key: &str| fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let id = get("ID").filter(|id| !id.is_empty())?.to_ascii_lowercase();
    let version_id = get("VERSION_ID").unwrap_or_default();
    let version = get("VERSION").unwrap_or_default();
    let pretty_name = get("PRETTY_NAME").or_else(|| get("NAME")).unwrap_or_else(|| id.clone());
    let ecosystem = osv_ecosystem(&id, &version_id, &version);
    Some(BaseOs { id, version_id, pretty_name, ecosystem, end_of_life: None, end_of_life_source: None })
}

/// The OSV ecosystem of a release, as the OSV schema's ecosystem table spells it:
/// `Debian:12` (major only: Debian's point releases share one), `Ubuntu:22.04:LTS` for long-term
/// releases else `Ubuntu:23.10`, `Alpine:v3.19` (major.minor). `None` for anything else, and for
/// Debian testing/sid, which have no `VERSION_ID` and no OSV release of their own.
pub fn osv_ecosystem(id: &str, version_id: &str, version: &str) -> Option<String> {
    let version_id = version_id.trim();
    if version_id.is_empty() {
        return None;
    }
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match id {
        "debian" => {
            let major = version_id.split('.').next().unwrap_or_default();
            numeric(major).then(|| format!("Debian:{major}"))
        }
        "ubuntu" => {
            let mut parts = version_id.split('.');
            let (year, month) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            if !numeric(year) || !numeric(month) {
                return None;
            }
            // os-release's VERSION says "22.04.3 LTS (Jammy Jellyfish)"; without it, LTS
            // releases are the April ones of even years.
            let lts = version.contains("LTS")
                || (version.is_empty() && month == "04" && year.parse::<u32>().is_ok_and(|y| y % 2 == 0));
            Some(if lts { format!("Ubuntu:{year}.{month}:LTS") } else { format!("Ubuntu:{year}.{month}") })
        }
        "alpine" => {
            let mut parts = version_id.split('.');
            let (major, minor) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            (numeric(major) && numeric(minor)).then(|| format!("Alpine:v{major}.{minor}"))
        }
        _ => None,
    }
}
