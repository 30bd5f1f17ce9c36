//! Japanese A4 PDF documents rendered with typst.
//!
//! Templates are typst files compiled into the binary (`templates/`). User data never enters
//! the markup: it is serialised to JSON and served to the template as the virtual file
//! `/data.json`, which the template reads with `json("/data.json")`. Fonts (IPAex, Debian
//! `fonts-ipaexfont-gothic` / `fonts-ipaexfont-mincho`) are loaded from the filesystem once
//! per process and embedded (subset) in every PDF.

mod estimate;
mod invoice;
mod office_letters;
mod password_notice;
mod world;

use std::path::PathBuf;

pub use estimate::{EstimateData, estimate_pdf};
pub use invoice::{InvoiceData, InvoiceLineData, invoice_pdf};
pub use office_letters::{OfficeLetter, OfficeLetterKind, office_letters_pdf};
pub use password_notice::{
    PASSWORD_NOTICE_PDF_NAME, PASSWORD_NOTICE_ZIP_NAME, PasswordNoticeData, aes_zip,
    password_notice_pdf, password_notice_zip,
};

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
pub fn render_pdf(template: &str, data: &serde_json::Value) -> Result<Vec<u8>, DocsError> {
    let json = serde_json::to_vec(data)?;
    let world = world::DocWorld::new(template, json)?;
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

/// Formats a yen amount with thousands separators: 7800 → "7,800".
pub fn format_yen(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if amount < 0 { format!("-{out}") } else { out }
}

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
