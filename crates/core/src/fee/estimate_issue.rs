//! 「見積書を作成する（必要な場合のみ）」: an estimate of the 介護保険証明書 fee, rendered as a
//! PDF, kept in 照会一覧 and audited — one use case, so the portal only shows its outcome.

use crate::audit::AuditAction;
use crate::certificate::CertKind;
use crate::clock::{JST, jst_japanese_date};
use crate::document::NewOfficeDocument;
use crate::error::{CoreError, CoreResult};
use crate::fee::TAX_RATE_PERCENT;
use crate::fee::estimate::{
    ESTIMATE_KIND, ESTIMATE_VALID_DAYS, Estimate, FEE_ITEM, IssuedEstimate, estimate_title,
};
use crate::fee::service::FeeService;
use crate::office::Office;
use crate::office::prefectures::{kokuhoren_name, office_prefecture};

impl FeeService {
    /// Makes an estimate for the office: renders it, keeps it in 照会一覧 (so it can be
    /// downloaded again) and records `estimate.issue` (object `office:ID`).
    pub async fn issue_estimate(
        &self,
        office: &Office,
        source: &str,
    ) -> CoreResult<IssuedEstimate> {
        let d = &self.deps;
        let now = d.clock.unix();
        let estimate = self.estimate_at(office, now);
        let pdf = d
            .documents
            .estimate(estimate.clone())
            .await
            .map_err(CoreError::from)?;
        let document = d
            .store
            .insert_office_document(&NewOfficeDocument {
                office_id: office.id,
                kind: ESTIMATE_KIND.to_owned(),
                title: estimate_title(&estimate),
                filename: format!("見積書_{}.pdf", estimate.number),
                content_type: "application/pdf".to_owned(),
                bytes: pdf,
                created_at: now,
            })
            .await?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::EstimateIssue,
            &format!("office:{}", office.id),
            source,
            &format!(
                "amount={} number={}",
                estimate.unit_price_yen, estimate.number
            ),
        )
        .await;
        Ok(IssuedEstimate { estimate, document })
    }

    /// The estimate as of `now` (no side effects).
    fn estimate_at(&self, office: &Office, now: i64) -> Estimate {
        let issuer = office_prefecture(office)
            .map(kokuhoren_name)
            .unwrap_or_else(|| "国民健康保険団体連合会".to_owned());
        let t = time::OffsetDateTime::from_unix_timestamp(now)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .to_offset(JST);
        let ymd = format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
        Estimate {
            number: format!("{}-{}", office.number, ymd),
            office_name: office.name.clone(),
            office_number: office.number.to_string(),
            date: jst_japanese_date(now),
            valid_until: jst_japanese_date(now + ESTIMATE_VALID_DAYS * 86_400),
            item: FEE_ITEM.to_owned(),
            detail: format!("{}（1枚）", CertKind::KaigoHoken.label()),
            unit_price_yen: self.hoken_fee(),
            tax_rate_percent: TAX_RATE_PERCENT,
            issuer,
        }
    }
}
