//! Renderers of ZeroDock's [`Report`]: one module per format. The engine produces the report; this
//! crate only formats it.
#![deny(missing_docs)]

pub mod catalogue;
pub mod json;
pub mod terminal;

pub use zerodock_engine::Report;
