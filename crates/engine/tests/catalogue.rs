//! Catalogue invariants (cargo-deny `codes_unique` style) and the generated docs pages
//! (`docs/checks/`), checked for drift: set `ZERODOCK_BLESS=1` to regenerate.

use std::collections::BTreeSet;
use std::fmt::Write;

use zerodock_engine::checks::DOC_SECTIONS;
use zerodock_engine::{Category, Check, catalogue};

#[test]
fn codes_and_slugs_are_unique_and_well_formed() {
    let checks = catalogue();
    let codes: BTreeSet<&str> = checks.iter().map(|c| c.code).collect();
    let slugs: BTreeSet<&str> = checks.iter().map(|c| c.slug).collect();
    assert_eq!(codes.len(), checks.len(), "duplicate code");
    assert_eq!(slugs.len(), checks.len(), "duplicate slug");
    for c in &checks {
        let prefix = match c.category {
            Category::Host => "HST",
            Category::Desktop => "DSK",
            Category::Versions => "VER",
            Category::Daemon => "DMN",
            Category::Containers => "CTR",
            Category::Images => "IMG",
            Category::Network => "NET",
            Category::Secrets => "SEC",
            Category::Policy => "POL",
            Category::Vulnerabilities => "VUL",
        };
        assert!(
            c.code.len() == 6
                && c.code.starts_with(prefix)
                && c.code[3..].chars().all(|d| d.is_ascii_digit()),
            "{}",
            c.code
        );
        assert!(
            c.slug.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "{}",
            c.slug
        );
    }
}

#[test]
fn the_catalogue_covers_every_area_of_the_seeds() {
    let checks = catalogue();
    assert!(checks.len() >= 30, "at least 30 checks, have {}", checks.len());
    for category in Category::ALL {
        assert!(checks.iter().any(|c| c.category == category), "no check in {category:?}");
    }
}

#[test]
fn every_check_documents_itself() {
    for c in catalogue() {
        let summary = c.summary();
        assert!(
            !summary.is_empty() && !summary.contains('#'),
            "{}: summary must be the first paragraph: {summary}",
            c.code
        );
        for section in DOC_SECTIONS {
            let body = c.section(section).unwrap_or_else(|| panic!("{}: missing `## {section}`", c.code));
            assert!(body.len() > 20, "{}: `## {section}` is too short", c.code);
        }
        assert!(!c.references.is_empty(), "{}: no reference", c.code);
        // References are written once, in the `references` field: the doc's section is generated.
        assert!(
            !c.doc.contains("## References"),
            "{}: write references in the `references` field, not in the doc comment",
            c.code
        );
        assert!(!c.title.is_empty() && c.title.len() < 80, "{}: title", c.code);
    }
}

fn page(c: &Check) -> String {
    let mut out = format!("# {} `{}` — {}\n\n", c.code, c.slug, c.title);
    let _ = writeln!(
        out,
        "| category | severity | target |\n|---|---|---|\n| {} | {} | {:?} |\n",
        c.category.title(),
        c.severity,
        c.target
    );
    // Sections become level-3 headings under the page's level-1 title.
    out.push_str(format!("\n{}", c.markdown()).replace("\n## ", "\n### ").trim_start());
    out.push_str(
        "\n\n---\nGenerated from the catalogue (`crates/engine/src/checks/`); do not edit by hand.\n",
    );
    out
}

fn index(checks: &[&Check]) -> String {
    let mut out = String::from(
        "# Check catalogue\n\nOne page per check, generated from the code. `zerodock checks` lists them; `zerodock explain CODE` prints one.\n",
    );
    for category in Category::ALL {
        let _ = writeln!(
            out,
            "\n## {}\n\n| code | slug | severity | title |\n|---|---|---|---|",
            category.title()
        );
        for c in checks.iter().filter(|c| c.category == category) {
            let _ = writeln!(
                out,
                "| [{}]({}.md) | `{}` | {} | {} |",
                c.code, c.code, c.slug, c.severity, c.title
            );
        }
    }
    out
}

#[test]
fn docs_pages_match_the_catalogue() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks");
    let checks = catalogue();
    let mut expected: Vec<(String, String)> =
        checks.iter().map(|c| (format!("{}.md", c.code), page(c))).collect();
    expected.push(("README.md".to_owned(), index(&checks)));
    if std::env::var_os("ZERODOCK_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create docs/checks");
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).expect("write page");
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let on_disk = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && on_disk == expected.len(),
        "docs/checks is out of date ({stale:?}, {on_disk} files for {} pages): run `ZERODOCK_BLESS=1 cargo test -p zerodock-engine --test catalogue`",
        expected.len()
    );
}
