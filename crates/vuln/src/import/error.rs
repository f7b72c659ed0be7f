//! What can go wrong reading another scanner's output: each error names the format expected and,
//! inside a recognised format, the field.

use std::fmt;

/// A scanner output format ZeroDock reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// `trivy image --format json`.
    Trivy,
    /// `grype -o json`.
    Grype,
    /// SARIF 2.1.0 (`docker scout cves --format sarif`, `trivy --format sarif`, `grype -o sarif`).
    Sarif,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Trivy => "Trivy JSON",
            Format::Grype => "Grype JSON",
            Format::Sarif => "SARIF 2.1.0",
        })
    }
}

/// Why a scanner's output could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes are not a JSON document.
    #[error(
        "not JSON at line {line}, column {column} ({reason}): expected Trivy JSON, Grype JSON or SARIF 2.1.0"
    )]
    NotJson {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// JSON, but none of the formats ZeroDock reads.
    #[error(
        "unrecognised scanner output (found {found}): expected Trivy JSON (`ArtifactName`, `SchemaVersion`, \
         `Results`), Grype JSON (`matches`, `source`, `descriptor`) or SARIF 2.1.0 (`version`, `runs`)"
    )]
    UnknownFormat {
        /// What the document holds instead (its top-level keys, or its JSON type).
        found: String,
    },
    /// A field of a recognised format is missing or of the wrong type.
    #[error("{format}: `{path}` {problem}")]
    Field {
        /// The format the document was recognised as.
        format: Format,
        /// The field's path from the document root (`Results[0].Vulnerabilities[2].PkgName`).
        path: String,
        /// What is wrong with it and what was expected.
        problem: String,
    },
}
