//! Parsers against real files (this machine's dpkg status, `dpkg-query`), hand-written records of
//! each format, and layer attribution over in-memory archives.

use std::process::Command;

use super::*;
use crate::image::read_archive;
use crate::image::tests::{legacy_archive, tar_of};

#[test]
fn os_release_of_each_distribution() {
    let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n";
    let os = parse_os_release(debian).expect("debian");
    assert_eq!((os.id.as_str(), os.version_id.as_str()), ("debian", "12"));
    assert_eq!(os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(os.ecosystem.as_deref(), Some("Debian:12"));
    assert_eq!(os.end_of_life, None);
    let sid = "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\nVERSION_CODENAME=trixie\n";
    assert_eq!(parse_os_release(sid).expect("sid").ecosystem, None);
    let jammy =
        "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nID=ubuntu\n";
    assert_eq!(parse_os_release(jammy).expect("ubuntu").ecosystem.as_deref(), Some("Ubuntu:22.04:LTS"));
    let mantic = "NAME=\"Ubuntu\"\nVERSION_ID=\"23.10\"\nVERSION=\"23.10 (Mantic Minotaur)\"\nID=ubuntu\n";
    assert_eq!(parse_os_release(mantic).expect("ubuntu").ecosystem.as_deref(), Some("Ubuntu:23.10"));
    let alpine = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n";
    let os = parse_os_release(alpine).expect("alpine");
    assert_eq!(os.ecosystem.as_deref(), Some("Alpine:v3.19"));
    assert_eq!(os.pretty_name, "Alpine Linux v3.19");
    assert_eq!(parse_os_release("ID=fedora\nVERSION_ID=39\n").expect("fedora").ecosystem, None);
    assert_eq!(parse_os_release("NAME=x\n# ID=debian\n"), None);
    assert_eq!(os_release_fields("A='it''s'\nB=\"q\\\"x\"\n")[1], ("B".to_owned(), "q\"x".to_owned()));
}

#[test]
fn os_release_of_this_machine() {
    let text = std::fs::read_to_string("/etc/os-release").expect("this machine has /etc/os-release");
    let os = parse_os_release(&text).expect("parses");
    let field = |k: &str| {
        let out = Command::new("sh").arg("-c").arg(format!(". /etc/os-release; printf %s \"${k}\"")).output();
        String::from_utf8(out.expect("sh runs").stdout).expect("utf-8")
    };
    assert_eq!(os.id, field("ID"));
    assert_eq!(os.version_id, field("VERSION_ID"));
    assert_eq!(os.pretty_name, field("PRETTY_NAME"));
}

#[test]
fn dpkg_status_of_this_machine_equals_dpkg_query() {
    let status = std::fs::read("/var/lib/dpkg/status").expect("this machine runs dpkg");
    let ours: Vec<String> = parse_dpkg_status(&String::from_utf8_lossy(&status), true)
        .iter()
        .map(|p| format!("{} {} {} {}", p.name, p.version, p.source_name, p.source_version))
        .collect();
    let out = Command::new("dpkg-query")
        .args(["-W", "-f", "${db:Status-Status} ${Package} ${Version} ${source:Package} ${source:Version}\n"])
        .output()
        .expect("dpkg-query runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("installed "))
        .map(str::to_owned)
        .collect();
    let (mut ours, mut theirs) = (ours, theirs);
    ours.sort();
    theirs.sort();
    assert!(theirs.len() > 50, "dpkg-query lists {} installed packages", theirs.len());
    assert_eq!(ours, theirs);
}

const STATUS: &str = "\
Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit
 This package is part of the OpenSSL project.
 .
 Source: not a field

Package: openssl
Status: deinstall ok config-files
Architecture: amd64
Version: 3.0.9-1

Package: login
Status: hold ok installed
Architecture: amd64
Source: shadow
Version: 1:4.13+dfsg1-1+b1
";

#[test]
fn dpkg_entries_source_and_status() {
    let pkgs = parse_dpkg_status(STATUS, true);
    assert_eq!(pkgs.len(), 2, "{pkgs:?}");
    assert_eq!(
        pkgs[0],
        DpkgPackage {
            name: "libssl3".into(),
            version: "3.0.11-1~deb12u2".into(),
            source_name: "openssl".into(),
            source_version: "3.0.11-1~deb12u2".into(),
            arch: "amd64".into()
        }
    );
    assert_eq!(
        (pkgs[1].source_name.as_str(), pkgs[1].source_version.as_str()),
        ("shadow", "1:4.13+dfsg1-1+b1")
    );
    // `hold ok installed` is installed; a half-configured package is not.
    let half = "Package: x\nStatus: install ok half-configured\nVersion: 1\n";
    assert!(parse_dpkg_status(half, true).is_empty());
    // Distroless status.d entries carry no Status and still count; the main file's do not.
    let bare = "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n";
    assert_eq!(parse_dpkg_status(bare, false).len(), 1);
    assert!(parse_dpkg_status(bare, true).is_empty());
}

#[test]
fn apk_installed_entries() {
    let db = "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nS:1\no:openssl\nm:Ariadne\n\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\n\nP:broken\n";
    let pkgs = parse_apk_installed(db);
    assert_eq!(
        pkgs,
        [
            ApkPackage {
                name: "libcrypto3".into(),
                version: "3.1.4-r5".into(),
                arch: "x86_64".into(),
                origin: "openssl".into()
            },
            ApkPackage {
                name: "musl".into(),
                version: "1.2.4_git20230717-r4".into(),
                arch: "x86_64".into(),
                origin: "musl".into()
            },
        ]
    );
}

#[test]
fn purls_are_encoded_and_sorted_as_the_spec_says() {
    assert_eq!(
        purl(
            "deb",
            Some("debian"),
            "login",
            "1:4.13+dfsg1-1+b1",
            &[("distro", "debian-12"), ("arch", "amd64")]
        ),
        "pkg:deb/debian/login@1:4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12"
    );
    assert_eq!(
        purl("apk", Some("alpine"), "musl", "1.2.4-r4", &[("arch", ""), ("distro", "")]),
        "pkg:apk/alpine/musl@1.2.4-r4"
    );
    assert_eq!(purl_encode("a b/c?d@e"), "a%20b%2Fc%3Fd%40e");
}

/// A header blob as rpm stores it: `(tag, type, value)` entries, strings NUL-terminated.
fn rpm_header(entries: &[(i32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut store = Vec::new();
    for (tag, kind, value) in entries {
        // int32 data is 4-byte aligned in real headers.
        if *kind == 4 {
            while store.len() % 4 != 0 {
                store.push(0);
            }
        }
        index.extend_from_slice(&tag.to_be_bytes());
        index.extend_from_slice(&kind.to_be_bytes());
        index.extend_from_slice(&(store.len() as u32).to_be_bytes());
        index.extend_from_slice(&1u32.to_be_bytes());
        store.extend_from_slice(value);
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    blob.extend_from_slice(&(store.len() as u32).to_be_bytes());
    blob.extend(index);
    blob.extend(store);
    blob
}

fn s(v: &str) -> Vec<u8> {
    let mut b = v.as_bytes().to_vec();
    b.push(0);
    b
}

#[test]
fn rpm_header_fields() {
    let blob = rpm_header(&[
        (1000, 6, s("openssl-libs")),
        (1001, 6, s("3.0.7")),
        (1002, 6, s("24.el9")),
        (1003, 4, 1u32.to_be_bytes().to_vec()),
        (1022, 6, s("x86_64")),
        (1044, 6, s("openssl-3.0.7-24.el9.src.rpm")),
    ]);
    let pkg = parse_rpm_header(&blob).expect("parses");
    assert_eq!(pkg.evr(), "1:3.0.7-24.el9");
    assert_eq!(pkg.source(), ("openssl".to_owned(), "1:3.0.7-24.el9".to_owned()));
    assert_eq!(pkg.arch, "x86_64");
    assert!(parse_rpm_header(&blob[..blob.len() - 3]).is_err());
    assert!(parse_rpm_header(&rpm_header(&[(1000, 4, vec![0, 0, 0, 1])])).is_err());
}

/// A real `rpmdb.sqlite` made by Debian's rpm 4.18 (`rpm --initdb`, `rpmbuild`, `rpm -i
/// --justdb`) in a temp dir, read back by our parser and compared with `rpm -qa`.
#[test]
fn rpmdb_sqlite_made_by_rpm_equals_rpm_qa() {
    let dir = tempfile::tempdir().expect("tempdir");
    let top = dir.path().join("top");
    let db = dir.path().join("db");
    let spec = dir.path().join("zd.spec");
    std::fs::write(
        &spec,
        "Name: zd-hello\nVersion: 1.2.3\nRelease: 4.el9\nEpoch: 2\nSummary: t\nLicense: MIT\nBuildArch: noarch\n\
         %description\nt\n%package -n zd-libhello\nSummary: t\n%description -n zd-libhello\nt\n\
         %files\n%files -n zd-libhello\n",
    )
    .expect("write spec");
    // Debian's rpm keeps its default database in `$HOME/.rpmdb`, which rpmbuild opens: HOME is
    // the temp dir, so the test leaves the user's home as it was.
    let run = |cmd: &mut Command| {
        let out = cmd
            .env("HOME", dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{cmd:?}: {e} (cargo xtask deps installs Debian's rpm)"));
        assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dbpath = db.to_str().expect("utf-8 path");
    run(Command::new("rpm").args(["--initdb", "--dbpath", dbpath, "--define", "_db_backend sqlite"]));
    run(Command::new("rpmbuild")
        .args(["-bb", "--dbpath", dbpath])
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg(&spec));
    let rpms: Vec<_> = std::fs::read_dir(top.join("RPMS/noarch"))
        .expect("built")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(rpms.len(), 2, "{rpms:?}");
    run(Command::new("rpm").args(["-i", "--justdb", "--nodeps", "--dbpath", dbpath]).args(&rpms));
    let expected = run(Command::new("rpm").args([
        "-qa",
        "--dbpath",
        dbpath,
        "--qf",
        "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\n",
    ]));
    let mut expected: Vec<&str> = expected.lines().collect();
    expected.sort();
    let bytes = std::fs::read(db.join("rpmdb.sqlite")).expect("rpmdb.sqlite");
    let pkgs = parse_rpmdb_sqlite(&bytes).expect("reads rpm's own database");
    let mut ours: Vec<String> = pkgs
        .iter()
        .map(|p| format!("{} {} {} {}", p.name, p.evr(), p.arch, p.source_rpm.as_deref().unwrap_or("(none)")))
        .collect();
    ours.sort();
    assert_eq!(ours, expected);
    let lib = pkgs.iter().find(|p| p.name == "zd-libhello").expect("subpackage");
    assert_eq!(lib.source(), ("zd-hello".to_owned(), "2:1.2.3-4.el9".to_owned()));
    assert!(parse_rpmdb_sqlite(b"not a database").is_err());
}

const DEBIAN_OS: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

#[test]
fn inventory_attributes_each_package_to_the_layer_that_added_it() {
    let base = tar_of(
        &[
            ("usr/lib/os-release", DEBIAN_OS),
            ("var/lib/dpkg/status", b"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: b\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n"),
        ],
        &[("etc/os-release", "../usr/lib/os-release")],
    );
    let unrelated = tar_of(&[("srv/app", b"x")], &[]);
    // b upgraded, c added.
    let upper = tar_of(
        &[("var/lib/dpkg/status", b"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: b\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n\nPackage: c\nStatus: install ok installed\nSource: csrc (0.9)\nVersion: 1+b1\nArchitecture: amd64\n")],
        &[],
    );
    let files = read_archive(legacy_archive(&[base, unrelated, upper]).as_slice(), &Default::default())
        .expect("reads");
    let inv = inventory(&files);
    let os = inv.os.expect("os");
    assert_eq!(os.ecosystem.as_deref(), Some("Debian:12"));
    let got: Vec<(&str, &str, Option<&str>)> =
        inv.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.layer.as_deref())).collect();
    let (l0, l2) = (files.diff_id(0), files.diff_id(2));
    assert_eq!(got, [("a", "1", l0), ("b", "2", l2), ("c", "1+b1", l2)]);
    let c = &inv.packages[2];
    assert_eq!((c.source_name.as_str(), c.source_version.as_str()), ("csrc", "0.9"));
    assert_eq!(c.purl, "pkg:deb/debian/c@1%2Bb1?arch=amd64&distro=debian-12");
    assert_eq!(c.ecosystem.as_deref(), Some("Debian:12"));
    assert!(inv.problems.is_empty());
}

#[test]
fn an_unreadable_rpmdb_is_a_problem_not_an_empty_list() {
    let layer = tar_of(
        &[("etc/os-release", b"ID=rocky\nVERSION_ID=9.3\n"), ("var/lib/rpm/rpmdb.sqlite", b"garbage")],
        &[],
    );
    let files = read_archive(legacy_archive(&[layer]).as_slice(), &Default::default()).expect("reads");
    let inv = inventory(&files);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.problems.len(), 1);
    assert!(inv.problems[0].starts_with("var/lib/rpm/rpmdb.sqlite: "), "{:?}", inv.problems);
}

#[test]
fn ubuntu_packages_are_deb_ubuntu_purls_in_the_lts_ecosystem() {
    let os = b"NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nID=ubuntu\n";
    let status = b"Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.2-0ubuntu1.15\n";
    let layer = tar_of(&[("etc/os-release", os), ("var/lib/dpkg/status", status)], &[]);
    let files = read_archive(legacy_archive(&[layer]).as_slice(), &Default::default()).expect("reads");
    let inv = inventory(&files);
    let p = &inv.packages[0];
    assert_eq!(p.purl, "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04");
    assert_eq!(p.ecosystem.as_deref(), Some("Ubuntu:22.04:LTS"));
    assert_eq!(p.layer, files.diff_id(0).map(str::to_owned));
}
