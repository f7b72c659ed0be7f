//! Images loaded on a real dockerd, read back through the engine's export (`GET /images/{id}/get`)
//! → exact package lists and the layer that added each package.
//!
//! No registry is reachable and `docker import` makes single-layer images only, so the test writes
//! multi-layer `docker save` archives itself and `docker load`s them: a Debian-like root, an
//! Alpine-like one, a distroless-like `status.d/` with a whiteout and one with an opaque
//! directory. Every image it loads is removed again (also when an assertion fails).
//!
//! The engine: `ZERODOCK_TEST_DOCKER_HOST`, else `DOCKER_HOST`, else the default socket — as the
//! end-to-end tests of the root crate (`tests/common`). There is no skip: `cargo xtask test`
//! starts a private dockerd when none answers, and a missing engine fails the test.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use sha2::{Digest, Sha256};
use zerodock_engine::collect::{CollectOptions, export_image};
use zerodock_vuln::image::{ArchiveFormat, read_image};
use zerodock_vuln::packages::inventory;

fn docker_host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let host = std::env::var("ZERODOCK_TEST_DOCKER_HOST")
            .or_else(|_| std::env::var("DOCKER_HOST"))
            .unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned());
        let out = Command::new("docker").args(["version", "--format", "{{.Server.Version}}"]).env("DOCKER_HOST", &host).output();
        match out {
            Ok(o) if o.status.success() => host,
            Ok(o) => panic!(
                "no Docker engine answers at {host}: {}\nrun the tests with `cargo xtask test`, which starts a private dockerd",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("the docker CLI cannot be run ({e}): run `cargo xtask deps`"),
        }
    })
}

fn docker(args: &[&str], stdin: Option<&[u8]>) -> String {
    let mut child = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", docker_host())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker CLI runs");
    if let Some(data) = stdin {
        child.stdin.take().expect("stdin").write_all(data).expect("write to docker");
    }
    let out = child.wait_with_output().expect("docker exits");
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An image the test loaded; removed when dropped.
struct Loaded {
    tag: String,
    id: String,
    diff_ids: Vec<String>,
}

impl Drop for Loaded {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["image", "rm", "--force", &self.tag])
            .env("DOCKER_HOST", docker_host())
            .output();
    }
}

enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Link(&'a str, &'a str),
}

fn layer(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(1_700_000_000);
        match entry {
            Entry::File(path, data) => {
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Regular);
                builder.append_data(&mut header, path, *data).expect("append");
            }
            Entry::Link(path, target) => {
                header.set_size(0);
                header.set_mode(0o777);
                header.set_entry_type(tar::EntryType::Symlink);
                builder.append_link(&mut header, path, target).expect("append link");
            }
        }
    }
    builder.into_inner().expect("tar")
}

fn sha(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

/// Writes a legacy `docker save` archive of `layers` (lowest first) and `docker load`s it as `tag`.
fn load(name: &str, layers: &[Vec<u8>]) -> Loaded {
    let tag = format!("zerodock-vuln-test/{name}:{}", std::process::id());
    let diff_ids: Vec<String> = layers.iter().map(|l| format!("sha256:{}", sha(l))).collect();
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": layers.iter().map(|_| serde_json::json!({"created_by": "zerodock test"})).collect::<Vec<_>>(),
    })
    .to_string();
    let config_name = format!("{}.json", sha(config.as_bytes()));
    let dirs: Vec<String> = (0..layers.len()).map(|i| sha(format!("{name}{i}").as_bytes())).collect();
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": [tag],
        "Layers": dirs.iter().map(|d| format!("{d}/layer.tar")).collect::<Vec<_>>(),
    }])
    .to_string();
    let mut archive = tar::Builder::new(Vec::new());
    let mut add = |path: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        archive.append_data(&mut header, path, data).expect("append");
    };
    for (dir, layer) in dirs.iter().zip(layers) {
        add(&format!("{dir}/VERSION"), b"1.0");
        add(&format!("{dir}/layer.tar"), layer);
    }
    add(&config_name, config.as_bytes());
    add("manifest.json", manifest.as_bytes());
    let bytes = archive.into_inner().expect("archive");
    // The guard exists before the load, so a load that half-worked is cleaned up too.
    let mut loaded = Loaded { tag: tag.clone(), id: String::new(), diff_ids };
    docker(&["load", "--quiet"], Some(&bytes));
    loaded.id = docker(&["image", "inspect", "--format", "{{.Id}}", &tag], None);
    loaded
}

