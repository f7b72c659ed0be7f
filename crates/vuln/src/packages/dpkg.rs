//! dpkg's `var/lib/dpkg/status` and distroless's `var/lib/dpkg/status.d/*` (RFC 822-style
//! paragraphs).

/// One installed binary package as dpkg records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgPackage {
    /// `Package`.
    pub name: String,
    /// `Version` (with its epoch, if any: `1:2.3-4`).
    pub version: String,
    /// The source package: `Source`'s name, else the binary name.
    pub source_name: String,
    /// `Source`'s `(version)`, else the binary version.
    pub source_version: String,
    /// `Architecture`.
    pub arch: String,
}

/// The fields of each paragraph, continuation lines folded (values trimmed).
fn paragraphs(text: &str) -> Vec<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        // Continuation lines (Description, Conffiles) start with a space or tab: no field of ours.
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            current.push((key.trim(), value.trim()));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Parses a dpkg status file. With `require_installed` (the main `status` file) only entries
/// whose package state — the third word of `Status` — is `installed` count: removed packages keep
/// a paragraph there (`deinstall ok config-files`), while a held package (`hold ok installed`)
/// is on disk as much as `install ok installed` is (dpkg-query's `${db:Status-Status}` is the same
/// word). Distroless `status.d/` files carry no `Status`: pass `false` and an entry counts unless
/// a `Status` it has says otherwise.
pub fn parse_dpkg_status(text: &str, require_installed: bool) -> Vec<DpkgPackage> {
    let mut packages = Vec::new();
    for fields in paragraphs(text) {
        let get = |key: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| *v);
        match get("Status") {
            Some(status) if status.split_whitespace().nth(2) != Some("installed") => {
                continue;
            }
            None if require_installed => continue,
            _ => {}
        }
        let (Some(name), Some(version)) = (get("Package"), get("Version")) else { continue };
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let (source_name, source_version) = match get("Source") {
            Some(source) if !source.is_empty() => match source.split_once('(') {
                Some((n, v)) => (n.trim(), v.trim().trim_end_matches(')').trim()),
                None => (source, version),
            },
            _ => (name, version),
        };
        packages.push(DpkgPackage {
            name: name.to_owned(),
            version: version.to_owned(),
            source_name: if source_name.is_empty() { name } else { source_name }.to_owned(),
            source_version: if source_version.is_empty() { version } else { source_version }.to_owned(),
            arch: get("Architecture").unwrap_or_default().to_owned(),
        });
    }
    packages
}
