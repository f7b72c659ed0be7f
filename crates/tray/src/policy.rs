//! The policy file in the tray (`docs/waivers.md`): read at start and after every edit, its rules
//! handed to the watcher (and to the image scan's evaluations), its waivers shown in the
//! dashboard. *Accept risk…* and the Waivers list change it through the engine's
//! `evaluate::waiver::edit` (the text) and `evaluate::waiver::file` (the file), the code
//! `zerodock waive`/`unwaive` runs, so the app writes exactly what the CLI writes.
//!
//! Which file: `ZERODOCK_POLICY` when set (a project's file), else the default
//! `$XDG_CONFIG_HOME/zerodock/policy.toml` the CLI reads when none is named.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use zerodock_engine::checks;
use zerodock_engine::evaluate::Policy;
use zerodock_engine::evaluate::waiver::{self, edit, file};

use crate::error::CommandError;
use crate::model::{PolicyState, PolicyWaiver, WaiverInput};

/// Names the policy file, as for the CLI (a project's file instead of the default one).
pub const POLICY_ENV: &str = "ZERODOCK_POLICY";

/// The policy file the tray uses: [`POLICY_ENV`], else the default path (`None`: no home).
pub fn path_from_env() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os(POLICY_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(named));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    waiver::default_path(std::env::var_os("XDG_CONFIG_HOME").as_deref(), home.as_deref())
}

/// The policy file as read: what the dashboard shows, and the rules for the watcher (`None`: no
/// file, or one that cannot be applied — `state.error` says why).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// What the dashboard shows.
    pub state: PolicyState,
    /// What the scans apply.
    pub rules: Option<Policy>,
    /// The file's modification time and size when read, to notice an edit made elsewhere
    /// (`zerodock waive`, an editor) without reading it on every scan.
    pub stamp: Option<Stamp>,
}

/// When a file was last changed, and its size: what [`stamp`] compares.
pub type Stamp = (std::time::SystemTime, u64);

/// The policy file's [`Stamp`] now (`None`: it does not exist or cannot be read).
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reads the policy file at `path`. Never fails: an unreadable or refused file is reported in
/// `state.error` and the scans run without it (as if there were none), rather than the tray
/// refusing to start.
pub fn load(path: Option<&Path>) -> Loaded {
    let default_by =
        ["USER", "LOGNAME"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
    let Some(path) = path else {
        return Loaded {
            state: PolicyState { default_by, ..PolicyState::default() },
            rules: None,
            stamp: None,
        };
    };
    let mut state =
        PolicyState { path: Some(path.display().to_string()), default_by, ..PolicyState::default() };
    let stamp = stamp(path);
    let read = match file::read(path) {
        Ok(read) => read,
        Err(e) => {
            state.error = Some(e.to_string());
            return Loaded { state, rules: None, stamp };
        }
    };
    state.exists = read.exists;
    match Policy::from_toml(&read.text) {
        Ok(rules) => {
            state.waivers = rules
                .waivers
                .iter()
                .map(|w| PolicyWaiver {
                    check: checks::find(&w.check).map_or_else(|| w.check.clone(), |c| c.code.to_owned()),
                    target: w.target.clone(),
                    reason: w.reason.clone(),
                    by: w.by.clone(),
                    expires: w.expires.map(|d| d.to_string()),
                })
                .collect();
            Loaded { state, rules: read.exists.then_some(rules), stamp }
        }
        Err(e) => {
            state.error = Some(format!("{}: {e}", path.display()));
            Loaded { state, rules: None, stamp }
        }
    }
}

/// Adds the waiver `input` asks for to the file at `path`, or updates the one for the same check
/// and target; returns what it did, for the user. `today` judges a past expiry (UTC, as the
/// scans judge expiry).
///
/// # Errors
/// `invalid_argument` when the engine refuses the waiver (unknown check, no reason, a past or
/// malformed expiry, a file it would refuse); `internal` when the file cannot be written.
pub fn waive(path: &Path, input: &WaiverInput, today: NaiveDate) -> Result<String, CommandError> {
    let expires = match input.expires.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            CommandError::invalid_argument(format!("`{text}` is not a date: expected YYYY-MM-DD"))
        })?),
        None => None,
    };
    let by = input.by.as_deref().map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned);
    let request = edit::WaiverRequest {
        check: input.check.clone(),
        target: input.target.clone(),
        reason: input.reason.trim().to_owned(),
        by,
        expires,
    };
    let read = file::read(path).map_err(|e| CommandError::internal(e.to_string()))?;
    let (text, outcome) = edit::waive(&read.text, &request, today).map_err(|e| refused(path, e))?;
    file::write(&read.real, &text).map_err(|e| CommandError::internal(e.to_string()))?;
    let code = checks::find(&input.check).map_or(input.check.as_str(), |c| c.code);
    let target = input.target.as_deref().unwrap_or("*");
    Ok(match outcome {
        edit::WaiveOutcome::Added => format!("Accepted the risk of {code} / {target} in {}.", path.display()),
        edit::WaiveOutcome::Updated { previous } => format!(
            "Updated the waiver for {code} / {target} in {} (it said: \"{}\"{}).",
            path.display(),
            previous.reason,
            previous.expires.map_or_else(|| ", no expiry".to_owned(), |d| format!(", until {d}")),
        ),
    })
}

