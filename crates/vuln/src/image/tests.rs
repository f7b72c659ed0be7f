//! In-memory archives in both layouts: layer order, whiteouts, compression, limits, traversal.

use std::io::Write;

use sha2::{Digest, Sha256};

use super::*;

/// A tar built in memory: `(path, content)` files, `(path, target)` symlinks.
pub(crate) fn tar_of(files: &[(&str, &[u8])], symlinks: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *data).expect("append");
    }
    for (path, target) in symlinks {
        let mut header = tar::Header::new_gnu();
        header.set_size(0);
        header.set_entry_type(tar::EntryType::Symlink);
        builder.append_link(&mut header, path, target).expect("append link");
    }
    builder.into_inner().expect("tar")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

fn sha(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

/// A legacy `docker save` archive of `layers` (uncompressed tars), lowest first.
pub(crate) fn legacy_archive(layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| format!("sha256:{}", sha(l))).collect();
    let config = serde_json::json!({"rootfs": {"type": "layers", "diff_ids": diff_ids}}).to_string();
    let config_name = format!("{}.json", sha(config.as_bytes()));
    let layer_names: Vec<String> =
        layers.iter().enumerate().map(|(i, _)| format!("{:064x}/layer.tar", i + 1)).collect();
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": ["t:1"], "Layers": layer_names}]).to_string();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, layer) in layer_names.iter().zip(layers) {
        files.push((name.replace("layer.tar", "VERSION"), b"1.0".to_vec()));
        files.push((name.clone(), layer.clone()));
    }
    files.push((config_name, config.into_bytes()));
    files.push(("manifest.json".into(), manifest.into_bytes()));
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    tar_of(&refs, &[])
}

