//! rpm's `rpmdb.sqlite` (rpm ≥ 4.16: Fedora ≥ 33, RHEL/Rocky/Alma ≥ 9): its `Packages` table holds
//! one header blob per package, in rpm's binary header format.
//!
//! A header blob as stored in the database (no lead, no header magic): `il` (u32 BE, index
//! entries), `dl` (u32 BE, data bytes), `il` entries of 16 bytes (tag, type, offset, count, all
//! BE), then the data store. Only NAME, VERSION, RELEASE, EPOCH, ARCH and SOURCERPM are read.

use rusqlite::{Connection, MAIN_DB, OpenFlags};

/// One installed rpm package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmPackage {
    /// NAME.
    pub name: String,
    /// EPOCH, when the header has one.
    pub epoch: Option<u32>,
    /// VERSION.
    pub version: String,
    /// RELEASE.
    pub release: String,
    /// ARCH (`noarch` for architecture-independent packages).
    pub arch: String,
    /// SOURCERPM (`openssl-3.0.7-24.el9.src.rpm`), when present.
    pub source_rpm: Option<String>,
}

impl RpmPackage {
    /// `[epoch:]version-release`, the form rpm's version comparison and OSV records use.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) if e > 0 => format!("{e}:{}-{}", self.version, self.release),
            _ => format!("{}-{}", self.version, self.release),
        }
    }

    /// The source package's name and `[epoch:]version-release`, from SOURCERPM
    /// (`name-version-release.src.rpm`); the binary's own when it has none.
    pub fn source(&self) -> (String, String) {
        let parsed = self.source_rpm.as_deref().and_then(|s| {
            let stem = s.strip_suffix(".src.rpm").or_else(|| s.strip_suffix(".nosrc.rpm"))?;
            let (rest, release) = stem.rsplit_once('-')?;
            let (name, version) = rest.rsplit_once('-')?;
            (!name.is_empty()).then(|| (name.to_owned(), version.to_owned(), release.to_owned()))
        });
        match parsed {
            Some((name, version, release)) => {
                let src = RpmPackage { name: name.clone(), version, release, ..self.clone() };
                (name, src.evr())
            }
            None => (self.name.clone(), self.evr()),
        }
    }
}

/// Why an rpm database or header could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RpmError {
    /// The bytes are not an SQLite database with a `Packages` table.
    #[error("rpmdb.sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A header blob is malformed.
    #[error("rpm header: {0}")]
    Header(String),
}

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_ARCH: i32 = 1022;
const TAG_SOURCERPM: i32 = 1044;
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_I18NSTRING: u32 = 9;

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// Parses one header blob.
pub fn parse_rpm_header(blob: &[u8]) -> Result<RpmPackage, RpmError> {
    let bad = |why: &str| RpmError::Header(why.to_owned());
    let il = be32(blob, 0).ok_or_else(|| bad("shorter than its 8-byte preamble"))? as usize;
    let dl = be32(blob, 4).ok_or_else(|| bad("shorter than its 8-byte preamble"))? as usize;
    // rpm itself caps a header at 0x0fffffff bytes and 0x0000ffff index entries.
    if il > 0xffff || dl > 0x0fff_ffff {
        return Err(bad("index or data size beyond rpm's own limits"));
    }
    let store_start = 8 + il * 16;
    let store = blob
        .get(store_start..store_start + dl)
        .ok_or_else(|| bad(&format!("{} bytes, {il} entries and {dl} data bytes announced", blob.len())))?;
    let mut pkg = RpmPackage {
        name: String::new(),
        epoch: None,
        version: String::new(),
        release: String::new(),
        arch: String::new(),
        source_rpm: None,
    };
    for i in 0..il {
        let at = 8 + i * 16;
        let (Some(tag), Some(kind), Some(offset), Some(count)) =
            (be32(blob, at), be32(blob, at + 4), be32(blob, at + 8), be32(blob, at + 12))
        else {
            return Err(bad("truncated index entry"));
        };
        let tag = tag as i32;
        let offset = offset as usize;
        let string = || -> Result<String, RpmError> {
            if kind != TYPE_STRING && kind != TYPE_I18NSTRING {
                return Err(bad(&format!("tag {tag} is of type {kind}, not a string")));
            }
            let rest = store.get(offset..).ok_or_else(|| bad(&format!("tag {tag} points past the data")))?;
            let end = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| bad(&format!("tag {tag} is not terminated")))?;
            Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
        };
        match tag {
            TAG_NAME => pkg.name = string()?,
            TAG_VERSION => pkg.version = string()?,
            TAG_RELEASE => pkg.release = string()?,
            TAG_ARCH => pkg.arch = string()?,
            TAG_SOURCERPM => pkg.source_rpm = Some(string()?),
            TAG_EPOCH => {
                if kind != TYPE_INT32 || count < 1 {
                    return Err(bad("EPOCH is not an int32"));
                }
                pkg.epoch = Some(be32(store, offset).ok_or_else(|| bad("EPOCH points past the data"))?);
            }
            _ => {}
        }
    }
    if pkg.name.is_empty() || pkg.version.is_empty() {
        return Err(bad("no NAME or VERSION"));
    }
    Ok(pkg)
}

/// Reads every package of an `rpmdb.sqlite` held in memory. `gpg-pubkey` entries (imported
/// signing keys rpm stores as pseudo-packages) are left out. A header that cannot be parsed is an
/// error: a partial package list would hide packages from matching.
pub fn parse_rpmdb_sqlite(bytes: &[u8]) -> Result<Vec<RpmPackage>, RpmError> {
    let mut data = bytes.to_vec();
    // rpm keeps its database in WAL mode (header bytes 18–19 = 2); an in-memory database cannot
    // open a WAL, so mark it as a rollback-journal database, which reads the same pages.
    if data.len() >= 100 && data.starts_with(b"SQLite format 3\0") && data[18] == 2 && data[19] == 2 {
        data[18] = 1;
        data[19] = 1;
    }
    let mut conn = Connection::open_in_memory_with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let len = data.len();
    conn.deserialize_read_exact(MAIN_DB, data.as_slice(), len, true)?;
    let mut stmt = conn.prepare("SELECT blob FROM Packages ORDER BY hnum")?;
    let blobs = stmt.query_map([], |row| row.get::<_, Vec<u8>>(0))?;
    let mut packages = Vec::new();
    for blob in blobs {
        let pkg = parse_rpm_header(&blob?)?;
        if pkg.name != "gpg-pubkey" {
            packages.push(pkg);
        }
    }
    Ok(packages)
}
