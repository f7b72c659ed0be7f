//! Other scanners' output (Trivy JSON, Grype JSON, SARIF from Docker Scout and others) read into the same findings.
//!
//! `zerodock vulns --import FILE` is for users who already run a scanner: ZeroDock never runs one
//! itself (issue 12), it reads the file the user hands it, maps every finding onto
//! [`Vulnerability`] with the scanner named, and merges them into the image's findings. Severity
//! is the scanner's own word, never recomputed: an `UNKNOWN` stays [`VulnSeverity::Unknown`].
//!
//! - [`read_scanner_output`] detects the format and reads it.
//! - [`find_image`] finds the image in use the file is about (image id, then tag or digest).
//! - [`merge`] adds the findings to that image, one entry per vulnerability and package.

mod error;
mod grype;
mod json;
mod sarif;
mod trivy;

use zerodock_engine::snapshot::{ImageVulns, VulnSeverity, Vulnerability};

pub use error::{Format, ImportError};

/// One image's findings as another scanner reported them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedImage {
    /// What the file says was scanned (`alpine:3.10`, `cgr.dev/chainguard/ruby:latest-3.0`, a
    /// tarball's path); empty when the file does not say (Docker Scout's SARIF).
    pub reference: String,
    /// The image id (`sha256:…`, the config digest Docker uses), when the file gives it.
    pub image_id: Option<String>,
    /// Other names the file gives the image: repo tags and repo digests (`name@sha256:…`), used by
    /// [`find_image`] when the id is absent or differs (an image re-pulled since the scan).
    pub names: Vec<String>,
    /// The scanner and its version as the file states them (`trivy 0.50.1`, `grype 0.66.0`,
    /// `docker scout 0.24.1`; the name alone when no version is given).
    pub scanner: String,
    /// The findings, in the file's order.
    pub vulnerabilities: Vec<Vulnerability>,
}

/// Reads a scanner's output, detecting its format: Trivy JSON (`trivy image --format json`),
/// Grype JSON (`grype -o json`) or SARIF 2.1.0 (`docker scout cves --format sarif`, Trivy's and
/// Grype's SARIF). One entry per image scanned (a SARIF file may hold several runs).
///
/// Never panics; anything unexpected is an [`ImportError`] naming the format and the field.
pub fn read_scanner_output(bytes: &[u8]) -> Result<Vec<ImportedImage>, ImportError> {
    // A UTF-8 byte order mark is legal in JSON files written on Windows (PowerShell's `>`).
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| ImportError::NotJson {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    match detect(&value)? {
        Format::Trivy => trivy::read(&value).map(|image| vec![image]),
        Format::Grype => grype::read(&value).map(|image| vec![image]),
        Format::Sarif => sarif::read(&value),
    }
}

/// Which format a document is, by the top-level keys each tool always writes.
fn detect(value: &serde_json::Value) -> Result<Format, ImportError> {
    let Some(object) = value.as_object() else {
        return Err(ImportError::UnknownFormat { found: json::kind(value).to_owned() });
    };
    let has = |key: &str| object.contains_key(key);
    if has("runs") && (has("version") || has("$schema")) {
        Ok(Format::Sarif)
    } else if has("matches") && (has("source") || has("descriptor")) {
        Ok(Format::Grype)
    } else if has("ArtifactName") && (has("SchemaVersion") || has("Results")) {
        // Trivy leaves `Results` out of a clean image's report, so the name and schema decide.
        Ok(Format::Trivy)
    } else {
        let mut keys: Vec<&str> = object.keys().map(String::as_str).take(8).collect();
        keys.sort_unstable();
        Err(ImportError::UnknownFormat {
            found: if keys.is_empty() {
                "an empty object".to_owned()
            } else {
                format!("keys {}", keys.join(", "))
            },
        })
    }
}

/// Finds the image in use the imported file is about: by image id first (the same content), then
/// by a tag or repo digest the file names matching the image's readable name.
pub fn find_image<'a>(images: &'a mut [ImageVulns], imported: &ImportedImage) -> Option<&'a mut ImageVulns> {
    if let Some(id) = imported.image_id.as_deref().map(normalise_id)
        && let Some(i) = images.iter().position(|image| normalise_id(&image.image_id) == id)
    {
        return images.get_mut(i);
    }
    let wanted: Vec<String> =
        std::iter::once(&imported.reference).chain(&imported.names).map(|n| normalise_name(n)).collect();
    let i = images.iter().position(|image| {
        let name = normalise_name(&image.image);
        !name.is_empty() && wanted.contains(&name)
    })?;
    images.get_mut(i)
}