/// Exports `image` through the engine and lists `name version source_name source_version layer#`
/// per package (the layer as its index among the image's diff ids).
async fn packages_of(image: &Loaded) -> (Vec<String>, Option<zerodock_engine::snapshot::BaseOs>) {
    let opts = CollectOptions::with_host(Some(docker_host())).expect("endpoint");
    let export = export_image(&opts, &image.id).await.expect("export starts");
    let files = read_image(export).await.expect("the export reads");
    assert_eq!(files.format, ArchiveFormat::Legacy, "dockerd 20.10 writes the legacy layout");
    let got: Vec<Option<&str>> = (0..files.layers.len()).map(|i| files.diff_id(i)).collect();
    let want: Vec<Option<&str>> = image.diff_ids.iter().map(|d| Some(d.as_str())).collect();
    assert_eq!(got, want, "diff ids from the image config, in layer order");
    let inv = inventory(&files);
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    let list = inv
        .packages
        .iter()
        .map(|p| {
            let layer = p.layer.as_ref().and_then(|l| image.diff_ids.iter().position(|d| d == l));
            let layer = layer.map_or("?".to_owned(), |i| i.to_string());
            format!("{} {} {} {} L{layer} {}", p.name, p.version, p.source_name, p.source_version, p.purl)
        })
        .collect();
    (list, inv.os)
}

fn dpkg(name: &str, version: &str, source: Option<&str>) -> String {
    let source = source.map(|s| format!("Source: {s}\n")).unwrap_or_default();
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\n{source}Version: {version}\nDescription: test\n a package\n\n"
    )
}

const DEBIAN_12: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debian_like_image_with_three_layers() {
    let base_status = [
        dpkg("base-files", "12.4+deb12u5", None),
        dpkg("libssl3", "3.0.11-1~deb12u1", Some("openssl")),
        dpkg("openssl", "3.0.11-1~deb12u1", None),
        dpkg("zlib1g", "1:1.2.13.dfsg-1", Some("zlib")),
    ]
    .concat();
    let base = layer(&[
        Entry::File("usr/lib/os-release", DEBIAN_12),
        Entry::Link("etc/os-release", "../usr/lib/os-release"),
        Entry::File("var/lib/dpkg/status", base_status.as_bytes()),
        Entry::File("bin/true", b"not read"),
    ]);
    // A layer that touches no package database.
    let app = layer(&[Entry::File("srv/app.conf", b"x=1\n")]);
    // apt-get upgrade libssl3 openssl + install curl: a new status file, one removed entry kept
    // as config-files (not installed).
    let upper_status = [
        dpkg("base-files", "12.4+deb12u5", None),
        dpkg("curl", "7.88.1-10+deb12u5", None),
        dpkg("libssl3", "3.0.11-1~deb12u2", Some("openssl (3.0.11-1~deb12u2)")),
        dpkg("openssl", "3.0.11-1~deb12u2", None),
        "Package: zlib1g\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\n".to_owned(),
    ]
    .concat();
    let upper = layer(&[Entry::File("var/lib/dpkg/status", upper_status.as_bytes())]);
    let image = load("debian-like", &[base, app, upper]);
    let (pkgs, os) = packages_of(&image).await;
    let os = os.expect("os-release through its symlink");
    assert_eq!((os.id.as_str(), os.ecosystem.as_deref()), ("debian", Some("Debian:12")));
    assert_eq!(
        pkgs,
        [
            "base-files 12.4+deb12u5 base-files 12.4+deb12u5 L0 pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12",
            "curl 7.88.1-10+deb12u5 curl 7.88.1-10+deb12u5 L2 pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12",
            "libssl3 3.0.11-1~deb12u2 openssl 3.0.11-1~deb12u2 L2 pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
            "openssl 3.0.11-1~deb12u2 openssl 3.0.11-1~deb12u2 L2 pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
        ]
    );
}

// A current-thread runtime (the blocking reader pulls the stream through `SyncIoBridge`; the
// runtime thread, awaiting it, drives the socket).
#[tokio::test]
async fn alpine_like_image() {
    let os = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n";
    let db1 = "C:Q1=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\n\n";
    let db2 = format!("{db1}P:libssl3\nV:3.1.4-r5\nA:x86_64\no:openssl\n\n");
    let base =
        layer(&[Entry::File("etc/os-release", os), Entry::File("lib/apk/db/installed", db1.as_bytes())]);
    let upper = layer(&[Entry::File("lib/apk/db/installed", db2.as_bytes())]);
    let image = load("alpine-like", &[base, upper]);
    let (pkgs, os) = packages_of(&image).await;
    assert_eq!(os.expect("os").ecosystem.as_deref(), Some("Alpine:v3.19"));
    assert_eq!(
        pkgs,
        [
            "libcrypto3 3.1.4-r5 openssl 3.1.4-r5 L0 pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1",
            "libssl3 3.1.4-r5 openssl 3.1.4-r5 L1 pkg:apk/alpine/libssl3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1",
            "musl 1.2.4_git20230717-r4 musl 1.2.4_git20230717-r4 L0 pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1",
        ]
    );
}

