//! The sealed letter batches (登録通知書, 再発行通知書): sealing, printing in parts, download
//! by scope, discarding.

use crate::actor::Actor;
use crate::admin::AdminRole;
use crate::audit::AuditAction;
use crate::error::{CoreError, CoreResult};
use crate::ids::PrefectureCode;
use crate::office::Office;
use crate::office::admin::{
    LETTER_BATCH_SECONDS, LetterBatch, LetterEntry, LetterKind, NewLetterBatch,
};
use crate::office::prefectures::kokuhoren_name;
use crate::office::service::AdminOfficeService;

/// One printable part of a batch's letters: its offices `first..=last` (from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LetterPart {
    /// From 1.
    pub number: usize,
    pub first: usize,
    pub last: usize,
}

impl LetterPart {
    /// 「1〜500件目」
    pub fn label(&self) -> String {
        format!("{}〜{}件目", self.first, self.last)
    }

    /// The part's entries out of the whole batch.
    pub fn of<T>(&self, all: &[T]) -> std::ops::Range<usize> {
        (self.first - 1).min(all.len())..self.last.min(all.len())
    }
}

/// The parts of a batch of `count` letters, at most `per_pdf` each.
pub fn letter_parts(count: usize, per_pdf: usize) -> Vec<LetterPart> {
    let per = per_pdf.max(1);
    (0..count.div_ceil(per))
        .map(|i| LetterPart {
            number: i + 1,
            first: i * per + 1,
            last: ((i + 1) * per).min(count),
        })
        .collect()
}

impl AdminOfficeService {
    pub(crate) async fn seal_batch(
        &self,
        kind: LetterKind,
        prefecture: Option<PrefectureCode>,
        actor_name: &str,
        entries: &[LetterEntry],
    ) -> CoreResult<i64> {
        let d = &self.deps;
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(entries).map_err(|e| CoreError::Hash(format!("letters: {e}")))?,
        );
        let sealed = d.sealer.seal(&json)?;
        let now = d.clock.unix();
        // Expired batches of anyone go now; their passwords must not outlive 72 hours.
        d.store.purge_letter_batches(now).await?;
        Ok(d.store
            .insert_letter_batch(&NewLetterBatch {
                kind,
                prefecture,
                created_by: actor_name.to_owned(),
                office_count: entries.len() as i64,
                sealed,
                created_at: now,
                expires_at: now + LETTER_BATCH_SECONDS,
            })
            .await?)
    }

    /// A batch of letters in the admin's scope, opened.
    pub async fn letters(
        &self,
        actor: &Actor,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        let (batch, entries) = self.letters_in_scope(actor.scope(), batch_id).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminOfficeLettersDownload,
                &format!("letter_batch:{batch_id}"),
                actor.source(),
                batch.kind.code(),
            )
            .await;
        Ok((batch, entries))
    }

    /// One part of a batch (see [`letter_parts`]), opened: the whole batch is never rendered
    /// as one PDF. `NotFound` for a part the batch does not have.
    pub async fn letters_part(
        &self,
        actor: &Actor,
        batch_id: i64,
        part: usize,
    ) -> CoreResult<(LetterBatch, LetterPart, Vec<LetterEntry>)> {
        let (batch, mut entries) = self.letters_in_scope(actor.scope(), batch_id).await?;
        let part = *letter_parts(entries.len(), self.deps.settings.letters_per_pdf)
            .get(part.wrapping_sub(1))
            .ok_or(CoreError::NotFound)?;
        let range = part.of(&entries);
        entries.truncate(range.end);
        entries.drain(..range.start);
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminOfficeLettersDownload,
                &format!("letter_batch:{batch_id}"),
                actor.source(),
                &format!(
                    "{} part {} ({})",
                    batch.kind.code(),
                    part.number,
                    part.label()
                ),
            )
            .await;
        Ok((batch, part, entries))
    }

    /// The letters of one part as a PDF, dated today, with the configured helpdesk line.
    pub async fn letters_pdf(
        &self,
        kind: LetterKind,
        entries: Vec<LetterEntry>,
    ) -> CoreResult<Vec<u8>> {
        let d = &self.deps;
        let date = letter_date(d.clock.unix());
        Ok(d.documents
            .office_letters(kind, date, d.settings.helpdesk.clone(), entries)
            .await?)
    }

    /// The parts a batch of `count` letters is printed in, by this node's setting.
    pub fn parts_of(&self, count: usize) -> Vec<LetterPart> {
        letter_parts(count, self.deps.settings.letters_per_pdf)
    }

    /// The batch's letters for its overview page (not audited as a download; the page shows
    /// no passwords).
    pub async fn letters_summary(
        &self,
        actor: &Actor,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        self.letters_in_scope(actor.scope(), batch_id).await
    }

    pub(crate) async fn letters_in_scope(
        &self,
        role: AdminRole,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        let d = &self.deps;
        let batch = d
            .store
            .letter_batch(batch_id, d.clock.unix())
            .await?
            .ok_or(CoreError::NotFound)?;
        role.ensure_covers(batch.prefecture)?;
        let json = d.sealer.open(&batch.sealed)?;
        let entries: Vec<LetterEntry> =
            serde_json::from_slice(&json).map_err(|e| CoreError::Hash(format!("letters: {e}")))?;
        Ok((batch, entries))
    }

    /// Discards a batch at once (the letters were printed).
    pub async fn discard_letters(&self, actor: &Actor, batch_id: i64) -> CoreResult<()> {
        let d = &self.deps;
        let batch = d
            .store
            .letter_batch(batch_id, d.clock.unix())
            .await?
            .ok_or(CoreError::NotFound)?;
        actor.scope().ensure_covers(batch.prefecture)?;
        d.store.delete_letter_batch(batch_id).await?;
        d.audit(
            &actor.audit_name(),
            AuditAction::AdminOfficeLettersDiscard,
            &format!("letter_batch:{batch_id}"),
            actor.source(),
            "",
        )
        .await;
        Ok(())
    }
}

