//! kaigo-docs as core's `DocumentRenderer`: the app wires a [`TypstRenderer`] into the services.
//! Every render goes through the node's render queue (one at a time, on the blocking pool).

use async_trait::async_trait;
use kaigo_core::document::render::{DocumentRenderer, RenderError};
use kaigo_core::office::admin::{LetterEntry, LetterKind};

use crate::{DocsError, OfficeLetter, OfficeLetterKind, office_letters_pdf, renders};

/// Renders core's documents with typst.
#[derive(Clone, Copy, Debug, Default)]
pub struct TypstRenderer;

impl From<DocsError> for RenderError {
    fn from(e: DocsError) -> Self {
        match e {
            DocsError::Busy { retry_after } => Self::Busy { retry_after },
            other => Self::Failed(other.to_string()),
        }
    }
}

#[async_trait]
impl DocumentRenderer for TypstRenderer {
    async fn office_letters(
        &self,
        kind: LetterKind,
        date: String,
        helpdesk: String,
        entries: Vec<LetterEntry>,
    ) -> Result<Vec<u8>, RenderError> {
        let kind = match kind {
            LetterKind::Registration => OfficeLetterKind::Registration,
            LetterKind::LoginReissue => OfficeLetterKind::LoginReissue,
        };
        let letters: Vec<OfficeLetter> = entries
            .into_iter()
            .map(|e| OfficeLetter {
                postal_code: e.postal_code,
                address: e.address,
                name: e.name,
                number: e.number,
                issuer: e.issuer,
                user_id: e.user_id,
                login_password: e.login_password,
                issuance_password: e.issuance_password.unwrap_or_default(),
            })
            .collect();
        Ok(renders()
            .run(move || office_letters_pdf(kind, &date, &helpdesk, &letters))
            .await?)
    }
}
