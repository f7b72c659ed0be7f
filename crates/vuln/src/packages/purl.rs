//! Package URLs (<https://github.com/package-url/purl-spec>) of distro packages.
//!
//! Components are percent-encoded as the spec says: everything but ASCII letters, digits and
//! `.-_~` is encoded, except `:` (which the spec lets stand unencoded, so a Debian epoch reads
//! `1:2.3-4`). `+` is encoded as `%2B` — a form decoder would otherwise read it as a space;
//! Trivy and packageurl-python do the same. Qualifiers are sorted by key, as the spec's canonical
//! form requires.

/// Percent-encodes one purl component.
pub fn encode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    for b in component.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `pkg:<kind>/<namespace>/<name>@<version>?<qualifiers>`; empty qualifier values are dropped.
pub fn purl(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        out.push_str(&encode(ns));
        out.push('/');
    }
    out.push_str(&encode(name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(version));
    }
    let mut qualifiers: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    qualifiers.sort_by_key(|(k, _)| *k);
    for (i, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}
