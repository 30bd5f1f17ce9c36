//! The documents core asks to be printed, rendered by an implementation the app wires in
//! (`kaigo_docs::TypstRenderer`): so a use case that produces a PDF — the console's letters,
//! the CLI's import — goes through a core service, and neither the CLI nor core reaches into
//! the web crate or a rendering library.

use async_trait::async_trait;

pub use crate::error::RenderError;
use crate::fee::estimate::Estimate;
use crate::office::admin::{LetterEntry, LetterKind};

#[async_trait]
pub trait DocumentRenderer: Send + Sync {
    /// One PDF of letters to offices (登録通知書 or 再発行通知書), dated `date`, with the
    /// helpdesk line; at most the renderer's per-PDF limit of entries (callers print a batch
    /// in parts).
    async fn office_letters(
        &self,
        kind: LetterKind,
        date: String,
        helpdesk: String,
        entries: Vec<LetterEntry>,
    ) -> Result<Vec<u8>, RenderError>;

    /// The 見積書 PDF of one estimate.
    async fn estimate(&self, estimate: Estimate) -> Result<Vec<u8>, RenderError>;
}
