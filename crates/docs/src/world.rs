//! The minimal typst `World`: one main source, one JSON data file, fonts from the filesystem.

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::DocsError;

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();

fn load_fonts() -> Result<Fonts, String> {
    let dirs = crate::font_dirs();
    let mut fonts = Vec::new();
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
                continue;
            }
            if let Ok(data) = std::fs::read(&path) {
                fonts.extend(Font::iter(Bytes::new(data)));
            }
        }
    }
    if fonts.is_empty() {
        return Err(dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "));
    }
    Ok(Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    })
}

fn fonts() -> Result<&'static Fonts, DocsError> {
    FONTS
        .get_or_init(load_fonts)
        .as_ref()
        .map_err(|dirs| DocsError::FontsMissing(dirs.clone()))
}

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("static virtual path"),
    ))
}

pub(crate) struct DocWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    fonts: &'static Fonts,
}

impl DocWorld {
    pub(crate) fn new(template: &str, data: Vec<u8>) -> Result<Self, DocsError> {
        Ok(Self {
            main: Source::new(file_id("/main.typ"), template.to_owned()),
            data_id: file_id("/data.json"),
            data: Bytes::new(data),
            fonts: fonts()?,
        })
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        LIBRARY.get_or_init(|| LazyHash::new(Library::builder().build()))
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Documents carry their dates in the data; `datetime.today()` is not used.
        None
    }
}
