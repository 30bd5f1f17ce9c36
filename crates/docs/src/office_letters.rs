//! Letters of office registration: 「電子請求登録結果に関するお知らせ」 (user ID, temporary
//! login password, 証明書発行用パスワード) and 「電子請求ログイン情報発行通知書」 (a reissued
//! temporary login password). One page per office; one PDF may hold a whole import.

use serde::Serialize;

use crate::{DocsError, render_pdf};

const TEMPLATE: &str = include_str!("../templates/office_letters.typ");

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
pub fn office_letters_pdf(
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
