//! apk's `lib/apk/db/installed`: one paragraph per package, one `X:value` line per field.

/// One installed Alpine package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkPackage {
    /// `P:` name.
    pub name: String,
    /// `V:` version (`3.1.4-r5`).
    pub version: String,
    /// `A:` architecture.
    pub arch: String,
    /// `o:` origin, the source (aport) name; the name when absent.
    pub origin: String,
}

/// Parses an apk `installed` database; a paragraph without `P:` or `V:` is skipped.
pub fn parse_apk_installed(text: &str) -> Vec<ApkPackage> {
    let mut packages = Vec::new();
    let mut current: [Option<&str>; 4] = [None; 4];
    let mut flush = |current: &mut [Option<&str>; 4]| {
        if let [Some(name), Some(version), arch, origin] = *current
            && !name.is_empty()
            && !version.is_empty()
        {
            packages.push(ApkPackage {
                name: name.to_owned(),
                version: version.to_owned(),
                arch: arch.unwrap_or_default().to_owned(),
                origin: origin.filter(|o| !o.is_empty()).unwrap_or(name).to_owned(),
            });
        }
        *current = [None; 4];
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut current);
            continue;
        }
        let slot = match line.get(..2) {
            Some("P:") => 0,
            Some("V:") => 1,
            Some("A:") => 2,
            Some("o:") => 3,
            _ => continue,
        };
        current[slot] = Some(line[2..].trim());
    }
    flush(&mut current);
    packages
}