/// A date as letters print it, in JST: 2026年11月24日.
pub fn letter_date(unix: i64) -> String {
    crate::clock::jst_japanese_date(unix)
}

/// The sender of an office's letters and notices: its 国保連合会, or the 国保中央会.
pub fn issuer(prefecture: Option<PrefectureCode>) -> String {
    prefecture
        .map(kokuhoren_name)
        .unwrap_or_else(|| "国民健康保険中央会".to_owned())
}

/// Who may download a batch: a federation admin's own prefecture; for a central operator,
/// the prefecture of all its offices if they share one, else central operators only.
pub(crate) fn batch_prefecture(role: AdminRole, offices: &[Office]) -> Option<PrefectureCode> {
    if let AdminRole::Federation(p) = role {
        return Some(p);
    }
    let first = offices.first().and_then(|o| o.prefecture)?;
    offices
        .iter()
        .all(|o| o.prefecture == Some(first))
        .then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_printed_in_parts_of_at_most_per_pdf() {
        let parts = letter_parts(1201, 500);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].label(), "1〜500件目");
        assert_eq!(parts[1].label(), "501〜1000件目");
        assert_eq!(parts[2].label(), "1001〜1201件目");
        let all: Vec<usize> = (1..=1201).collect();
        let mut seen = vec![];
        for p in &parts {
            let r = p.of(&all);
            assert!(r.len() <= 500);
            seen.extend_from_slice(&all[r]);
        }
        assert_eq!(seen, all, "every letter in exactly one part, in order");
        assert_eq!(letter_parts(500, 500).len(), 1);
        assert_eq!(letter_parts(1, 500)[0].label(), "1〜1件目");
        assert!(letter_parts(0, 500).is_empty());
    }
}
