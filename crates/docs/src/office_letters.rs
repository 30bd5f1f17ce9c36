//! Letters of office registration: 「電子請求登録結果に関するお知らせ」 (user ID, temporary
//! login password, 証明書発行用パスワード) and 「電子請求ログイン情報発行通知書」 (a reissued
//! temporary login password). One page per office; one PDF holds at most
//! [`MAX_LETTERS_PER_PDF`] of them: a larger batch is printed in parts (see the console).

use serde::Serialize;

use crate::{DocsError, render_pdf};

const TEMPLATE: &str = include_str!("../templates/office_letters.typ");

/// The most letters one PDF may hold. typst lays out a whole document in memory: 10,000
/// letters in one PDF peaked at 3.1 GiB, parts of 500 at 0.3 GiB (docs/PERFORMANCE.md). The
/// console prints batches in parts of `documents.letters_per_pdf` (default 500) offices.
pub const MAX_LETTERS_PER_PDF: usize = 2_000;

/// One office's letter page.
#[derive(Clone, Serialize)]
pub struct OfficeLetter {
    pub postal_code: String,
    pub address: String,
    pub name: String,
    pub number: String,
    /// The sender, e.g. 東京都国民健康保険団体連合会.
    pub issuer: String,
    pub user_id: String,
    pub login_password: String,
    /// Registration letters only.
    pub issuance_password: String,
}

impl std::fmt::Debug for OfficeLetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficeLetter")
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

/// Which letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficeLetterKind {
    Registration,
    LoginReissue,
}

impl OfficeLetterKind {
    pub fn title(self) -> &'static str {
        match self {
            Self::Registration => "電子請求登録結果に関するお知らせ",
            Self::LoginReissue => "電子請求ログイン情報発行通知書",
        }
    }
}

#[derive(Serialize)]
struct Data<'a> {
    title: &'a str,
    registration: bool,
    date: &'a str,
    helpdesk: &'a str,
    letters: &'a [OfficeLetter],
}

/// Renders the letters, one A4 page per office. `date` is shown as given (e.g. 2026年11月24日).
/// More than [`MAX_LETTERS_PER_PDF`] letters are refused ([`DocsError::TooLarge`]).
pub fn office_letters_pdf(
    kind: OfficeLetterKind,
    date: &str,
    helpdesk: &str,
    letters: &[OfficeLetter],
) -> Result<Vec<u8>, DocsError> {
    if letters.len() > MAX_LETTERS_PER_PDF {
        return Err(DocsError::TooLarge(format!(
            "{} letters in one PDF (at most {MAX_LETTERS_PER_PDF}): print the batch in parts",
            letters.len()
        )));
    }
    office_letters_pdf_unbounded(kind, date, helpdesk, letters)
}

/// The letters in one PDF however many there are: only for `kaigo-pki bench letters
/// --unpaged`, which measures what a whole batch in one document costs.
#[doc(hidden)]
pub fn office_letters_pdf_unbounded(
    kind: OfficeLetterKind,
    date: &str,
    helpdesk: &str,
    letters: &[OfficeLetter],
) -> Result<Vec<u8>, DocsError> {
    let data = Data {
        title: kind.title(),
        registration: kind == OfficeLetterKind::Registration,
        date,
        helpdesk,
        letters,
    };
    render_pdf(TEMPLATE, &serde_json::to_value(&data)?)
}