/// Adds imported findings to an image's: a vulnerability already known for the same package (same
/// id, or an id one of them lists as an alias) is kept once — the entry with more information,
/// with the other's ids added to its aliases — and the scanner is recorded in `scanners`.
pub fn merge(into: &mut ImageVulns, imported: ImportedImage) {
    if !into.scanners.contains(&imported.scanner) {
        into.scanners.push(imported.scanner);
    }
    for incoming in imported.vulnerabilities {
        match into.vulnerabilities.iter_mut().find(|known| same_finding(known, &incoming)) {
            Some(known) => {
                // Ties keep the finding already there: ZeroDock's own match comes first.
                let (mut kept, other) = if information(&incoming) > information(known) {
                    (incoming, std::mem::take(known))
                } else {
                    (std::mem::take(known), incoming)
                };
                let ids = std::iter::once(other.id).chain(other.aliases);
                let mut aliases = std::mem::take(&mut kept.aliases);
                aliases.extend(ids);
                kept.aliases = order_aliases(&kept.id, aliases);
                *known = kept;
            }
            None => into.vulnerabilities.push(incoming),
        }
    }
}

/// Whether two findings are the same vulnerability of the same installed package.
fn same_finding(a: &Vulnerability, b: &Vulnerability) -> bool {
    if a.package != b.package {
        return false;
    }
    let ids = |v: &Vulnerability| {
        std::iter::once(v.id.clone()).chain(v.aliases.iter().cloned()).collect::<Vec<_>>()
    };
    let b_ids = ids(b);
    ids(a).iter().any(|id| b_ids.contains(id))
}

/// How much a finding says, to choose between two reports of the same one.
fn information(v: &Vulnerability) -> usize {
    usize::from(v.fixed.is_some()) * 4
        + usize::from(v.severity != VulnSeverity::Unknown) * 4
        + usize::from(!v.purl.is_empty()) * 2
        + usize::from(v.summary.is_some())
        + usize::from(!v.source_package.is_empty() && v.source_package != v.package)
        + v.aliases.len().min(3)
}

/// Aliases without duplicates or the id itself, CVE ids first (the ids users search for), each
/// group in the order given.
pub(crate) fn order_aliases(id: &str, aliases: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for alias in aliases {
        let alias = alias.trim().to_owned();
        if !alias.is_empty() && alias != id && !seen.contains(&alias) {
            seen.push(alias);
        }
    }
    let (mut cves, others): (Vec<String>, Vec<String>) =
        seen.into_iter().partition(|a| a.starts_with("CVE-"));
    cves.extend(others);
    cves
}

/// A scanner's severity word (`HIGH`, `Critical`, `Negligible`, `UNSPECIFIED`) → the band; words
/// it does not know are unknown, never guessed.
pub(crate) fn severity_word(word: &str) -> VulnSeverity {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => VulnSeverity::Critical,
        "high" | "important" => VulnSeverity::High,
        "medium" | "moderate" => VulnSeverity::Medium,
        // Grype's "Negligible" is its band below Low; ours has none lower.
        "low" | "negligible" => VulnSeverity::Low,
        _ => VulnSeverity::Unknown,
    }
}

/// `Some(s)` for a non-empty string.
pub(crate) fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A package URL's name and version (`pkg:deb/debian/libssl3@3.0.11-1?arch=amd64` → `libssl3`,
/// `3.0.11-1`), percent-decoded; `None` when it is not a purl with both.
pub(crate) fn purl_name_version(purl: &str) -> Option<(String, String)> {
    let rest = purl.trim().strip_prefix("pkg:")?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    let (path, version) = rest.rsplit_once('@')?;
    let name = path.rsplit('/').next().unwrap_or(path);
    let (name, version) = (percent_decode(name), percent_decode(version));
    (!name.is_empty() && !version.is_empty() && path.contains('/')).then_some((name, version))
}

/// Percent-decoding as purls use it (`%2B` → `+`); a malformed escape is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.extend(bytes.get(i));
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// `sha256:abc…` and `abc…` name the same image.
fn normalise_id(id: &str) -> String {
    id.trim().trim_start_matches("sha256:").to_ascii_lowercase()
}

/// An image name as Docker shows it: no `docker.io/` or `library/` prefix, `:latest` implied.
fn normalise_name(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("index.docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    let last = name.rsplit('/').next().unwrap_or(name);
    if !name.contains('@') && !last.contains(':') && !name.is_empty() {
        format!("{name}:latest")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_are_split_and_decoded() {
        assert_eq!(
            purl_name_version("pkg:deb/debian/glibc@2.36-9%2Bdeb12u9?os_distro=bookworm"),
            Some(("glibc".into(), "2.36-9+deb12u9".into()))
        );
        assert_eq!(
            purl_name_version("pkg:maven/com.thoughtworks.xstream/xstream@1.4.5"),
            Some(("xstream".into(), "1.4.5".into()))
        );
        assert_eq!(purl_name_version("pkg:deb/x"), None);
        assert_eq!(purl_name_version("not a purl"), None);
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn aliases_put_cves_first_without_the_id() {
        let got = order_aliases("DSA-1", ["GHSA-x".into(), "CVE-2".into(), "DSA-1".into(), "CVE-2".into()]);
        assert_eq!(got, ["CVE-2", "GHSA-x"]);
    }

    #[test]
    fn names_compare_as_docker_shows_them() {
        assert_eq!(normalise_name("docker.io/library/alpine"), "alpine:latest");
        assert_eq!(normalise_name("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalise_name("alpine@sha256:ab"), "alpine@sha256:ab");
    }
}
