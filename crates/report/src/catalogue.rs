//! The check catalogue as text: `zerodock checks` and `zerodock explain`.

use std::fmt::Write;

use owo_colors::OwoColorize;
use zerodock_engine::{Category, Check};

/// One line per check, grouped by category.
pub fn list(checks: &[&Check], color: bool) -> String {
    let mut out = String::new();
    for category in Category::ALL {
        let in_category: Vec<_> = checks.iter().filter(|c| c.category == category).collect();
        if in_category.is_empty() {
            continue;
        }
        let heading = category.title().to_uppercase();
        let _ = writeln!(out, "{}", if color { heading.bold().to_string() } else { heading });
        for check in in_category {
            let _ = writeln!(
                out,
                "  {}  {:<8}  {:<38}  {}",
                check.code,
                check.severity.as_str(),
                check.slug,
                check.title
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{} checks. `zerodock explain CODE` prints one in full.", checks.len());
    out
}

/// A check's full documentation as Markdown-ish text.
pub fn explain(check: &Check) -> String {
    let mut out = format!(
        "{} {} — {}\ncategory: {} · severity: {} · target: {:?}\n\n",
        check.code,
        check.slug,
        check.title,
        check.category.title(),
        check.severity,
        check.target
    );
    out.push_str(&check.markdown());
    out.push('\n');
    out
}
