//! The error every command returns: a stable snake_case `code` the UI can switch on and a `message`
//! for humans (GitButler's pattern). Defined in `zerodock_tray::error`, because the tray answers the
//! dashboard's forwarded requests with the same error over its socket; re-exported here so the
//! commands and the generated bindings name it as before.

pub use zerodock_tray::error::{CommandError, ErrorCode};
