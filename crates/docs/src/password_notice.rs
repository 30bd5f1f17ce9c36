//! 証明書発行用パスワード通知書: the letter with a reissued issuance password, and the ZIP that
//! carries it as a notice attachment, encrypted under the office's login password — by default
//! with the traditional PKWARE encryption that Windows' Explorer opens by itself (manual 4,
//! steps 6–7), or with AES-256 where offices have 7-Zip.

use std::io::Write;

use kaigo_core::account::issuance_password::ZipProtection;
use serde::Serialize;
use zip::unstable::write::FileOptionsExt;
use zip::write::{FullFileOptions, SimpleFileOptions};
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

/// Info-ZIP Unicode Path extra field (APPNOTE 4.6.9).
const UNICODE_PATH: u16 = 0x7075;

fn zip_time(modified: time::OffsetDateTime) -> Result<zip::DateTime, DocsError> {
    zip::DateTime::try_from(time::PrimitiveDateTime::new(
        modified.date(),
        modified.time(),
    ))
    .map_err(|e| DocsError::Zip(e.to_string()))
}

/// Packs one file into a ZIP encrypted under `password` with `protection`.
pub fn encrypted_zip(
    file_name: &str,
    contents: &[u8],
    password: &str,
    modified: time::OffsetDateTime,
    protection: ZipProtection,
) -> Result<Vec<u8>, DocsError> {
    match protection {
        ZipProtection::Aes256 => aes_zip(file_name, contents, password, modified),
        ZipProtection::Traditional => traditional_zip(file_name, contents, password, modified),
    }
}

/// The traditional PKWARE encryption, deflated first. The entry name is stored in CP932
/// without the UTF-8 flag — what Explorer on a Japanese Windows reads, in every version — and
/// again in UTF-8 in the Info-ZIP Unicode Path field, which 7-Zip, Info-ZIP and macOS read.
pub fn traditional_zip(
    file_name: &str,
    contents: &[u8],
    password: &str,
    modified: time::OffsetDateTime,
) -> Result<Vec<u8>, DocsError> {
    let err = |e: zip::result::ZipError| DocsError::Zip(e.to_string());
    let (cp932, _, unmappable) = encoding_rs::SHIFT_JIS.encode(file_name);
    if unmappable {
        return Err(DocsError::Zip(format!("{file_name:?} has no CP932 form")));
    }
    let mut unicode_path = vec![1u8];
    unicode_path.extend_from_slice(&crc32fast::hash(&cp932).to_le_bytes());
    unicode_path.extend_from_slice(file_name.as_bytes());
    let mut options = FullFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time(modified)?)
        .name(&cp932);
    options
        .add_extra_field(UNICODE_PATH, unicode_path, false)
        .map_err(err)?;
    let options = options
        .with_deprecated_encryption(password.as_bytes())
        .map_err(err)?;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = ZipWriter::new(&mut out);
    writer.start_file_with_options(options).map_err(err)?;
    writer
        .write_all(contents)
        .map_err(|e| DocsError::Zip(e.to_string()))?;
    writer.finish().map_err(err)?;
    Ok(out.into_inner())
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
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .with_aes_encryption(AesMode::Aes256, password)
        .last_modified_time(zip_time(modified)?);
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
    protection: ZipProtection,
) -> Result<Vec<u8>, DocsError> {
    let pdf = password_notice_pdf(data)?;
    encrypted_zip(
        PASSWORD_NOTICE_PDF_NAME,
        &pdf,
        login_password,
        now,
        protection,
    )
}
