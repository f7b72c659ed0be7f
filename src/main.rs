//! `zerodock`: scan a Docker host for its Zero Trust posture. Thin: arguments → engine → renderer →
//! exit code (0 ok, 1 findings at or above `--fail-on`, 2 error; a closed pipe is not an error).

mod cli;
mod history;
mod metrics;
mod trust;
mod vulns;
mod waive;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "zerodock: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
