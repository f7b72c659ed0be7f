//! The version orderings against the real tools: `dpkg --compare-versions` (Debian's dpkg),
//! rpm 4.18's `rpm.vercmp` (Debian's `rpm` package, installed by `cargo xtask deps`), and
//! apk-tools' own test list `testdata/version/apk-version.data` (apk-tools is not packaged for
//! Debian). Property cases are few by default; `ZERODOCK_PROPTEST_CASES=5000` for a long run.

use std::cmp::Ordering;
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::Config;
use zerodock_vuln::version::{Scheme, apk_is_valid, compare};

fn cases(default: u32) -> u32 {
    std::env::var("ZERODOCK_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn num() -> impl Strategy<Value = String> {
    // Small numbers so that equal segments (and so deeper comparisons) are common; a leading zero
    // now and then.
    prop_oneof![4 => (0u32..12).prop_map(|n| n.to_string()), 1 => Just("01".to_string()), 1 => (0u32..20000).prop_map(|n| n.to_string())]
}

fn dotted() -> impl Strategy<Value = String> {
    prop::collection::vec(num(), 1..4).prop_map(|v| v.join("."))
}

/// Realistic Debian versions: epochs, `~rc`/`~beta` pre-releases, `+dfsg`, letters, revisions
/// with `~deb12u1`, `+deb12u1`, `ubuntu0.22.04.1`.
fn deb_version() -> impl Strategy<Value = String> {
    let epoch = prop_oneof![4 => Just(String::new()), 1 => (0u32..3).prop_map(|e| format!("{e}:"))];
    let upstream_tail = prop_oneof![
        4 => Just(String::new()),
        1 => num().prop_map(|n| format!("~rc{n}")),
        1 => Just("~beta".to_string()),
        1 => Just("+dfsg".to_string()),
        1 => Just("a".to_string()),
        1 => Just("+really1.0".to_string()),
        1 => Just("~~".to_string()),
    ];
    let revision = prop_oneof![
        2 => Just(String::new()),
        3 => num().prop_map(|n| format!("-{n}")),
        2 => (num(), 11u32..14, num()).prop_map(|(n, d, u)| format!("-{n}~deb{d}u{u}")),
        2 => (num(), 11u32..14, num()).prop_map(|(n, d, u)| format!("-{n}+deb{d}u{u}")),
        1 => (num(), num()).prop_map(|(n, u)| format!("-{n}ubuntu0.22.04.{u}")),
        1 => (num(), num()).prop_map(|(n, u)| format!("-{n}.{u}")),
    ];
    (epoch, dotted(), upstream_tail, revision).prop_map(|(e, u, t, r)| format!("{e}{u}{t}{r}"))
}

/// Realistic RPM EVRs: epochs, `~rc` and `^git` versions, `.el9`/`.fc40` releases.
fn rpm_version() -> impl Strategy<Value = String> {
    let epoch = prop_oneof![4 => Just(String::new()), 1 => (0u32..3).prop_map(|e| format!("{e}:"))];
    let tail = prop_oneof![
        4 => Just(String::new()),
        1 => num().prop_map(|n| format!("~rc{n}")),
        1 => num().prop_map(|n| format!("^git{n}")),
        1 => Just("~".to_string()),
        1 => Just("^".to_string()),
        1 => Just("a".to_string()),
        1 => Just("_1".to_string()),
    ];
    let release = prop_oneof![
        1 => Just(String::new()),
        2 => num().prop_map(|n| format!("-{n}")),
        2 => (num(), 8u32..10).prop_map(|(n, el)| format!("-{n}.el{el}")),
        1 => (num(), num()).prop_map(|(n, m)| format!("-{n}.el9_{m}")),
        1 => num().prop_map(|n| format!("-{n}.fc40")),
        1 => num().prop_map(|n| format!("-0.{n}.rc1")),
    ];
    (epoch, dotted(), tail, release).prop_map(|(e, v, t, r)| format!("{e}{v}{t}{r}"))
}

/// Realistic apk versions: a letter, `_rc`/`_p`/`_alpha` suffixes with numbers, `-r` revisions.
fn apk_version() -> impl Strategy<Value = String> {
    let letter =
        prop_oneof![5 => Just(String::new()), 1 => Just("a".to_string()), 1 => Just("k".to_string())];
    let suffix = prop::collection::vec(
        (
            prop::sample::select(vec!["alpha", "beta", "pre", "rc", "p", "git", "cvs"]),
            prop::option::of(num()),
        ),
        0..2,
    )
    .prop_map(|v| v.into_iter().map(|(s, n)| format!("_{s}{}", n.unwrap_or_default())).collect::<String>());
    let rev = prop_oneof![1 => Just(String::new()), 3 => num().prop_map(|n| format!("-r{n}"))];
    (dotted(), letter, suffix, rev).prop_map(|(d, l, s, r)| format!("{d}{l}{s}{r}"))
}

fn dpkg(a: &str, op: &str, b: &str) -> bool {
    let status = Command::new("dpkg").args(["--compare-versions", a, op, b]).status().expect("dpkg runs");
    status.success()
}

fn dpkg_order(a: &str, b: &str) -> Ordering {
    if dpkg(a, "lt", b) {
        Ordering::Less
    } else if dpkg(a, "eq", b) {
        Ordering::Equal
    } else {
        Ordering::Greater
    }
}

/// rpm's own answers for many pairs in one `rpm --eval` (one process per batch, not per pair).
fn rpm_orders(pairs: &[(String, String)]) -> Vec<Ordering> {
    let body: String =
        pairs.iter().map(|(a, b)| format!("print(rpm.vercmp([[{a}]], [[{b}]])) print(' ')\n")).collect();
    let out = Command::new("rpm")
        .args(["--eval", &format!("%{{lua:\n{body}}}")])
        .output()
        .expect("rpm runs (cargo xtask deps installs Debian's rpm package)");
    assert!(out.status.success(), "rpm failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let orders: Vec<Ordering> = text
        .split_whitespace()
        .map(|n| match n {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            other => panic!("rpm.vercmp printed {other:?}"),
        })
        .collect();
    assert_eq!(orders.len(), pairs.len(), "one answer per pair: {text}");
    orders
}

proptest! {
    #![proptest_config(Config { cases: cases(200), ..Config::default() })]

    #[test]
    fn deb_agrees_with_dpkg(a in deb_version(), b in deb_version()) {
        prop_assert_eq!(compare(Scheme::Deb, &a, &b), Some(dpkg_order(&a, &b)), "{} vs {}", a, b);
    }

    #[test]
    fn apk_is_a_total_order_on_realistic_versions(a in apk_version(), b in apk_version(), c in apk_version()) {
        let ab = compare(Scheme::Apk, &a, &b).expect("generated versions are valid");
        prop_assert_eq!(compare(Scheme::Apk, &b, &a), Some(ab.reverse()));
        let bc = compare(Scheme::Apk, &b, &c).expect("valid");
        if ab == bc && ab != Ordering::Equal {
            prop_assert_eq!(compare(Scheme::Apk, &a, &c), Some(ab), "{} {} {}", a, b, c);
        }
    }
}

proptest! {
    // Each case is a batch of 50 pairs answered by one rpm process.
    #![proptest_config(Config { cases: cases(200).div_ceil(25), ..Config::default() })]

    #[test]
    fn rpm_agrees_with_rpm_vercmp(pairs in prop::collection::vec((rpm_version(), rpm_version()), 50)) {
        let want = rpm_orders(&pairs);
        for ((a, b), want) in pairs.iter().zip(want) {
            prop_assert_eq!(compare(Scheme::Rpm, a, b), Some(want), "{} vs {}", a, b);
        }
    }
}

/// Hand-picked pairs both tools must agree on, kept as a fixed list so a regression names them.
#[test]
fn rpm_edge_cases_agree_with_rpm() {
    let pairs: Vec<(String, String)> = [
        ("1.0~rc1", "1.0"),
        ("1.0^git1", "1.0"),
        ("1.0^git1", "1.0.1"),
        ("1.0~rc1^git1", "1.0~rc1"),
        ("1:1.0", "2.0"),
        ("0:1.0", "1.0"),
        ("1.0", "1.0-1"),
        ("1.0-1.el9", "1.0-1.el9_1"),
        ("1.01", "1.1"),
        ("1.a", "1.1"),
        ("1..0", "1.0"),
        ("2.5.0-13.el9_4.1", "2.5.0-13.el9_4"),
        ("10", "9"),
        ("a", "b"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    for ((a, b), want) in pairs.iter().zip(rpm_orders(&pairs)) {
        assert_eq!(compare(Scheme::Rpm, a, b), Some(want), "{a} vs {b}");
    }
}

#[test]
fn deb_edge_cases_agree_with_dpkg() {
    for (a, b) in [
        ("1.0~rc1", "1.0"),
        ("1.0~~", "1.0~"),
        ("1:0.1", "2.0"),
        ("3.0.11-1~deb12u2", "3.0.11-1"),
        ("2.36.1-8+deb12u1", "2.36.1-8"),
        ("1.2.1-2.2+wheezy3", "1.2.1-2.2"),
        ("1.0-1", "1.0-1.1"),
        ("1.0a", "1.0+"),
        ("0:1.0", "1.0"),
    ] {
        assert_eq!(compare(Scheme::Deb, a, b), Some(dpkg_order(a, b)), "{a} vs {b}");
    }
}

/// Every line of apk-tools' `version.data` that states an order or a validity; fuzzy (`~`)
/// assertions are skipped (ZeroDock has no use for apk's prefix match) and counted.
#[test]
fn apk_agrees_with_apk_tools_test_list() {
    let data = include_str!("../testdata/version/apk-version.data");
    let (mut checked, mut fuzzy) = (0, 0);
    for raw in data.lines() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [v] => {
                let (v, want_valid) = v.strip_prefix('!').map_or((*v, true), |v| (v, false));
                assert_eq!(apk_is_valid(v), want_valid, "validity of {v:?} ({raw})");
            }
            [a, op, b] => {
                let (op, invert) = op.strip_prefix('!').map_or((*op, false), |op| (op, true));
                if op.contains('~') {
                    fuzzy += 1;
                    continue;
                }
                let got = compare(Scheme::Apk, a, b);
                if !apk_is_valid(a) || !apk_is_valid(b) {
                    // apk orders invalid versions by their valid prefix; we refuse to.
                    assert_eq!(got, None, "{raw}");
                    continue;
                }
                let got = got.unwrap_or_else(|| panic!("valid versions compare: {raw}"));
                let sym = match got {
                    Ordering::Less => '<',
                    Ordering::Equal => '=',
                    Ordering::Greater => '>',
                };
                assert!(op.contains(sym) != invert, "apk says {raw}, we say {a} {sym} {b}");
            }
            _ => panic!("unexpected line {raw:?}"),
        }
        checked += 1;
    }
    assert!(checked > 700, "the list was read: {checked} assertions");
    assert!(fuzzy < 60, "fuzzy lines skipped: {fuzzy}");
}