fn bare(name: &str, version: &str, source: Option<&str>) -> String {
    let source = source.map(|s| format!("Source: {s}\n")).unwrap_or_default();
    format!("Package: {name}\nVersion: {version}\nArchitecture: amd64\n{source}Maintainer: test\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distroless_like_image_with_a_whiteout_and_an_opaque_directory() {
    let libc = bare("libc6", "2.36-9+deb12u4", Some("glibc"));
    let ssl = bare("libssl3", "3.0.11-1~deb12u2", Some("openssl"));
    let base_files = bare("base-files", "12.4+deb12u5", None);
    let tz = bare("tzdata", "2024a-0+deb12u1", None);
    let base = layer(&[
        Entry::File("etc/os-release", DEBIAN_12),
        Entry::File("var/lib/dpkg/status.d/base-files", base_files.as_bytes()),
        Entry::File("var/lib/dpkg/status.d/libc6", libc.as_bytes()),
        Entry::File("var/lib/dpkg/status.d/libc6.md5sums", b"0123 lib/x86_64-linux-gnu/libc.so.6\n"),
        Entry::File("var/lib/dpkg/status.d/libssl3", ssl.as_bytes()),
    ]);
    let add_tz = layer(&[Entry::File("var/lib/dpkg/status.d/tzdata", tz.as_bytes())]);
    let remove_ssl = layer(&[Entry::File("var/lib/dpkg/status.d/.wh.libssl3", b"")]);
    let image = load("distroless-like", &[base.clone(), add_tz.clone(), remove_ssl]);
    let (pkgs, _) = packages_of(&image).await;
    let short: Vec<String> =
        pkgs.iter().map(|p| p.split(" pkg:").next().unwrap_or_default().to_owned()).collect();
    assert_eq!(
        short,
        [
            "base-files 12.4+deb12u5 base-files 12.4+deb12u5 L0",
            "libc6 2.36-9+deb12u4 glibc 2.36-9+deb12u4 L0",
            "tzdata 2024a-0+deb12u1 tzdata 2024a-0+deb12u1 L1",
        ]
    );
    drop(image);

    // An opaque status.d above: only what that layer writes there is left.
    let opaque = layer(&[
        Entry::File("var/lib/dpkg/status.d/.wh..wh..opq", b""),
        Entry::File("var/lib/dpkg/status.d/libc6", libc.as_bytes()),
    ]);
    let image = load("distroless-opaque", &[base, add_tz, opaque]);
    let (pkgs, _) = packages_of(&image).await;
    let short: Vec<String> =
        pkgs.iter().map(|p| p.split(" pkg:").next().unwrap_or_default().to_owned()).collect();
    // libc6 is listed again by layer 2 at the same version: it has been present since layer 0.
    assert_eq!(short, ["libc6 2.36-9+deb12u4 glibc 2.36-9+deb12u4 L0"]);
}

/// Throughput of export + read on an image with a 64 MiB layer and 200 packages over two layers,
/// and the time the inventory takes (printed, never asserted: speed is measured, not tested).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_throughput_is_reported() {
    let mut big = vec![0u8; 64 << 20];
    // Incompressible content, as real binaries nearly are.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in big.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let status = |n: usize| {
        (0..n).map(|i| dpkg(&format!("pkg{i:03}"), &format!("1.{i}-1"), Some("src"))).collect::<String>()
    };
    let base = layer(&[
        Entry::File("etc/os-release", DEBIAN_12),
        Entry::File("var/lib/dpkg/status", status(150).as_bytes()),
        Entry::File("opt/blob.bin", &big),
    ]);
    drop(big);
    let upper = layer(&[Entry::File("var/lib/dpkg/status", status(200).as_bytes())]);
    let image = load("throughput", &[base, upper]);
    let opts = CollectOptions::with_host(Some(docker_host())).expect("endpoint");
    let start = Instant::now();
    let files = read_image(export_image(&opts, &image.id).await.expect("export")).await.expect("reads");
    let secs = start.elapsed().as_secs_f64();
    let mb = files.archive_bytes as f64 / 1e6;
    let start = Instant::now();
    let inv = inventory(&files);
    let inv_secs = start.elapsed().as_secs_f64();
    eprintln!(
        "export + read: {mb:.1} MB in {secs:.2} s = {:.0} MB/s; inventory of {} packages: {:.1} ms",
        mb / secs,
        inv.packages.len(),
        inv_secs * 1e3
    );
    assert!(files.archive_bytes > 64 << 20);
    assert_eq!(inv.packages.len(), 200);
    let from_upper =
        inv.packages.iter().filter(|p| p.layer.as_deref() == Some(image.diff_ids[1].as_str())).count();
    assert_eq!(from_upper, 50);
}
