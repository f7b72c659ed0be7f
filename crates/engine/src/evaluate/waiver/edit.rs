//! Editing the policy file: add, update or remove one `[[waiver]]` in the user's TOML text while
//! keeping their comments, blank lines and order (`toml_edit`). Text in, text out, no file I/O and
//! no clock, so `zerodock waive`/`unwaive` and the desktop app's "Accept risk…" share it.
//!
//! The result is always re-read with [`Policy::from_toml`] before it is handed back: an edit can
//! never produce a file the scanner would refuse.

use chrono::NaiveDate;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use super::{Policy, Waiver};
use crate::checks;

/// A waiver to add (or to update, when one for the same check and target exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRequest {
    /// Check code or slug; it must be in the catalogue.
    pub check: String,
    /// One target (name or id prefix); `None` waives every object of the check (`*`).
    pub target: Option<String>,
    /// Why the risk is accepted: required, as the policy parser requires it.
    pub reason: String,
    /// Who accepted it (for the people reading the file later).
    pub by: Option<String>,
    /// Last day the waiver applies; it must not be in the past.
    pub expires: Option<NaiveDate>,
}

/// What [`waive`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaiveOutcome {
    /// A new `[[waiver]]` was appended after the existing ones.
    Added,
    /// A waiver for the same check and target existed and now says what the request says.
    Updated {
        /// The waiver as it was before.
        previous: Waiver,
    },
}

/// Adds a waiver to the policy `text`, or updates the one for the same check and target (a
/// second waiver for the same pair would make which reason applies arbitrary). `today` decides
/// whether `expires` is already past. Returns the new text.
pub fn waive(
    text: &str,
    request: &WaiverRequest,
    today: NaiveDate,
) -> Result<(String, WaiveOutcome), crate::Error> {
    let check = known_check(&request.check)?;
    if request.reason.trim().is_empty() {
        return Err(refused(format!(
            "a waiver needs a reason: say why the risk of {} ({}) is accepted",
            check.code, check.slug
        )));
    }
    if let Some(expires) = request.expires
        && expires < today
    {
        return Err(refused(format!(
            "expiry {expires} is in the past (today is {today}): the waiver would never apply"
        )));
    }
    let target = target_of(request.target.as_deref())?;
    let mut doc = parse(text)?;
    // A file of comments only (a header, a template) is all "trailing" text, which is printed
    // after every table: it becomes the first table's prefix, so it stays a header. Notes after
    // existing tables stay at the end, as written.
    let trailing = if doc.as_table().is_empty() {
        doc.trailing().as_str().unwrap_or_default().to_owned()
    } else {
        String::new()
    };
    let waivers = waiver_tables(&mut doc, true)?.expect("created on demand");
    let existing = position(waivers, check.code, &target);
    let mut took_trailing = false;
    let outcome = match existing {
        Some(index) => {
            let table = waivers.get_mut(index).expect("index from position");
            let previous = read_back(table)?;
            set(table, "reason", request.reason.as_str().into());
            set_or_remove(table, "by", request.by.as_deref().map(Value::from));
            set_or_remove(table, "expires", request.expires.map(|d| Value::from(d.to_string())));
            WaiveOutcome::Updated { previous }
        }
        None => {
            // The slug reads better in a file ("allow docker-socket-mounted"), but what the user
            // typed is what they will search for: keep the code if they gave the code.
            let written =
                if request.check.eq_ignore_ascii_case(check.code) { check.code } else { check.slug };
            let mut table = Table::new();
            table.insert("check", toml_edit::value(written));
            table.insert("target", toml_edit::value(target.as_str()));
            table.insert("reason", toml_edit::value(request.reason.as_str()));
            if let Some(by) = &request.by {
                table.insert("by", toml_edit::value(by.as_str()));
            }
            if let Some(expires) = request.expires {
                table.insert("expires", toml_edit::value(expires.to_string()));
            }
            if !trailing.trim().is_empty() {
                let gap = if waivers.is_empty() && !trailing.ends_with("\n\n") { "\n" } else { "" };
                table.decor_mut().set_prefix(format!("{trailing}{gap}"));
                took_trailing = true;
            }
            waivers.push(table);
            WaiveOutcome::Added
        }
    };
    if took_trailing {
        doc.set_trailing("");
    }
    Ok((checked(doc)?, outcome))
}

