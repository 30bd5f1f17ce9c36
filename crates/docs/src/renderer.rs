//! kaigo-docs as core's `DocumentRenderer`: the app wires a [`TypstRenderer`] into the services.
//! Every render goes through the node's render queue (one at a time, on the blocking pool).

use async_trait::async_trait;
use kaigo_core::document::render::{DocumentRenderer, RenderError};
use kaigo_core::fee::estimate::Estimate;
use kaigo_core::office::admin::{LetterEntry, LetterKind};

use crate::{
    DocsError, EstimateData, OfficeLetter, OfficeLetterKind, estimate_pdf, office_letters_pdf,
    renders,
};

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

    async fn estimate(&self, e: Estimate) -> Result<Vec<u8>, RenderError> {
        let data = EstimateData {
            number: e.number,
            office_name: e.office_name,
            office_number: e.office_number,
            date: e.date,
            valid_until: e.valid_until,
            item: e.item,
            detail: e.detail,
            quantity: 1,
            unit_price_yen: e.unit_price_yen,
            tax_rate_percent: e.tax_rate_percent,
            issuer: e.issuer,
        };
        Ok(renders().run(move || estimate_pdf(&data)).await?)
    }
}
