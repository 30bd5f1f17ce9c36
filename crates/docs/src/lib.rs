//! Japanese A4 PDF documents rendered with typst.
//!
//! Templates are typst files compiled into the binary (`templates/`). User data never enters
//! the markup: it is serialised to JSON and served to the template as the virtual file
//! `/data.json`, which the template reads with `json("/data.json")`. Fonts (IPAex, Debian
//! `fonts-ipaexfont-gothic` / `fonts-ipaexfont-mincho`) are loaded from the filesystem once
//! per process and embedded (subset) in every PDF.
//!
//! Renders are bounded per node by [`renders`] (see [`gate`]): callers run them through
//! `renders().run(..)`, which queues them behind one permit and puts them on the blocking pool.
//! After each render typst's memoization caches are evicted, so a large render's memory goes
//! back to the allocator instead of staying with the process.

mod estimate;
pub mod gate;
mod invoice;
mod office_letters;
mod password_notice;
mod renderer;
mod world;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub use estimate::{EstimateData, estimate_pdf};
pub use gate::{RenderGate, RenderLimits, configure_renders, renders};
pub use invoice::{InvoiceData, InvoiceLineData, invoice_pdf};
pub use office_letters::{
    MAX_LETTERS_PER_PDF, OfficeLetter, OfficeLetterKind, office_letters_pdf,
    office_letters_pdf_unbounded,
};
pub use password_notice::{
    PASSWORD_NOTICE_PDF_NAME, PASSWORD_NOTICE_ZIP_NAME, PasswordNoticeData, aes_zip, encrypted_zip,
    password_notice_pdf, password_notice_zip, traditional_zip,
};
pub use renderer::TypstRenderer;

/// Errors of document rendering.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// No usable font was found in the font directories.
    #[error(
        "no Japanese font found in {0}: install the Debian packages fonts-ipaexfont-gothic and fonts-ipaexfont-mincho"
    )]
    FontsMissing(String),
    /// The data could not be serialised to JSON.
    #[error("document data: {0}")]
    Data(#[from] serde_json::Error),
    /// The template failed to compile or lay out.
    #[error("template: {0}")]
    Template(String),
    /// The PDF could not be written.
    #[error("pdf export: {0}")]
    Pdf(String),
    /// The ZIP could not be written.
    #[error("zip: {0}")]
    Zip(String),
    /// Too much for one document (e.g. more letters than one PDF may hold).
    #[error("too large: {0}")]
    TooLarge(String),
    /// This node is rendering already and the queue is full, or the wait ran out.
    #[error("busy rendering other documents; retry after {retry_after} s")]
    Busy { retry_after: u64 },
}

static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static KEEP_CACHE: AtomicBool = AtomicBool::new(false);

/// Keeps typst's memoization cache after renders, as before it was evicted: only for
/// `kaigo-pki bench letters --keep-cache`, which measures what the eviction returns.
#[doc(hidden)]
pub fn keep_cache_after_renders(keep: bool) {
    KEEP_CACHE.store(keep, Ordering::SeqCst);
}
static PEAK: AtomicUsize = AtomicUsize::new(0);
static DONE: AtomicUsize = AtomicUsize::new(0);

/// Renders of this process: running now, the most ever running at once, finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderStats {
    pub active: usize,
    pub peak: usize,
    pub done: usize,
}

pub fn render_stats() -> RenderStats {
    RenderStats {
        active: ACTIVE.load(Ordering::SeqCst),
        peak: PEAK.load(Ordering::SeqCst),
        done: DONE.load(Ordering::SeqCst),
    }
}

/// Counts a render while it runs; on its end evicts typst's memoization caches.
struct Running;

impl Running {
    fn start() -> Self {
        let now = ACTIVE.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // comemo keeps every memoized layout until told otherwise: without this a render of
        // 10,000 letters leaves gigabytes cached for good. A render running beside this one
        // only loses its cache hits, never its result.
        if !KEEP_CACHE.load(Ordering::SeqCst) {
            typst::comemo::evict(0);
        }
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
        DONE.fetch_add(1, Ordering::SeqCst);
    }
}

/// The directories searched for fonts, in order. `KAIGO_PKI_FONT_DIRS` (a `:`-separated list)
/// replaces the defaults.
pub fn font_dirs() -> Vec<PathBuf> {
    if let Ok(v) = std::env::var("KAIGO_PKI_FONT_DIRS")
        && !v.trim().is_empty()
    {
        return v.split(':').map(PathBuf::from).collect();
    }
    [
        "/usr/share/fonts/opentype/ipaexfont-gothic",
        "/usr/share/fonts/opentype/ipaexfont-mincho",
        "/usr/share/fonts/truetype/ipaexfont-gothic",
        "/usr/share/fonts/truetype/ipaexfont-mincho",
    ]
    .iter()
    .map(PathBuf::from)
    .collect()
}

/// Renders a typst `template` to PDF. `data` is available to the template as
/// `json("/data.json")`; it is never interpolated into the markup.
///
/// This is the blocking render itself: call it through [`renders`]`().run(..)`, never from an
/// async task.
pub fn render_pdf(template: &str, data: &serde_json::Value) -> Result<Vec<u8>, DocsError> {
    let json = serde_json::to_vec(data)?;
    let world = world::DocWorld::new(template, json)?;
    let _running = Running::start();
    let warned = typst::compile::<typst_layout::PagedDocument>(&world);
    let doc = warned.output.map_err(|errs| {
        DocsError::Template(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        DocsError::Pdf(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Formats a yen amount with thousands separators: 7800 → "7,800" (core's one rule).
pub use kaigo_core::fee::format_yen;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_formatting() {
        assert_eq!(format_yen(0), "0");
        assert_eq!(format_yen(780), "780");
        assert_eq!(format_yen(7800), "7,800");
        assert_eq!(format_yen(1234567), "1,234,567");
        assert_eq!(format_yen(-7800), "-7,800");
    }
}