/// Removes the waiver for `check` and `target` (`None`: the one for every object, `*`) from the
/// policy `text`. Returns the new text and the waiver removed; an error names the waivers the check
/// does have when none matches.
pub fn unwaive(text: &str, check: &str, target: Option<&str>) -> Result<(String, Waiver), crate::Error> {
    let found = known_check(check)?;
    let target = target_of(target)?;
    let mut doc = parse(text)?;
    // Waivers alone: the comments above the first one may be the file's header (see `waive`).
    let only_waivers = doc.as_table().len() == 1;
    let Some(waivers) = waiver_tables(&mut doc, false)? else {
        return Err(refused(format!("the policy has no waivers, so none for {} / {target}", found.code)));
    };
    let Some(index) = position(waivers, found.code, &target) else {
        let others: Vec<String> = waivers
            .iter()
            .filter(|t| {
                t.get("check").and_then(Item::as_str).and_then(checks::find).map(|c| c.code)
                    == Some(found.code)
            })
            .map(|t| t.get("target").and_then(Item::as_str).unwrap_or("*").to_owned())
            .collect();
        let hint = if others.is_empty() {
            String::new()
        } else {
            format!("; its waivers target: {} (name one)", others.join(", "))
        };
        return Err(refused(format!("no waiver for {} / {target}{hint}", found.code)));
    };
    let table = waivers.get(index).expect("index from position");
    let removed = read_back(table)?;
    let prefix = table.decor().prefix().and_then(|p| p.as_str()).unwrap_or_default().to_owned();
    waivers.remove(index);
    if index == 0
        && only_waivers
        && !prefix.trim().is_empty()
        && let Some(next) = waivers.get_mut(0)
    {
        // The header stays at the top, above what is now the first waiver.
        let own = next.decor().prefix().and_then(|p| p.as_str()).unwrap_or_default().trim_start_matches('\n');
        let joined = format!("{prefix}{own}");
        next.decor_mut().set_prefix(joined);
    }
    if waivers.is_empty() {
        doc.remove("waiver");
        // The last table of a file that began as comments only carried them (see `waive`):
        // they go back to being the whole file rather than disappear with it.
        if doc.as_table().is_empty() && !prefix.trim().is_empty() {
            doc.set_trailing(format!("{}\n", prefix.trim_end()));
        }
    }
    Ok((checked(doc)?, removed))
}

fn refused(detail: String) -> crate::Error {
    crate::Error::WaiverEdit(detail)
}

fn known_check(name: &str) -> Result<&'static checks::Check, crate::Error> {
    checks::find(name).ok_or_else(|| refused(format!("no check is called `{name}` (see `zerodock checks`)")))
}

fn target_of(target: Option<&str>) -> Result<String, crate::Error> {
    match target.map(str::trim) {
        None => Ok("*".to_owned()),
        Some("") => Err(refused(
            "an empty target: name a container, image or network, or leave it out for all".into(),
        )),
        Some(t) => Ok(t.to_owned()),
    }
}

fn parse(text: &str) -> Result<DocumentMut, crate::Error> {
    // A file the scanner refuses is not edited: the user would not see which of their lines is wrong.
    Policy::from_toml(text)?;
    text.parse::<DocumentMut>()
        .map_err(|e| crate::Error::MalformedInput { what: "policy file", detail: e.to_string() })
}

