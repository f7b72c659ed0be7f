//! Each ecosystem's own version ordering: Debian/Ubuntu (dpkg), Alpine (apk), RPM.
//!
//! OSV ranges are only meaningful under the ecosystem's ordering (issue 12: "version ranges
//! evaluated with each ecosystem's own ordering"). A version that does not parse under its scheme
//! compares as `None`: matching then reports nothing for it rather than guessing an order.

use std::cmp::Ordering;

mod apk;
mod deb;
mod rpm;

pub use apk::validate as apk_is_valid;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// dpkg's ordering (Debian, Ubuntu): `[epoch:]upstream[-revision]`, `~` before everything.
    Deb,
    /// apk-tools' ordering (Alpine, Wolfi, Chainguard): `1.2.3a_rc1-r0`.
    Apk,
    /// rpmvercmp over `[epoch:]version[-release]` (Red Hat, Rocky Linux, AlmaLinux, SUSE…).
    Rpm,
}

impl Scheme {
    /// The scheme of an OSV ecosystem string (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.19`,
    /// `Red Hat:enterprise_linux:9::appstream`, `Rocky Linux:9`, `AlmaLinux:9`); `None` for an
    /// ecosystem whose ordering ZeroDock does not implement.
    pub fn of_ecosystem(eco: &str) -> Option<Scheme> {
        // The part before the first `:` names the distribution; the rest is its release.
        match eco.split(':').next().unwrap_or_default().trim() {
            "Debian" | "Ubuntu" => Some(Scheme::Deb),
            "Alpine" | "Wolfi" | "Chainguard" => Some(Scheme::Apk),
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia" | "openEuler" => {
                Some(Scheme::Rpm)
            }
            _ => None,
        }
    }

    /// Whether `version` parses under this scheme.
    pub fn is_valid(self, version: &str) -> bool {
        match self {
            Scheme::Deb => deb::parse(version).is_some(),
            Scheme::Apk => apk::validate(version),
            Scheme::Rpm => rpm::parse(version).is_some(),
        }
    }
}

/// A version parsed once, for comparing it with many others (matching compares one installed
/// version with every event of every record of its package).
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    text: &'a str,
    deb: Option<debversion::Version>,
}

impl Scheme {
    /// Parses `v` under this scheme; `None` when it does not parse.
    pub fn parse(self, v: &str) -> Option<Parsed<'_>> {
        match self {
            Scheme::Deb => deb::parse(v).map(|d| Parsed { text: v, deb: Some(d) }),
            _ => self.is_valid(v).then_some(Parsed { text: v, deb: None }),
        }
    }

    /// Compares two versions parsed under this scheme.
    pub fn cmp_parsed(self, a: &Parsed<'_>, b: &Parsed<'_>) -> Ordering {
        match (self, &a.deb, &b.deb) {
            (Scheme::Deb, Some(x), Some(y)) => x.cmp(y),
            // Both parsed under this scheme, so the comparison cannot fail.
            _ => compare(self, a.text, b.text).unwrap_or(Ordering::Equal),
        }
    }
}

impl Parsed<'_> {
    /// The version as written.
    pub fn as_str(&self) -> &str {
        self.text
    }
}

/// Compares two versions under `scheme`; `None` when either does not parse (never a guess).
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    match scheme {
        Scheme::Deb => deb::compare(a, b),
        Scheme::Apk => apk::compare(a, b),
        Scheme::Rpm => rpm::compare(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_their_scheme() {
        for (eco, scheme) in [
            ("Debian:12", Some(Scheme::Deb)),
            ("Debian", Some(Scheme::Deb)),
            ("Ubuntu:22.04:LTS", Some(Scheme::Deb)),
            ("Ubuntu:Pro:14.04:LTS", Some(Scheme::Deb)),
            ("Alpine:v3.19", Some(Scheme::Apk)),
            ("Red Hat:enterprise_linux:9::appstream", Some(Scheme::Rpm)),
            ("Rocky Linux:9", Some(Scheme::Rpm)),
            ("AlmaLinux:9", Some(Scheme::Rpm)),
            ("PyPI", None),
            ("Debianish", None),
            ("", None),
        ] {
            assert_eq!(Scheme::of_ecosystem(eco), scheme, "{eco}");
        }
    }

    #[test]
    fn unparsable_versions_compare_as_none() {
        assert_eq!(compare(Scheme::Deb, "1.0 beta", "1.0"), None);
        assert_eq!(compare(Scheme::Deb, "", "1.0"), None);
        assert_eq!(compare(Scheme::Apk, "1.0bc", "1.0"), None);
        assert_eq!(compare(Scheme::Apk, "1.0", "-r1"), None);
        assert_eq!(compare(Scheme::Rpm, "", "1.0"), None);
        assert_eq!(compare(Scheme::Rpm, "x:1.0", "1.0"), None);
    }

    #[test]
    fn edge_cases_of_each_scheme() {
        use Ordering::*;
        assert_eq!(compare(Scheme::Deb, "1.0~rc1", "1.0"), Some(Less));
        assert_eq!(compare(Scheme::Deb, "1:0.9", "2.0"), Some(Greater));
        assert_eq!(compare(Scheme::Deb, "3.0.11-1~deb12u2", "3.0.11-1"), Some(Less));
        assert_eq!(compare(Scheme::Deb, "2.36.1-8+deb12u1", "2.36.1-8"), Some(Greater));
        assert_eq!(compare(Scheme::Apk, "1.0_rc1", "1.0"), Some(Less));
        assert_eq!(compare(Scheme::Apk, "1.0_p1", "1.0"), Some(Greater));
        assert_eq!(compare(Scheme::Apk, "1.2.12-r1", "1.2.12-r2"), Some(Less));
        assert_eq!(compare(Scheme::Rpm, "1.0~rc1", "1.0"), Some(Less));
        assert_eq!(compare(Scheme::Rpm, "1.0^git1", "1.0"), Some(Greater));
        assert_eq!(compare(Scheme::Rpm, "1:1.0-1.el9", "2.0-1.el9"), Some(Greater));
    }
}
