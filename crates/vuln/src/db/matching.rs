//! Evaluating OSV ranges for one installed version, with the ecosystem's own ordering.

use std::cmp::Ordering;

use rusqlite::params;

use super::{Database, Error, Match, Result, parse_time, severity_from_i64};
use crate::osv::Event;
use crate::version::{Scheme, compare};

pub(super) fn matches(db: &Database, ecosystem: &str, package: &str, version: &str) -> Result<Vec<Match>> {
    let scheme =
        Scheme::of_ecosystem(ecosystem).ok_or_else(|| Error::UnknownEcosystem(ecosystem.to_string()))?;
    if !scheme.is_valid(version) {
        return Err(Error::Version { ecosystem: ecosystem.to_string(), version: version.to_string() });
    }
    let mut stmt = db
        .conn
        .prepare_cached(
            "SELECT r.id, r.aliases, r.summary, r.modified, a.ranges, a.versions, a.severity, a.severity_source
             FROM affected a JOIN records r ON r.rid = a.rid
             WHERE a.ecosystem = ?1 AND a.package = ?2",
        )
        .map_err(|e| db.sqlite(e))?;
    let rows = stmt
        .query_map(params![ecosystem, package], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .map_err(|e| db.sqlite(e))?;
    let mut out: Vec<Match> = Vec::new();
    for row in rows {
        let (id, aliases, summary, modified, ranges, versions, severity, severity_source) =
            row.map_err(|e| db.sqlite(e))?;
        // Written by our own import; unreadable JSON would be a damaged file, read as "no range".
        let ranges: Vec<Vec<Event>> = serde_json::from_str(&ranges).unwrap_or_default();
        let versions: Vec<String> = serde_json::from_str(&versions).unwrap_or_default();
        let Some(fixed) = affects(scheme, version, &ranges, &versions) else { continue };
        if out.iter().any(|m| m.id == id) {
            continue;
        }
        out.push(Match {
            id,
            aliases: serde_json::from_str(&aliases).unwrap_or_default(),
            summary,
            fixed,
            severity: severity_from_i64(severity),
            severity_source,
            modified: parse_time(&modified).unwrap_or_default(),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Whether `version` is affected by these ranges or listed versions; if so, the first fixed
/// version above it (`None`: no fix yet).
pub(crate) fn affects(
    scheme: Scheme,
    version: &str,
    ranges: &[Vec<Event>],
    versions: &[String],
) -> Option<Option<String>> {
    let mut affected = versions.iter().any(|v| compare(scheme, version, v) == Some(Ordering::Equal));
    let mut fixed: Option<String> = None;
    for events in ranges {
        if let Some(f) = in_range(scheme, version, events) {
            affected = true;
            // Several ranges may match (one per fix line): the lowest fix above the version.
            fixed = match (fixed, f) {
                (Some(a), Some(b)) => {
                    Some(if compare(scheme, &b, &a) == Some(Ordering::Less) { b } else { a })
                }
                (a, b) => a.or(b),
            };
        }
    }
    if !affected {
        return None;
    }
    if fixed.is_none() {
        // A version listed explicitly: the fix, if any, is the next fixed event above it.
        fixed = ranges
            .iter()
            .flatten()
            .filter_map(|e| e.fixed.as_deref())
            .filter(|f| compare(scheme, f, version) == Some(Ordering::Greater))
            .min_by(|a, b| compare(scheme, a, b).unwrap_or(Ordering::Equal))
            .map(str::to_string);
    }
    Some(fixed)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// OSV's range evaluation (schema "Evaluation"): walk the events in version order; `introduced`
/// turns "affected" on, `fixed` and `limit` turn it off at or above them, `last_affected` above
/// it. `None` when not affected or when an event's version does not parse (no guess); else the
/// first `fixed` above `version`.
fn in_range(scheme: Scheme, version: &str, events: &[Event]) -> Option<Option<String>> {
    let mut evs: Vec<(Kind, &str)> = Vec::new();
    for e in events {
        for (kind, v) in [
            (Kind::Introduced, &e.introduced),
            (Kind::Fixed, &e.fixed),
            (Kind::LastAffected, &e.last_affected),
            (Kind::Limit, &e.limit),
        ] {
            if let Some(v) = v {
                let start = kind == Kind::Introduced && v == "0";
                if !start && !scheme.is_valid(v) {
                    tracing::debug!(version = v, "range event version does not parse; range not evaluated");
                    return None;
                }
                evs.push((kind, v));
            }
        }
    }
    // The schema requires an `introduced`; a range with only a `fixed` (seen in converted distro
    // data) is read as affecting everything below it, the safe reading.
    if !evs.iter().any(|(k, _)| *k == Kind::Introduced) {
        evs.push((Kind::Introduced, "0"));
    }
    // `introduced: 0` first, then by version (every version was checked to parse above).
    let is_zero = |(k, v): &(Kind, &str)| *k == Kind::Introduced && *v == "0";
    evs.sort_by(|a, b| {
        is_zero(b).cmp(&is_zero(a)).then_with(|| compare(scheme, a.1, b.1).unwrap_or(Ordering::Equal))
    });
    let cmp = |v: &str| compare(scheme, version, v).unwrap_or(Ordering::Less);
    let mut affected = false;
    for (kind, v) in &evs {
        match kind {
            Kind::Introduced => {
                if *v == "0" || cmp(v) != Ordering::Less {
                    affected = true;
                }
            }
            Kind::Fixed | Kind::Limit => {
                if cmp(v) != Ordering::Less {
                    affected = false;
                }
            }
            Kind::LastAffected => {
                if cmp(v) == Ordering::Greater {
                    affected = false;
                }
            }
        }
    }
    if !affected {
        return None;
    }
    Some(evs.iter().find(|(k, v)| *k == Kind::Fixed && cmp(v) == Ordering::Less).map(|(_, v)| v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, v: &str) -> Event {
        let mut e = Event::default();
        let s = Some(v.to_string());
        match kind {
            "i" => e.introduced = s,
            "f" => e.fixed = s,
            "l" => e.last_affected = s,
            _ => e.limit = s,
        }
        e
    }

    #[test]
    fn range_semantics() {
        let d = Scheme::Deb;
        let r = vec![vec![ev("i", "0"), ev("f", "1.0-2")]];
        assert_eq!(affects(d, "1.0-1", &r, &[]), Some(Some("1.0-2".into())));
        assert_eq!(affects(d, "1.0-2", &r, &[]), None);
        assert_eq!(affects(d, "1.0~rc1-1", &r, &[]), Some(Some("1.0-2".into())));
        // Two affected windows in one range.
        let r = vec![vec![ev("i", "1.0"), ev("f", "2.0"), ev("i", "3.0"), ev("f", "4.0")]];
        assert_eq!(affects(d, "0.9", &r, &[]), None);
        assert_eq!(affects(d, "2.5", &r, &[]), None);
        assert_eq!(affects(d, "3.5", &r, &[]), Some(Some("4.0".into())));
        // last_affected includes itself; limit excludes itself and is no fix.
        let r = vec![vec![ev("i", "0"), ev("l", "1.5")]];
        assert_eq!(affects(d, "1.5", &r, &[]), Some(None));
        assert_eq!(affects(d, "1.5.1", &r, &[]), None);
        let r = vec![vec![ev("i", "1.0"), ev("x", "2.0")]];
        assert_eq!(affects(d, "1.9", &r, &[]), Some(None));
        assert_eq!(affects(d, "2.0", &r, &[]), None);
        // No fix yet.
        assert_eq!(affects(d, "9:9", &[vec![ev("i", "0")]], &[]), Some(None));
        // Explicit versions list.
        assert_eq!(affects(d, "1:2.0-1", &[], &["1:2.0-1".to_string()]), Some(None));
        assert_eq!(affects(d, "2.0-1", &[], &["1:2.0-1".to_string()]), None);
        // An unparsable event version: no guess.
        assert_eq!(affects(d, "1.0", &[vec![ev("i", "0"), ev("f", "not a version")]], &[]), None);
    }
}
