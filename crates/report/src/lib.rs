//! Renderers of ZeroDock's [`Report`]: one module per format. The engine produces the report; this
//! crate only formats it. [`export`] is the one entry point for files (CLI and desktop app alike).
#![deny(missing_docs)]

pub mod catalogue;
pub mod export;
pub mod html;
pub mod json;
pub mod markdown;
pub mod pdf;
pub mod reveal;
pub mod sarif;
mod shared;
#[cfg(feature = "sign")]
pub mod signed;
pub mod terminal;
mod vulns;

pub use export::{ExportError, ExportFormat, ExportOptions};
pub use zerodock_engine::Report;
