//! Errors of the engine's public API. Each message says what happened and what to do.

/// An error from collection or from reading saved input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A snapshot, report or policy file could not be parsed.
    #[error("malformed {what}: {detail}")]
    MalformedInput {
        /// What was being read.
        what: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// The Docker endpoint could not be resolved (bad `DOCKER_HOST`, unknown context).
    #[error("cannot choose a Docker endpoint: {0}")]
    Endpoint(String),
}