/// The `[[waiver]]` tables; `create` adds the key when the file has none yet.
fn waiver_tables(doc: &mut DocumentMut, create: bool) -> Result<Option<&mut ArrayOfTables>, crate::Error> {
    if doc.get("waiver").is_none() {
        if !create {
            return Ok(None);
        }
        doc.insert("waiver", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    match doc.get_mut("waiver") {
        Some(Item::ArrayOfTables(tables)) => Ok(Some(tables)),
        // `waiver = [{…}]` parses the same but cannot take a commented table: say so, not rewrite it.
        _ => Err(refused(
            "the waivers are written as an inline array (`waiver = [...]`): write them as [[waiver]] tables to edit them with zerodock".into(),
        )),
    }
}

/// Where the waiver for this check (by code, whichever name the file uses) and target is.
fn position(waivers: &ArrayOfTables, code: &str, target: &str) -> Option<usize> {
    waivers.iter().position(|t| {
        t.get("check").and_then(Item::as_str).and_then(checks::find).is_some_and(|c| c.code == code)
            && t.get("target").and_then(Item::as_str).unwrap_or("*") == target
    })
}

/// One `[[waiver]]` table read as the parser reads it.
fn read_back(table: &Table) -> Result<Waiver, crate::Error> {
    let mut doc = DocumentMut::new();
    let mut one = ArrayOfTables::new();
    one.push(table.clone());
    doc.insert("waiver", Item::ArrayOfTables(one));
    let mut policy = Policy::from_toml(&doc.to_string())?;
    Ok(policy.waivers.remove(0))
}

/// Replaces a value, keeping the comment after it on its line.
fn set(table: &mut Table, key: &str, value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = value;
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

fn set_or_remove(table: &mut Table, key: &str, value: Option<Value>) {
    match value {
        Some(value) => set(table, key, value),
        None => {
            table.remove(key);
        }
    }
}

fn checked(doc: DocumentMut) -> Result<String, crate::Error> {
    let text = doc.to_string();
    Policy::from_toml(&text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::fixture;
    use crate::evaluate::{EvalConfig, evaluate};

    /// A file as people write them: comments above and beside entries, severity first.
    const FILE: &str = r#"# ZeroDock policy for the build hosts.
# Reviewed every quarter by the platform team.

[severity]
CTR019 = "info"   # we monitor health externally

# Portainer needs the socket; access is behind SSO.
[[waiver]]
check = "docker-socket-mounted"
target = "portainer"
reason = "Portainer manages this host by design"   # ticket OPS-12
expires = "2027-03-31"

# The CI runner builds images as root for now.
[[waiver]]
check = "CTR002"
target = "ci-runner"
reason = "Rootless builds land in Q3"

# Trailing notes stay at the end.
"#;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 15).expect("date")
    }

    fn request(check: &str, target: Option<&str>, reason: &str) -> WaiverRequest {
        WaiverRequest {
            check: check.to_owned(),
            target: target.map(str::to_owned),
            reason: reason.to_owned(),
            by: None,
            expires: None,
        }
    }

    #[test]
    fn waive_appends_after_the_last_waiver_keeping_comments_and_order() {
        let mut new = request("privileged-container", Some("node-exporter"), "Needs /proc of the host");
        new.by = Some("ops@example.com".to_owned());
        new.expires = NaiveDate::from_ymd_opt(2027, 6, 30);
        let (text, outcome) = waive(FILE, &new, today()).expect("added");
        assert_eq!(outcome, WaiveOutcome::Added);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn waiving_the_same_check_and_target_updates_it() {
        // By code this time: the file names the check by slug, it is the same waiver.
        let mut again = request("CTR003", Some("portainer"), "Portainer, behind SSO and MFA");
        again.by = Some("alice".to_owned());
        let (text, outcome) = waive(FILE, &again, today()).expect("updated");
        let WaiveOutcome::Updated { previous } = outcome else { panic!("{outcome:?}") };
        assert_eq!(previous.reason, "Portainer manages this host by design");
        assert_eq!(previous.expires, NaiveDate::from_ymd_opt(2027, 3, 31));
        assert_eq!(text.matches("[[waiver]]").count(), 2, "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_target_and_all_objects_are_different_waivers() {
        let (text, outcome) = waive(FILE, &request("CTR003", None, "Lab host"), today()).expect("added");
        assert_eq!(outcome, WaiveOutcome::Added);
        assert_eq!(text.matches("[[waiver]]").count(), 3);
        assert!(text.contains("target = \"*\""), "{text}");
    }

    #[test]
    fn waive_into_an_empty_or_missing_file() {
        let (text, _) = waive("", &request("CTR001", Some("web"), "Vendor image"), today()).expect("added");
        assert_eq!(text, "[[waiver]]\ncheck = \"CTR001\"\ntarget = \"web\"\nreason = \"Vendor image\"\n");
    }

    #[test]
    fn a_file_of_comments_only_keeps_them_as_its_header() {
        let only_comments = "# Accepted risks, reviewed monthly.\n";
        let (text, _) =
            waive(only_comments, &request("CTR001", None, "Vendor image"), today()).expect("added");
        assert_eq!(
            text,
            "# Accepted risks, reviewed monthly.\n\n[[waiver]]\ncheck = \"CTR001\"\ntarget = \"*\"\nreason = \"Vendor image\"\n"
        );
        let (two, _) = waive(&text, &request("CTR019", None, "Monitored"), today()).expect("added");
        let (one, _) = unwaive(&two, "CTR001", None).expect("removed");
        assert!(
            one.starts_with("# Accepted risks, reviewed monthly.\n\n[[waiver]]\ncheck = \"CTR019\""),
            "{one}"
        );
        let (text, _) = unwaive(&text, "CTR001", None).expect("removed");
        assert_eq!(text, only_comments, "back to the comments alone");
    }

    #[test]
    fn unwaive_removes_only_that_waiver() {
        let (text, removed) = unwaive(FILE, "CTR002", Some("ci-runner")).expect("removed");
        assert_eq!(removed.reason, "Rootless builds land in Q3");
        insta::assert_snapshot!(text);
        let (text, _) = unwaive(&text, "docker-socket-mounted", Some("portainer")).expect("removed");
        assert!(!text.contains("[[waiver]]"), "{text}");
        assert!(text.contains("CTR019 = \"info\"   # we monitor health externally"), "{text}");
        assert!(Policy::from_toml(&text).expect("valid").waivers.is_empty());
    }

    #[test]
    fn unwaive_without_a_match_names_the_targets_it_has() {
        let err = unwaive(FILE, "CTR003", None).expect_err("no * waiver").to_string();
        assert_eq!(err, "no waiver for CTR003 / *; its waivers target: portainer (name one)");
        let err = unwaive(FILE, "CTR001", Some("web")).expect_err("none").to_string();
        assert_eq!(err, "no waiver for CTR001 / web");
        let err = unwaive("", "CTR001", None).expect_err("none").to_string();
        assert!(err.contains("no waivers"), "{err}");
    }

    #[test]
    fn refusals_leave_nothing_half_done() {
        let mut past = request("CTR001", Some("web"), "r");
        past.expires = NaiveDate::from_ymd_opt(2027, 1, 14);
        let err = waive(FILE, &past, today()).expect_err("past").to_string();
        assert!(err.contains("2027-01-14 is in the past"), "{err}");
        past.expires = Some(today());
        assert!(waive(FILE, &past, today()).is_ok(), "the last day may be today");

        let err = waive(FILE, &request("CTR999", None, "r"), today()).expect_err("unknown").to_string();
        assert!(err.contains("no check is called `CTR999`"), "{err}");
        let err = unwaive(FILE, "no-such-check", None).expect_err("unknown").to_string();
        assert!(err.contains("no check is called `no-such-check`"), "{err}");

        let err = waive(FILE, &request("CTR001", None, "  "), today()).expect_err("no reason").to_string();
        assert!(err.contains("needs a reason"), "{err}");
        let err = waive(FILE, &request("CTR001", Some(" "), "r"), today()).expect_err("empty").to_string();
        assert!(err.contains("empty target"), "{err}");

        let broken = "[[waiver]]\ncheck = \"CTR001\"\n";
        let err = waive(broken, &request("CTR002", None, "r"), today()).expect_err("broken").to_string();
        assert!(err.contains("malformed policy file"), "{err}");
        let inline = "waiver = [{ check = \"CTR001\", reason = \"r\" }]\n";
        let err = waive(inline, &request("CTR002", None, "r"), today()).expect_err("inline").to_string();
        assert!(err.contains("inline array"), "{err}");
    }

    #[test]
    fn a_waiver_written_here_is_one_the_scanner_applies() {
        // zd-docker-sock mounts the socket in the captured default engine (see waiver.rs's tests).
        let mut new = request("docker-socket-mounted", Some("zd-docker-sock"), "Accepted for the test");
        new.by = Some("tester".to_owned());
        new.expires = NaiveDate::from_ymd_opt(2027, 2, 1);
        let (text, _) = waive("", &new, today()).expect("added");
        let policy = Policy::from_toml(&text).expect("the parser reads what waive wrote");
        assert_eq!(
            policy.waivers,
            vec![Waiver {
                check: "docker-socket-mounted".to_owned(),
                target: "zd-docker-sock".to_owned(),
                reason: "Accepted for the test".to_owned(),
                by: Some("tester".to_owned()),
                expires: NaiveDate::from_ymd_opt(2027, 2, 1),
            }]
        );
        let at = |date: NaiveDate| date.and_hms_opt(12, 0, 0).expect("time").and_utc();
        let mut config = EvalConfig::at(at(today()));
        config.policy = policy;
        let report = evaluate(&fixture("default"), &config);
        let used = report.waivers.iter().find(|w| w.check == "CTR003").expect("recorded");
        assert_eq!((used.matched, used.expired), (1, false), "{used:?}");
        let ctr003 = report.checks.iter().find(|c| c.id == "CTR003").expect("ran");
        let waived: Vec<&str> =
            ctr003.findings.iter().filter(|f| f.waived.is_some()).map(|f| f.target.name.as_str()).collect();
        assert_eq!(waived, ["zd-docker-sock"]);

        // And unwaive takes it back out: the finding fails again.
        let (text, _) = unwaive(&text, "CTR003", Some("zd-docker-sock")).expect("removed");
        config.policy = Policy::from_toml(&text).expect("valid");
        let report = evaluate(&fixture("default"), &config);
        let ctr003 = report.checks.iter().find(|c| c.id == "CTR003").expect("ran");
        assert!(ctr003.findings.iter().all(|f| f.waived.is_none()));
        assert_eq!(ctr003.status, crate::report::Status::Fail);
    }
}
