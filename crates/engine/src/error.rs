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
    /// A change to the policy file was refused (unknown check, no reason, a past expiry, nothing
    /// to remove); the file is left as it was.
    #[error("{0}")]
    WaiverEdit(String),
}

/// Refuses a saved snapshot or report whose `schema_version` this build does not read, before the
/// full parse: a clear "version 2 is not supported" beats a confusing missing-field error. Only the
/// one field is materialised, so a large file is not parsed into a tree first.
pub(crate) fn check_schema_version(text: &str, what: &'static str, supported: u32) -> Result<(), Error> {
    #[derive(serde::Deserialize)]
    struct Header {
        schema_version: Option<u64>,
        tool: Option<serde::de::IgnoredAny>,
        collected_at: Option<serde::de::IgnoredAny>,
    }
    let header: Header =
        serde_json::from_str(text).map_err(|e| Error::MalformedInput { what, detail: e.to_string() })?;
    // The two saved kinds are easy to mix up: say which command reads the one given.
    if what == "snapshot" && header.tool.is_some() {
        return Err(Error::MalformedInput {
            what,
            detail: "this is a report, not a snapshot: render it with `zerodock report --from FILE`"
                .to_owned(),
        });
    }
    if what == "report" && header.tool.is_none() && header.collected_at.is_some() {
        return Err(Error::MalformedInput {
            what,
            detail: "this is a snapshot, not a report: evaluate it with `zerodock scan --from FILE`"
                .to_owned(),
        });
    }
    match header.schema_version {
        Some(v) if v == u64::from(supported) => Ok(()),
        other => Err(Error::MalformedInput {
            what,
            detail: format!(
                "schema_version {} is not supported (this build reads {supported})",
                other.map_or_else(|| "missing".to_owned(), |v| v.to_string())
            ),
        }),
    }
}
