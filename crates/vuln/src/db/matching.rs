//! Evaluating OSV ranges for one installed version, with the ecosystem's own ordering.

use std::cmp::Ordering;

use rusqlite::params;

use super::{Database, Error, Match, Result, parse_time, severity_from_i64};
use crate::osv::Event;
use crate::version::{Parsed, Scheme};

pub(super) fn matches(db: &Database, ecosystem: &str, package: &str, version: &str) -> Result<Vec<Match>> {
    let scheme =
        Scheme::of_ecosystem(ecosystem).ok_or_else(|| Error::UnknownEcosystem(ecosystem.to_string()))?;
    let Some(installed) = scheme.parse(version) else {
        return Err(Error::Version { ecosystem: ecosystem.to_string(), version: version.to_string() });
    };
    // Two steps: the ranges of the package's rows first, the record's columns only for rows that
    // match (most rows of a patched image do not).
    let mut stmt = db
        .conn
        .prepare_cached(
            "SELECT rid, ranges, versions, severity, severity_source FROM affected
             WHERE ecosystem = ?1 AND package = ?2",
        )
        .map_err(|e| db.sqlite(e))?;
    let mut hits: Vec<(i64, Option<String>, i64, String)> = Vec::new();
    let mut rows = stmt.query(params![ecosystem, package]).map_err(|e| db.sqlite(e))?;
    while let Some(row) = rows.next().map_err(|e| db.sqlite(e))? {
        let get = |i| row.get_ref(i).ok().and_then(|v| v.as_str().ok()).unwrap_or_default();
        // Written by our own import; unreadable JSON would be a damaged file, read as "no range".
        let ranges: Vec<Vec<Event>> = serde_json::from_str(get(1)).unwrap_or_default();
        let versions: Vec<String> = serde_json::from_str(get(2)).unwrap_or_default();
        let Some(fixed) = affects(scheme, &installed, &ranges, &versions) else { continue };
        let rid: i64 = row.get(0).map_err(|e| db.sqlite(e))?;
        hits.push((rid, fixed, row.get(3).map_err(|e| db.sqlite(e))?, row.get(4).map_err(|e| db.sqlite(e))?));
    }
    drop(rows);
    let mut record = db
        .conn
        .prepare_cached("SELECT id, aliases, summary, modified FROM records WHERE rid = ?1")
        .map_err(|e| db.sqlite(e))?;
    let mut out: Vec<Match> = Vec::new();
    for (rid, fixed, severity, severity_source) in hits {
        let (id, aliases, summary, modified) = record
            .query_row(params![rid], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| db.sqlite(e))?;
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

/// Whether the installed version is affected by these ranges or listed versions; if so, the
/// first fixed version above it (`None`: no fix yet).
pub(crate) fn affects(
    scheme: Scheme,
    installed: &Parsed<'_>,
    ranges: &[Vec<Event>],
    versions: &[String],
) -> Option<Option<String>> {
    let mut affected = versions
        .iter()
        .filter_map(|v| scheme.parse(v))
        .any(|v| scheme.cmp_parsed(installed, &v) == Ordering::Equal);
    let mut fixed: Option<Parsed<'_>> = None;
    for events in ranges {
        if let Some(f) = in_range(scheme, installed, events) {
            affected = true;
            // Several ranges may match (one per fix line): the lowest fix above the version.
            fixed = match (fixed, f) {
                (Some(a), Some(b)) => Some(if scheme.cmp_parsed(&b, &a) == Ordering::Less { b } else { a }),
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
            .filter_map(|e| e.fixed.as_deref().and_then(|f| scheme.parse(f)))
            .filter(|f| scheme.cmp_parsed(f, installed) == Ordering::Greater)
            .min_by(|a, b| scheme.cmp_parsed(a, b));
    }
    Some(fixed.map(|f| f.as_str().to_string()))
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
/// first `fixed` above the installed version.
fn in_range<'e>(scheme: Scheme, installed: &Parsed<'_>, events: &'e [Event]) -> Option<Option<Parsed<'e>>> {
    // `None` as the version stands for `introduced: "0"`, below everything.
    let mut evs: Vec<(Kind, Option<Parsed<'e>>)> = Vec::with_capacity(events.len() + 1);
    for e in events {
        for (kind, v) in [
            (Kind::Introduced, &e.introduced),
            (Kind::Fixed, &e.fixed),
            (Kind::LastAffected, &e.last_affected),
            (Kind::Limit, &e.limit),
        ] {
            let Some(v) = v else { continue };
            if kind == Kind::Introduced && v == "0" {
                evs.push((kind, None));
                continue;
            }
            match scheme.parse(v) {
                Some(p) => evs.push((kind, Some(p))),
                None => {
                    tracing::debug!(version = v, "range event version does not parse; range not evaluated");
                    return None;
                }
            }
        }
    }
    // The schema requires an `introduced`; a range with only a `fixed` (seen in converted distro
    // data) is read as affecting everything below it, the safe reading.
    if !evs.iter().any(|(k, _)| *k == Kind::Introduced) {
        evs.push((Kind::Introduced, None));
    }
    evs.sort_by(|(_, a), (_, b)| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => scheme.cmp_parsed(a, b),
    });
    // The installed version against an event: "0" is below everything.
    let cmp =
        |v: &Option<Parsed<'_>>| v.as_ref().map_or(Ordering::Greater, |v| scheme.cmp_parsed(installed, v));
    let mut affected = false;
    for (kind, v) in &evs {
        let c = cmp(v);
        match kind {
            Kind::Introduced if c != Ordering::Less => affected = true,
            Kind::Fixed | Kind::Limit if c != Ordering::Less => affected = false,
            Kind::LastAffected if c == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    if !affected {
        return None;
    }
    Some(evs.into_iter().find(|(k, v)| *k == Kind::Fixed && cmp(v) == Ordering::Less).and_then(|(_, v)| v))
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

    fn affects(
        scheme: Scheme,
        v: &str,
        ranges: &[Vec<Event>],
        versions: &[String],
    ) -> Option<Option<String>> {
        super::affects(scheme, &scheme.parse(v).expect("valid"), ranges, versions)
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
