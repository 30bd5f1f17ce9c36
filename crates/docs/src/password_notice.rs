//! 証明書発行用パスワード通知書: the letter with a reissued issuance password, and the AES-256
//! ZIP that carries it as a notice attachment (opened with the office's login password).

use std::io::Write;

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{AesMode, CompressionMethod, ZipWriter};

use crate::{DocsError, render_pdf};

const TEMPLATE: &str = include_str!("../templates/password_notice.typ");

/// The file name of the attachment, as the manual shows it.
pub const PASSWORD_NOTICE_ZIP_NAME: &str = "証明書発行用パスワード通知書.zip";
/// The PDF inside the ZIP.
pub const PASSWORD_NOTICE_PDF_NAME: &str = "証明書発行用パスワード通知書.pdf";

/// What the letter shows. Dates are already formatted for display.
#[derive(Debug, Clone, Serialize)]
pub struct PasswordNoticeData {
    pub date: String,
    pub office_name: String,
    pub office_number: String,
    pub user_id: String,
    /// The new 証明書発行用パスワード: it exists in clear only inside the encrypted ZIP.
    pub issuance_password: String,
    /// The sender, e.g. 東京都国民健康保険団体連合会.
    pub issuer: String,
    pub helpdesk: String,
}

/// Renders the letter as a PDF.
pub fn password_notice_pdf(data: &PasswordNoticeData) -> Result<Vec<u8>, DocsError> {
    render_pdf(TEMPLATE, &serde_json::to_value(data)?)
}

/// Packs one file into a ZIP whose entry is AES-256 encrypted (WinZip AE-2) under `password`.
/// Windows Explorer cannot open such entries; 7-Zip and similar tools can.
pub fn aes_zip(
    file_name: &str,
    contents: &[u8],
    password: &str,
    modified: time::OffsetDateTime,
) -> Result<Vec<u8>, DocsError> {
    let err = |e: zip::result::ZipError| DocsError::Zip(e.to_string());
    let modified = zip::DateTime::try_from(time::PrimitiveDateTime::new(
        modified.date(),
        modified.time(),
    ))
    .map_err(|e| DocsError::Zip(e.to_string()))?;
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .with_aes_encryption(AesMode::Aes256, password)
        .last_modified_time(modified);
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = ZipWriter::new(&mut out);
    writer.start_file(file_name, options).map_err(err)?;
    writer
        .write_all(contents)
        .map_err(|e| DocsError::Zip(e.to_string()))?;
    writer.finish().map_err(err)?;
    Ok(out.into_inner())
}

/// The attachment of the notice 「証明書発行用パスワード再発行通知」: the letter, zipped and
/// encrypted under the login password. `now` should be in JST (ZIP times have no zone).
pub fn password_notice_zip(
    data: &PasswordNoticeData,
    login_password: &str,
    now: time::OffsetDateTime,
) -> Result<Vec<u8>, DocsError> {
    let pdf = password_notice_pdf(data)?;
    aes_zip(PASSWORD_NOTICE_PDF_NAME, &pdf, login_password, now)
}
