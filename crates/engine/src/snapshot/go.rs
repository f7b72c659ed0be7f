//! How Go (dockerd, the docker CLI) reads the text values the snapshot keeps verbatim: reading them
//! the way dockerd does is part of understanding the evidence, so every stage that interprets a
//! flag or a bridge option uses this one reading.

/// A boolean as Go's `strconv.ParseBool` reads it, which is how dockerd's flags and Docker's
/// `--security-opt` values are parsed: `1 t T TRUE true True` and `0 f F FALSE false False`.
/// Anything else is not a boolean (dockerd would refuse it).
pub(crate) fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_go_bool;

    #[test]
    fn go_booleans() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(t), Some(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(f), Some(false), "{f}");
        }
        for other in ["", "yes", "no", "tRUE", "2", "on"] {
            assert_eq!(parse_go_bool(other), None, "{other}");
        }
    }
}
