//! The typst "world" a report is compiled in: one template, the report as a virtual `/data.json`,
//! the embedded DejaVu fonts and no network. A custom template may also read files (a logo, an
//! imported `.typ`) from its own directory; the built-in one reads nothing from disk.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The fonts shipped in `fonts/` (see its README for the licence), parsed once per process: the
/// parse costs more than compiling a short report.
static FONTS: LazyLock<(Vec<Font>, LazyHash<FontBook>)> = LazyLock::new(|| {
    let data: [&'static [u8]; 4] = [
        include_bytes!("../../fonts/DejaVuSans.ttf"),
        include_bytes!("../../fonts/DejaVuSans-Bold.ttf"),
        include_bytes!("../../fonts/DejaVuSans-Oblique.ttf"),
        include_bytes!("../../fonts/DejaVuSansMono.ttf"),
    ];
    let fonts: Vec<Font> = data.into_iter().flat_map(|d| Font::iter(Bytes::new(d))).collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    (fonts, book)
});

/// Typst's standard library, built once: `Library` is immutable and building it is not free.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The virtual path the report data is served at.
pub(crate) const DATA_PATH: &str = "/data.json";

/// A file id in the project root; `None` for a path typst refuses (one with a backslash or one
/// that climbs out of the root).
pub(crate) fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path).ok().map(|p| FileId::new(RootedPath::new(VirtualRoot::Project, p)))
}

/// One compilation's inputs.
pub(crate) struct ReportWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    /// Where a custom template's other files are read from (its directory); `None` for the
    /// built-in template.
    root: Option<PathBuf>,
    today: Option<Datetime>,
}

impl ReportWorld {
    /// A world compiling `main` (already given its id) with `data` as `/data.json`.
    pub(crate) fn new(
        main: Source,
        data_id: FileId,
        data: Vec<u8>,
        root: Option<PathBuf>,
        today: Option<Datetime>,
    ) -> Self {
        ReportWorld { main, data_id, data: Bytes::new(data), root, today }
    }

    /// Reads a file of a custom template's directory. `VirtualPath` has already normalised `..`
    /// away, so the path cannot leave the directory.
    fn read(&self, id: FileId) -> FileResult<Vec<u8>> {
        let rooted: &RootedPath = id.get();
        let Some(root) = &self.root else {
            return Err(FileError::NotFound(rooted.vpath().get_with_slash().into()));
        };
        if !matches!(rooted.root(), VirtualRoot::Project) {
            // `@preview/...` and other packages: there is no package registry offline.
            return Err(FileError::Other(Some(
                "packages cannot be imported in a ZeroDock template (no network access)".into(),
            )));
        }
        let path = rooted.vpath().realize(root).map_err(FileError::Realize)?;
        std::fs::read(&path).map_err(|e| FileError::from_io(e, &path))
    }

    /// The root directory, for error messages.
    pub(crate) fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.1
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.read(id)?;
        let text = String::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        self.read(id).map(Bytes::new)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.0.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The report's own date, not the clock: rendering the same report twice gives the same PDF.
        self.today
    }
}
