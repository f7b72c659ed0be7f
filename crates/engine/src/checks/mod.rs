//! The check catalogue: one file per check, one folder per family.
//!
//! A check is declared once with [`declare_check!`]: metadata in fields, prose in the doc comment
//! (`## Rationale`, `## Evidence`, `## Remediation`, `## References`), and a pure predicate
//! `fn(&Snapshot) -> Vec<Finding>` that returns one finding per target. The same declaration feeds
//! `zerodock checks`, `zerodock explain`, the report, the docs pages and the UI.

use serde::Serialize;

use crate::report::{Category, Finding, IdentityAspect, Severity, TargetKind};
use crate::snapshot::Snapshot;

pub(crate) mod cis;
mod helpers;
pub(crate) mod prelude;
#[cfg(test)]
pub(crate) mod testing;

mod container;
mod daemon;
mod desktop;
#[cfg(test)]
mod engines;
mod host;
mod image;
/// IMG009's predicate with the policy's allowlist, called by `evaluate`.
pub(crate) use image::untrusted_image_source as trusted_images;
mod network;
pub(crate) mod policy;
mod secrets;
pub(crate) mod versions;
mod vulns;

/// Version of the catalogue; bumped when checks are added, removed or change meaning (2026.12.1:
/// CIS references are CIS Docker Benchmark v1.8.0 ids).
pub const CATALOGUE_VERSION: &str = "2026.12.1";

/// A pure predicate over a snapshot: one finding per target.
pub type Evaluate = fn(&Snapshot) -> Vec<Finding>;