/// An OCI-layout archive with `manifest.json` written LAST (after the blobs), layers as given
/// (compressed or not); diff ids are computed from `uncompressed`.
fn oci_archive(blobs: &[Vec<u8>], uncompressed: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = uncompressed.iter().map(|l| format!("sha256:{}", sha(l))).collect();
    let config = serde_json::json!({"rootfs": {"type": "layers", "diff_ids": diff_ids}}).to_string();
    let layer_paths: Vec<String> = blobs.iter().map(|b| format!("blobs/sha256/{}", sha(b))).collect();
    let manifest = serde_json::json!([{
        "Config": format!("blobs/sha256/{}", sha(config.as_bytes())),
        "Layers": layer_paths,
    }])
    .to_string();
    let mut files: Vec<(String, Vec<u8>)> =
        vec![("oci-layout".into(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec())];
    // Blobs in reverse, so the archive order says nothing about the layer order.
    for (path, blob) in layer_paths.iter().zip(blobs).rev() {
        files.push((path.clone(), blob.clone()));
    }
    files.push((format!("blobs/sha256/{}", sha(config.as_bytes())), config.into_bytes()));
    files.push(("index.json".into(), br#"{"schemaVersion":2,"manifests":[]}"#.to_vec()));
    files.push(("manifest.json".into(), manifest.into_bytes()));
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    tar_of(&refs, &[])
}

fn read(archive: &[u8]) -> Result<ImageFiles, ImageError> {
    read_archive(archive, &ReadLimits::default())
}

fn text(tree: &Tree, path: &str) -> Option<String> {
    tree.file(path).map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

#[test]
fn legacy_layers_apply_in_order_with_whiteouts_and_symlinks() {
    let base = tar_of(
        &[
            ("usr/lib/os-release", b"ID=debian\n"),
            ("var/lib/dpkg/status", b"one"),
            ("var/lib/dpkg/status.d/a", b"A"),
            ("var/lib/dpkg/status.d/a.md5sums", b"ignored"),
            ("bin/sh", b"not kept"),
        ],
        &[("etc/os-release", "../usr/lib/os-release")],
    );
    let upper = tar_of(
        &[
            ("var/lib/dpkg/status", b"two"),
            ("var/lib/dpkg/status.d/.wh.a", b""),
            ("var/lib/dpkg/status.d/b", b"B"),
        ],
        &[],
    );
    let files = read(&legacy_archive(&[base.clone(), upper.clone()])).expect("reads");
    assert_eq!(files.format, ArchiveFormat::Legacy);
    assert_eq!(files.layers.len(), 2);
    assert_eq!(files.diff_id(0), Some(format!("sha256:{}", sha(&base)).as_str()));
    assert_eq!(files.diff_id(1), Some(format!("sha256:{}", sha(&upper)).as_str()));
    assert!(!files.layers[0].files.contains_key("bin/sh"));
    assert!(!files.layers[0].files.contains_key("var/lib/dpkg/status.d/a.md5sums"));
    let tree = files.tree();
    assert_eq!(text(&tree, "etc/os-release").as_deref(), Some("ID=debian\n"));
    assert_eq!(text(&tree, "var/lib/dpkg/status").as_deref(), Some("two"));
    assert_eq!(tree.file("var/lib/dpkg/status").map(|f| f.layer), Some(1));
    let in_d: Vec<String> = tree.files_in(DPKG_STATUS_D).into_iter().map(|f| f.path).collect();
    assert_eq!(in_d, ["var/lib/dpkg/status.d/b"]);
    let lower = files.tree_after(0);
    assert_eq!(text(&lower, "var/lib/dpkg/status").as_deref(), Some("one"));
    assert_eq!(lower.files_in(DPKG_STATUS_D).len(), 1);
}

#[test]
fn opaque_directory_hides_lower_layers_but_not_its_own_files() {
    let base = tar_of(&[("var/lib/dpkg/status.d/a", b"A"), ("var/lib/dpkg/status.d/b", b"B")], &[]);
    let upper =
        tar_of(&[("var/lib/dpkg/status.d/.wh..wh..opq", b""), ("var/lib/dpkg/status.d/c", b"C")], &[]);
    let files = read(&legacy_archive(&[base, upper])).expect("reads");
    let names: Vec<String> = files.tree().files_in(DPKG_STATUS_D).into_iter().map(|f| f.path).collect();
    assert_eq!(names, ["var/lib/dpkg/status.d/c"]);
}

#[test]
fn whiteout_of_a_parent_directory_deletes_the_files_under_it() {
    let base = tar_of(&[("lib/apk/db/installed", b"P:x\n"), ("etc/os-release", b"ID=alpine\n")], &[]);
    let upper = tar_of(&[("lib/apk/.wh.db", b"")], &[]);
    let tree = read(&legacy_archive(&[base, upper])).expect("reads").tree();
    assert!(tree.file("lib/apk/db/installed").is_none());
    assert!(tree.file("etc/os-release").is_some());
}

#[test]
fn oci_layout_with_gzip_layers_and_manifest_after_the_blobs() {
    let base = tar_of(&[("etc/os-release", b"ID=alpine\n"), ("lib/apk/db/installed", b"old")], &[]);
    let upper = tar_of(&[("lib/apk/db/installed", b"new")], &[]);
    let blobs = [gzip(&base), upper.clone()];
    let files = read(&oci_archive(&blobs, &[base.clone(), upper.clone()])).expect("reads");
    assert_eq!(files.format, ArchiveFormat::Oci);
    assert_eq!(files.layers[0].compression, Some(Compression::Gzip));
    assert_eq!(files.layers[1].compression, Some(Compression::None));
    assert_eq!(files.diff_id(0), Some(format!("sha256:{}", sha(&base)).as_str()));
    let tree = files.tree();
    assert_eq!(text(&tree, "lib/apk/db/installed").as_deref(), Some("new"));
    assert_eq!(tree.file("lib/apk/db/installed").map(|f| f.layer), Some(1));
    assert_eq!(tree.file("etc/os-release").map(|f| f.layer), Some(0));
}

#[test]
fn oci_layout_without_manifest_json_follows_index_json() {
    let layer = tar_of(&[("etc/os-release", b"ID=debian\n")], &[]);
    let config = serde_json::json!({"rootfs": {"diff_ids": [format!("sha256:{}", sha(&layer))]}}).to_string();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "config": {"digest": format!("sha256:{}", sha(config.as_bytes()))},
        "layers": [{"digest": format!("sha256:{}", sha(&layer))}],
    })
    .to_string();
    let index =
        serde_json::json!({"manifests": [{"digest": format!("sha256:{}", sha(manifest.as_bytes()))}]})
            .to_string();
    let archive = tar_of(
        &[
            (&format!("blobs/sha256/{}", sha(&layer)), &layer),
            (&format!("blobs/sha256/{}", sha(config.as_bytes())), config.as_bytes()),
            (&format!("blobs/sha256/{}", sha(manifest.as_bytes())), manifest.as_bytes()),
            ("index.json", index.as_bytes()),
        ],
        &[],
    );
    let files = read(&archive).expect("reads");
    assert_eq!(files.layers.len(), 1);
    assert_eq!(text(&files.tree(), "etc/os-release").as_deref(), Some("ID=debian\n"));
}

#[test]
fn zstd_layers_are_decompressed() {
    let layer = tar_of(&[("etc/os-release", b"ID=alpine\n")], &[]);
    let zst =
        ruzstd::encoding::compress_to_vec(layer.as_slice(), ruzstd::encoding::CompressionLevel::Fastest);
    let files = read(&oci_archive(&[zst], &[layer])).expect("reads");
    assert_eq!(files.layers[0].compression, Some(Compression::Zstd));
    assert_eq!(text(&files.tree(), "etc/os-release").as_deref(), Some("ID=alpine\n"));
}

#[test]
fn zstd_magic_is_recognised() {
    assert_eq!(layer::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
    assert_eq!(layer::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
    assert_eq!(layer::sniff(b"etc/"), Compression::None);
    // A zstd layer that is not valid zstd is an error naming the layer, not a panic.
    let archive = oci_archive(&[vec![0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]], &[Vec::new()]);
    let err = read(&archive).expect_err("broken zstd");
    assert!(matches!(err, ImageError::Read { ref what, .. } if what.starts_with("blobs/sha256/")), "{err}");
}

#[test]
fn path_traversal_is_rejected() {
    for bad in ["../etc/os-release", "/etc/os-release", "a/../../etc/passwd"] {
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        header.set_entry_type(tar::EntryType::Regular);
        // `set_path` refuses `..`; write the name bytes directly as a hostile tool would.
        let name = &mut header.as_gnu_mut().expect("gnu").name;
        name[..bad.len()].copy_from_slice(bad.as_bytes());
        header.set_cksum();
        let mut layer = header.as_bytes().to_vec();
        layer.extend_from_slice(&[b'x'; 512]);
        layer.extend_from_slice(&[0; 1024]);
        let err = read(&legacy_archive(&[layer])).expect_err("traversal");
        assert!(matches!(err, ImageError::PathTraversal { ref path, .. } if path == bad), "{bad}: {err}");
    }
}

#[test]
fn size_limits_are_enforced_with_a_clear_error() {
    let big = vec![b'a'; 2000];
    let layer = tar_of(&[("var/lib/dpkg/status", &big)], &[]);
    let archive = legacy_archive(&[layer.clone(), layer]);
    let limits = ReadLimits { max_file: 1000, ..ReadLimits::default() };
    let err = read_archive(archive.as_slice(), &limits).expect_err("too big");
    assert!(err.to_string().contains("var/lib/dpkg/status is 2000 bytes, over the 1000-byte limit"), "{err}");
    let limits = ReadLimits { max_total: 3000, ..ReadLimits::default() };
    let err = read_archive(archive.as_slice(), &limits).expect_err("total too big");
    assert!(matches!(err, ImageError::TotalTooLarge { limit: 3000 }), "{err}");
    assert!(read(&archive).is_ok());
}

#[test]
fn missing_manifest_and_missing_layer_are_errors() {
    let err = read(&tar_of(&[("foo/layer.tar", &[0u8; 1024])], &[])).expect_err("no manifest");
    assert!(matches!(err, ImageError::NoManifest));
    let manifest = br#"[{"Config":"c.json","Layers":["x/layer.tar"]}]"#;
    let err = read(&tar_of(&[("manifest.json", manifest)], &[])).expect_err("no layer");
    assert!(matches!(err, ImageError::MissingLayer(ref l) if l == "x/layer.tar"), "{err}");
}

#[tokio::test]
async fn read_image_streams_chunks() {
    let layer = tar_of(&[("etc/os-release", b"ID=debian\n")], &[]);
    let archive = legacy_archive(&[layer]);
    let chunks: Vec<Result<bytes::Bytes, String>> =
        archive.chunks(100).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
    let export: ImageExport = Box::pin(futures_util::stream::iter(chunks));
    let files = read_image(export).await.expect("reads");
    assert_eq!(files.archive_bytes, archive.len() as u64);
    assert_eq!(text(&files.tree(), "etc/os-release").as_deref(), Some("ID=debian\n"));
    // An export that fails mid-stream is an error, not a truncated image.
    let chunks: Vec<Result<bytes::Bytes, String>> =
        vec![Ok(bytes::Bytes::copy_from_slice(&archive[..700])), Err("connection reset".into())];
    let err = read_image(Box::pin(futures_util::stream::iter(chunks))).await.expect_err("fails");
    assert!(err.to_string().contains("connection reset"), "{err}");
}

#[test]
fn hard_links_inside_a_layer_carry_the_content() {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(10);
    header.set_entry_type(tar::EntryType::Regular);
    builder.append_data(&mut header, "usr/lib/os-release", &b"ID=debian\n"[..]).expect("file");
    let mut header = tar::Header::new_gnu();
    header.set_size(0);
    header.set_entry_type(tar::EntryType::Link);
    builder.append_link(&mut header, "etc/os-release", "usr/lib/os-release").expect("link");
    let layer = builder.into_inner().expect("tar");
    let tree = read(&legacy_archive(&[layer])).expect("reads").tree();
    assert_eq!(
        tree.entries.get("etc/os-release").map(|e| &e.kept),
        tree.entries.get("usr/lib/os-release").map(|e| &e.kept)
    );
}

#[test]
fn a_layer_tar_symlinked_to_a_blob_is_followed() {
    // Some engines write `<id>/layer.tar` as a link to `blobs/sha256/<hex>`.
    let layer = tar_of(&[("etc/os-release", b"ID=alpine\n")], &[]);
    let blob = format!("blobs/sha256/{}", sha(&layer));
    let config = serde_json::json!({"rootfs": {"diff_ids": [format!("sha256:{}", sha(&layer))]}}).to_string();
    let manifest = serde_json::json!([{"Config": "c.json", "Layers": ["abc/layer.tar"]}]).to_string();
    let mut archive = tar_of(
        &[(blob.as_str(), &layer), ("c.json", config.as_bytes()), ("manifest.json", manifest.as_bytes())],
        &[("abc/layer.tar", &format!("../{blob}"))],
    );
    let files = read(&archive).expect("reads");
    assert_eq!(text(&files.tree(), "etc/os-release").as_deref(), Some("ID=alpine\n"));
    // A link that climbs out of the archive resolves inside it (clamped) and finds nothing.
    archive = tar_of(
        &[("c.json", config.as_bytes()), ("manifest.json", manifest.as_bytes())],
        &[("abc/layer.tar", "../../../../etc/shadow")],
    );
    assert!(matches!(read(&archive), Err(ImageError::MissingLayer(_))));
}

/// A tar of regular files with the given modes.
fn tar_with_modes(files: &[(&str, u32)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, mode) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        header.set_mode(*mode);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, &b"x"[..]).expect("append");
    }
    builder.into_inner().expect("tar")
}

#[test]
fn setuid_and_setgid_files_are_listed_less_what_later_layers_delete() {
    let base = tar_with_modes(&[
        ("usr/bin/passwd", 0o4755),
        ("usr/bin/wall", 0o2755),
        ("usr/bin/ls", 0o755),
        ("opt/tool/helper", 0o6755),
        ("sbin/gone", 0o4750),
    ]);
    let upper = tar_of(&[("sbin/.wh.gone", b""), ("opt/tool/.wh..wh..opq", b"")], &[]);
    let files = read(&legacy_archive(&[base, upper])).expect("reads");
    assert_eq!(
        files.setid_files(),
        [("usr/bin/passwd".to_owned(), 0o4755), ("usr/bin/wall".to_owned(), 0o2755)]
    );
}
