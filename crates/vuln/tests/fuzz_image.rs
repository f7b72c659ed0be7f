//! Property-based fuzzing of the image readers and package-database parsers (outside data: an
//! image's archive is whatever its author put in it): `image::read_archive`, os-release, dpkg
//! status, apk installed, rpm headers and `rpmdb.sqlite`, and the purl encoder.
//!
//! Properties: no input panics; errors name what they read; a purl component is encoded into the
//! spec's safe set. Inputs are arbitrary bytes and mutations (bit flips, truncation, splices) of
//! valid seeds built here. A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets every
//! property's case count for a long run (as in `crates/engine/tests/fuzz.rs`).

use proptest::prelude::*;
use zerodock_vuln::image::{ReadLimits, read_archive};
use zerodock_vuln::packages::{
    inventory, parse_apk_installed, parse_dpkg_status, parse_os_release, parse_rpm_header,
    parse_rpmdb_sqlite, purl_encode,
};

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 512, ..ProptestConfig::default() }
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *data).expect("append");
    }
    builder.into_inner().expect("tar")
}

const STATUS: &str = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.11-1~deb12u2)\nVersion: 3.0.11-1~deb12u2\nDescription: x\n more\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n";
const APK: &str = "P:musl\nV:1.2.4-r4\nA:x86_64\no:musl\n\nP:libssl3\nV:3.1.4-r5\nA:x86_64\no:openssl\n";
const OS: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

/// A legacy archive of two layers (one gzip) holding every kind of kept file and a whiteout.
fn seed_archive() -> Vec<u8> {
    let l1 = tar_of(&[
        ("etc/os-release", OS.as_bytes()),
        ("var/lib/dpkg/status", STATUS.as_bytes()),
        ("lib/apk/db/installed", APK.as_bytes()),
        ("var/lib/dpkg/status.d/a", b"Package: a\nVersion: 1\n"),
    ]);
    let l2 =
        tar_of(&[("var/lib/dpkg/status.d/.wh.a", b""), ("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\0")]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &l2).expect("gzip");
    let l2 = gz.finish().expect("gzip");
    let config = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:1","sha256:2"]}}"#;
    let manifest = br#"[{"Config":"c.json","Layers":["a/layer.tar","b/layer.tar"]}]"#;
    tar_of(&[("a/layer.tar", &l1), ("b/layer.tar", &l2), ("c.json", config), ("manifest.json", manifest)])
}

/// A valid rpm header blob (NAME, VERSION, RELEASE, EPOCH, ARCH).
fn seed_header() -> Vec<u8> {
    let entries: [(i32, u32, &[u8]); 5] = [
        (1000, 6, b"openssl\0"),
        (1001, 6, b"3.0.7\0"),
        (1002, 6, b"24.el9\0"),
        (1022, 6, b"x86_64\0"),
        (1003, 4, &[0, 0, 0, 1]),
    ];
    let (mut index, mut store) = (Vec::new(), Vec::new());
    for (tag, kind, value) in entries {
        while kind == 4 && store.len() % 4 != 0 {
            store.push(0);
        }
        for n in [tag as u32, kind, store.len() as u32, 1] {
            index.extend_from_slice(&n.to_be_bytes());
        }
        store.extend_from_slice(value);
    }
    let mut blob = (entries.len() as u32).to_be_bytes().to_vec();
    blob.extend_from_slice(&(store.len() as u32).to_be_bytes());
    blob.extend(index);
    blob.extend(store);
    blob
}

/// An `rpmdb.sqlite`-shaped database (rpm's `Packages` table) holding the seed header.
fn seed_rpmdb() -> Vec<u8> {
    let mut conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    conn.execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);")
        .expect("schema");
    conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [seed_header()]).expect("insert");
    conn.serialize(rusqlite::MAIN_DB).expect("serialize").to_vec()
}

/// Mutations of a seed: flip bytes, cut, splice in noise.
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len();
    (
        prop::collection::vec((0..len.max(1), any::<u8>()), 0..8),
        0..=len,
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(move |(flips, cut, noise)| {
            let mut data = seed.clone();
            for (at, byte) in flips {
                if let Some(b) = data.get_mut(at) {
                    *b ^= byte;
                }
            }
            if cut % 3 == 0 {
                data.truncate(cut);
            } else if cut % 3 == 1 {
                let at = cut.min(data.len());
                data.splice(at..at, noise);
            }
            data
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn archives_never_panic(data in mutated(seed_archive())) {
        let limits = ReadLimits { max_file: 1 << 20, max_total: 4 << 20, max_metadata: 1 << 20 };
        match read_archive(data.as_slice(), &limits) {
            Ok(files) => { let _ = inventory(&files); }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_bytes_are_not_an_archive_that_panics(data in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_archive(data.as_slice(), &ReadLimits::default());
    }

    #[test]
    fn text_parsers_never_panic(text in ".{0,600}", seed in mutated(format!("{STATUS}\n{APK}\n{OS}").into_bytes())) {
        for input in [text.clone(), String::from_utf8_lossy(&seed).into_owned()] {
            let _ = parse_os_release(&input);
            let _ = parse_dpkg_status(&input, true);
            let _ = parse_dpkg_status(&input, false);
            let _ = parse_apk_installed(&input);
        }
    }

    #[test]
    fn rpm_headers_never_panic(data in mutated(seed_header()), noise in prop::collection::vec(any::<u8>(), 0..256)) {
        for blob in [data, noise] {
            if let Err(e) = parse_rpm_header(&blob) {
                prop_assert!(e.to_string().starts_with("rpm header: "), "{e}");
            }
        }
    }

    #[test]
    fn rpmdbs_never_panic(data in mutated(seed_rpmdb())) {
        let _ = parse_rpmdb_sqlite(&data);
    }

    #[test]
    fn purl_components_are_encoded_into_the_safe_set(text in ".{0,40}") {
        let out = purl_encode(&text);
        prop_assert!(out.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_~:%".contains(&b)), "{out}");
    }
}

#[test]
fn the_seeds_are_valid() {
    // A fuzz run over seeds the readers reject would test only the error path.
    let files = read_archive(seed_archive().as_slice(), &ReadLimits::default()).expect("seed archive reads");
    let inv = inventory(&files);
    assert_eq!(inv.packages.len(), 4, "{:?}", inv.packages);
    assert_eq!(inv.problems.len(), 1, "the stub rpmdb is a problem: {:?}", inv.problems);
    assert_eq!(parse_rpm_header(&seed_header()).expect("seed header").name, "openssl");
    assert_eq!(parse_rpmdb_sqlite(&seed_rpmdb()).expect("seed rpmdb").len(), 1);
}