/// Removes the waiver for `check` and `target` (`None`: the one for every object) from the file
/// at `path`; returns what it did, for the user.
///
/// # Errors
/// `invalid_argument` when there is no such waiver (or no file); `internal` when the file cannot
/// be written.
pub fn unwaive(path: &Path, check: &str, target: Option<&str>) -> Result<String, CommandError> {
    let read = file::read(path).map_err(|e| CommandError::internal(e.to_string()))?;
    if !read.exists {
        return Err(CommandError::invalid_argument(format!(
            "There is no policy file at {}, so no waiver to remove.",
            path.display()
        )));
    }
    let (text, removed) = edit::unwaive(&read.text, check, target).map_err(|e| refused(path, e))?;
    file::write(&read.real, &text).map_err(|e| CommandError::internal(e.to_string()))?;
    let code = checks::find(check).map_or(check, |c| c.code);
    Ok(format!("Removed the waiver for {code} / {} from {}.", removed.target, path.display()))
}

fn refused(path: &Path, e: zerodock_engine::Error) -> CommandError {
    CommandError::invalid_argument(format!("{e} (policy file {})", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITTEN: &str = "# Our team's accepted risks. Reviewed monthly.\n\n[severity]\nCTR019 = \"info\" # we monitor externally\n\n# Portainer needs the socket.\n[[waiver]]\ncheck = \"docker-socket-mounted\"\ntarget = \"portainer\"\nreason = \"Portainer manages this host\" # behind SSO\n";

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zerodock-tray-policy-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir.join("policy.toml")
    }

    fn input(check: &str, target: Option<&str>, reason: &str) -> WaiverInput {
        WaiverInput {
            check: check.into(),
            target: target.map(Into::into),
            reason: reason.into(),
            by: Some("alice".into()),
            expires: Some("2099-12-31".into()),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
    }

    #[test]
    fn waive_and_unwaive_edit_the_real_file_keeping_comments_and_order() {
        let path = temp("edit");
        std::fs::write(&path, WRITTEN).expect("write");
        let message =
            waive(&path, &input("CTR019", None, "Health is watched externally"), today()).expect("waived");
        assert!(message.starts_with("Accepted the risk of CTR019 / *"), "{message}");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with(WRITTEN), "everything the user wrote is kept as written:\n{text}");
        assert!(text.contains("check = \"CTR019\"\ntarget = \"*\"\nreason = \"Health is watched externally\"\nby = \"alice\"\nexpires = \"2099-12-31\""), "{text}");

        // The same check and target again: updated, not duplicated; the comment on its line stays.
        let message =
            waive(&path, &input("docker-socket-mounted", Some("portainer"), "Still needed"), today())
                .expect("updated");
        assert!(message.contains("it said: \"Portainer manages this host\""), "{message}");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.matches("[[waiver]]").count(), 2, "{text}");
        assert!(text.contains("reason = \"Still needed\" # behind SSO"), "{text}");

        let loaded = load(Some(&path));
        assert!(loaded.state.exists && loaded.state.error.is_none(), "{:?}", loaded.state);
        let checks: Vec<(&str, &str)> =
            loaded.state.waivers.iter().map(|w| (w.check.as_str(), w.target.as_str())).collect();
        assert_eq!(checks, [("CTR003", "portainer"), ("CTR019", "*")], "codes, in file order");
        assert_eq!(loaded.rules.expect("applied").waivers.len(), 2);

        let message = unwaive(&path, "CTR003", Some("portainer")).expect("removed");
        assert!(message.starts_with("Removed the waiver for CTR003 / portainer"), "{message}");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("# Our team's accepted risks. Reviewed monthly.\n\n[severity]\nCTR019 = \"info\" # we monitor externally\n"), "{text}");
        assert!(!text.contains("portainer"), "{text}");
        let err = unwaive(&path, "CTR003", Some("portainer")).expect_err("gone");
        assert_eq!(err.code, crate::error::ErrorCode::InvalidArgument, "{err}");
        let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn refusals_leave_the_file_as_it_was() {
        let path = temp("refused");
        std::fs::write(&path, WRITTEN).expect("write");
        for (bad, why) in [
            (input("CTR019", None, "  "), "reason"),
            (input("NOPE01", None, "x"), "no check"),
            (WaiverInput { expires: Some("2020-01-01".into()), ..input("CTR019", None, "x") }, "past"),
            (WaiverInput { expires: Some("31/12/2099".into()), ..input("CTR019", None, "x") }, "not a date"),
        ] {
            let err = waive(&path, &bad, today()).expect_err(why);
            assert_eq!(err.code, crate::error::ErrorCode::InvalidArgument, "{why}: {err}");
            assert!(err.message.contains(why), "{why}: {err}");
        }
        assert_eq!(std::fs::read_to_string(&path).expect("read"), WRITTEN);

        // A file the scanner refuses: reported, not applied, not edited.
        std::fs::write(&path, "[[waiver]]\ncheck = \"CTR003\"\n").expect("write");
        let loaded = load(Some(&path));
        assert!(loaded.rules.is_none());
        assert!(loaded.state.error.as_deref().is_some_and(|e| e.contains("reason")), "{:?}", loaded.state);
        assert!(waive(&path, &input("CTR019", None, "x"), today()).is_err());

        // No file yet: nothing applied, no error; the first waiver creates it (and its directory).
        let fresh = path.parent().expect("dir").join("new/policy.toml");
        let loaded = load(Some(&fresh));
        assert!(!loaded.state.exists && loaded.state.error.is_none() && loaded.rules.is_none());
        assert!(unwaive(&fresh, "CTR019", None).is_err());
        waive(&fresh, &input("CTR019", None, "x"), today()).expect("created");
        assert!(load(Some(&fresh)).state.exists);
        let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
    }
}