/// A reference that backs a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Reference {
    /// A CIS Docker Benchmark **v1.8.0** recommendation id (`2.8`), or a range of them within one
    /// section (`3.1–3.14`, an en dash). `checks/cis.rs` lists every id; shown with its v1.6.0
    /// number (docker-bench-security's) where that differs.
    Cis(&'static str),
    /// A NIST SP 800-207 (Zero Trust Architecture) tenet or section.
    Nist(&'static str),
    /// A section of one of the product's seed documents.
    Seed(&'static str),
    /// A documentation page.
    Url(&'static str),
    /// The same rule in a peer tool (`Dockle DKL-DI-0006`, `Lynis CONT-8104`), for users who search
    /// by its id.
    Tool(&'static str),
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // `CIS Docker Benchmark v1.8.0 2.8 (v1.6.0: 2.7)`: the version, because CIS renumbers
            // between versions, and the old id, because docker-bench users search by it.
            Reference::Cis(id) => {
                write!(f, "CIS Docker Benchmark {} {id}", cis::VERSION)?;
                match cis::previous(id) {
                    Some(old) => write!(f, " ({}: {old})", cis::PREVIOUS_VERSION),
                    None => Ok(()),
                }
            }
            Reference::Nist(id) => write!(f, "NIST SP 800-207 {id}"),
            Reference::Seed(id) => write!(f, "{id}"),
            Reference::Url(url) => f.write_str(url),
            Reference::Tool(id) => f.write_str(id),
        }
    }
}

/// A check's definition: everything a user needs to act on it, and its predicate.
/// Results live apart, in [`crate::report::CheckResult`].
#[derive(Debug)]
pub struct Check {
    /// Stable code, e.g. `CTR001`. Never reused.
    pub code: &'static str,
    /// Name stating the risk, e.g. `privileged-container`.
    pub slug: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Area.
    pub category: Category,
    /// Catalogue severity.
    pub severity: Severity,
    /// The kind of object its findings are about.
    pub target: TargetKind,
    /// References (CIS, NIST SP 800-207, seed sections, docs).
    pub references: &'static [Reference],
    /// The doc comment: a summary paragraph, then `## Rationale`, `## Evidence`, `## Remediation`.
    /// `## References` is generated from [`Check::references`], so references are written once.
    pub doc: &'static str,
    /// The predicate.
    pub evaluate: Evaluate,
}

/// Sections every check's doc comment must have.
pub const DOC_SECTIONS: [&str; 4] = ["Rationale", "Evidence", "Remediation", "References"];

impl Check {
    /// The doc's first paragraph.
    pub fn summary(&self) -> String {
        let markdown = self.markdown();
        let head = markdown.split("\n## ").next().unwrap_or_default();
        normalise_paragraphs(head)
    }

    /// The text of a `## <name>` section of the doc, without its heading.
    pub fn section(&self, name: &str) -> Option<String> {
        let markdown = self.markdown();
        let mut lines = markdown.lines();
        lines.by_ref().find(|l| l.trim_start_matches('#').trim() == name && l.starts_with("## "))?;
        let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
        Some(body.join("\n").trim().to_owned())
    }

    /// The whole doc as Markdown (leading spaces of `///` comments removed), ending with the
    /// `## References` section generated from [`Check::references`].
    pub fn markdown(&self) -> String {
        let doc = self.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n");
        let mut out = doc.trim().to_owned();
        out.push_str("\n\n## References\n");
        for reference in self.references {
            out.push_str("- ");
            out.push_str(&reference.markdown());
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out
    }
}

impl Reference {
    /// One line of a check's `## References` section; a CIS id is followed by what it asks for, in
    /// our words, so the docs say what the number stands for.
    pub fn markdown(&self) -> String {
        match self {
            Reference::Cis(id) => match (cis::find(id), cis::expand(id), cis::section(id)) {
                (Some(recommendation), _, _) => format!("{self}: {}", recommendation.title),
                (None, Some(ids), Some(section)) => format!(
                    "{self}: {} recommendations of section {} ({})",
                    ids.len(),
                    section.prefix,
                    section.title
                ),
                _ => self.to_string(),
            },
            Reference::Seed(section) => format!("Seed document: {section}"),
            Reference::Url(url) => format!("<{url}>"),
            other => other.to_string(),
        }
    }
}

fn normalise_paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Declares a check as a `static` [`Check`] from a doc comment and fields (after ty's
/// `declare_lint!`). The doc comment is the single source of the check's prose.
#[macro_export]
#[doc(hidden)]
macro_rules! declare_check {
    (
        $(#[doc = $doc:literal])+
        $vis:vis static $name:ident = {
            code: $code:literal,
            slug: $slug:literal,
            title: $title:literal,
            category: $category:ident,
            severity: $severity:ident,
            target: $target:ident,
            references: [$($reference:expr),* $(,)?],
            evaluate: $evaluate:path $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        $vis static $name: $crate::checks::Check = $crate::checks::Check {
            code: $code,
            slug: $slug,
            title: $title,
            category: $crate::report::Category::$category,
            severity: $crate::report::Severity::$severity,
            target: $crate::report::TargetKind::$target,
            references: &[$($reference),*],
            doc: concat!($($doc, "\n"),+),
            evaluate: $evaluate,
        };
    };
}

/// Every family's checks. Registration is explicit (each family lists its checks in its
/// `mod.rs`); [`catalogue`] sorts them and tests assert unique codes.
static FAMILIES: &[&[&Check]] = &[
    container::CHECKS,
    daemon::CHECKS,
    host::CHECKS,
    desktop::CHECKS,
    image::CHECKS,
    network::CHECKS,
    secrets::CHECKS,
    versions::CHECKS,
    vulns::CHECKS,
    policy::CHECKS,
];

/// The checks whose verdict on the engine or host describes it: a report's identity card
/// (`Report::identity`), so no face has to name check codes to show it.
pub(crate) static IDENTITY: [(IdentityAspect, &Check); 4] = [
    (IdentityAspect::EngineVersion, &versions::engine_end_of_life::CHECK),
    (IdentityAspect::DataRootEncryption, &host::data_root_unencrypted::CHECK),
    (IdentityAspect::DiskEncryption, &host::root_filesystem_unencrypted::CHECK),
    (IdentityAspect::UserPrivileges, &host::root_equivalent_user::CHECK),
];

/// The catalogue, sorted by code.
///
/// # Panics
/// In debug builds, if two checks share a code or a slug (a programming error caught by tests).
pub fn catalogue() -> Vec<&'static Check> {
    let mut checks: Vec<&'static Check> = FAMILIES.iter().flat_map(|f| f.iter().copied()).collect();
    checks.sort_by_key(|c| c.code);
    debug_assert!(checks.windows(2).all(|w| w[0].code != w[1].code), "duplicate check code");
    checks
}

/// Looks a check up by code (`CTR001`) or slug (`privileged-container`), case-insensitively.
pub fn find(code_or_slug: &str) -> Option<&'static Check> {
    FAMILIES
        .iter()
        .flat_map(|f| f.iter().copied())
        .find(|c| c.code.eq_ignore_ascii_case(code_or_slug) || c.slug.eq_ignore_ascii_case(code_or_slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Manual checks whose evidence can never settle the question, so nothing passes: a pulled
    /// image's signature verification leaves no trace in the Engine API (IMG008); a swarm's listen
    /// address, secrets use and key rotation dates neither (DMN020, DMN022, DMN024). They need a
    /// manual case and a not-applicable one instead.
    const NEVER_PASSES: [&str; 4] = ["IMG008", "DMN020", "DMN022", "DMN024"];

    /// Every check has at least one failing (or warning) and one passing finding across the
    /// fixtures and their named variants, so none is tested only on one side.
    #[test]
    fn every_check_has_a_failing_and_a_passing_case() {
        let cases = testing::cases();
        for check in catalogue().into_iter().filter(|c| c.code != "POL001") {
            if check.code == trusted_images::CHECK.code {
                // Judged with an allowlist from the policy: pass and fail come from `judge`.
                let trusted = ["docker.io/zerodock/busybox".to_owned()];
                let statuses: Vec<crate::report::Status> = cases
                    .iter()
                    .flat_map(|(_, snap)| trusted_images::judge(snap, &trusted))
                    .map(|f| f.status)
                    .collect();
                assert!(statuses.contains(&crate::report::Status::Pass), "IMG009: no passing case");
                assert!(statuses.contains(&crate::report::Status::Fail), "IMG009: no failing case");
                continue;
            }
            if NEVER_PASSES.contains(&check.code) {
                let statuses: Vec<crate::report::Status> = cases
                    .iter()
                    .flat_map(|(_, snap)| testing::findings(check, snap))
                    .map(|f| f.status)
                    .collect();
                assert!(statuses.contains(&crate::report::Status::Manual), "{}: no manual case", check.code);
                assert!(
                    statuses.contains(&crate::report::Status::NotApplicable),
                    "{}: no not-applicable case",
                    check.code
                );
                assert!(
                    !statuses.contains(&crate::report::Status::Pass),
                    "{} passed: it must not",
                    check.code
                );
                continue;
            }
            let statuses: Vec<crate::report::Status> =
                cases.iter().flat_map(|(_, snap)| testing::findings(check, snap)).map(|f| f.status).collect();
            assert!(
                // A manual check's "failing" side is the case a person must confirm.
                statuses.iter().any(|s| {
                    matches!(
                        s,
                        crate::report::Status::Fail
                            | crate::report::Status::Warn
                            | crate::report::Status::Manual
                    )
                }),
                "{}: no failing case in any fixture or variant",
                check.code
            );
            assert!(
                statuses.contains(&crate::report::Status::Pass),
                "{}: no passing case in any fixture or variant",
                check.code
            );
        }
    }
    /// Placeholders in snippets are UPPER_CASE words: a `<placeholder>` pasted into a shell is a
    /// redirection from a file of that name.
    #[test]
    fn snippets_have_no_angle_bracket_placeholders() {
        let mut found = Vec::new();
        for (case, snap) in testing::cases() {
            for check in catalogue() {
                for finding in testing::findings(check, &snap) {
                    for snippet in &finding.remediation {
                        let bracketed = snippet.code.match_indices('<').any(|(i, _)| {
                            snippet.code[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic())
                        });
                        if bracketed {
                            found.push(format!(
                                "{} on {case} ({}): `{}`",
                                check.code, finding.target.name, snippet.code
                            ));
                        }
                    }
                }
            }
        }
        assert!(found.is_empty(), "placeholders in snippets:\n{}", found.join("\n"));
    }
}
