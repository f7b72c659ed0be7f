//! ZeroDock's vulnerability management: what the images in use contain (an SBOM) and which known
//! vulnerabilities affect them, matched offline against a local OSV database.
//!
//! The pipeline, one module per step:
//! - [`image`]: an image's `docker save` archive, streamed from the engine (`GET /images/{id}/get`,
//!   read-only), layers applied in order with whiteouts, keeping only the files that matter.
//! - [`packages`]: those files → the base OS and the installed packages (dpkg, apk, rpm).
//! - [`version`]: each ecosystem's own version ordering (Debian, Alpine, RPM).
//! - [`osv`] and [`db`]: OSV records, imported from an ecosystem's `all.zip` into a local index.
//! - [`matcher`]: packages × database → vulnerabilities.
//! - [`sbom`]: CycloneDX 1.5 and SPDX 2.3 documents.
//! - [`import`]: other scanners' output (Trivy, Grype, SARIF) read into the same findings.
//! - [`scan`]: the whole step for every image in use, cached by image id.
#![deny(missing_docs)]

pub mod db;
pub mod eol;
pub mod image;
pub mod import;
pub mod matcher;
pub mod osv;
pub mod packages;
pub mod sbom;
pub mod scan;
pub mod version;
