//! Renewal: the notice 「証明書有効期限切れ事前通知」 some days (90 by default) before a
//! certificate expires, once per certificate, and the renewal window in which the tab offers a
//! new certificate starting when the current one ends.

use std::sync::Arc;

use crate::actor::Actor;
use crate::audit::AuditAction;
use crate::certificate::CertificateRecord;
use crate::clock::jst_date;
use crate::deps::Deps;
use crate::error::CoreResult;
use crate::mail::NewMail;
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};
use crate::office::Office;

/// The title of the renewal notice.
pub const RENEWAL_NOTICE_TITLE: &str = "証明書有効期限切れ事前通知";

#[derive(Clone)]
pub struct RenewalService {
    deps: Arc<Deps>,
}

impl RenewalService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    fn window_seconds(&self) -> i64 {
        self.deps.settings.renewal_window_seconds()
    }

    /// Whether this certificate is inside the renewal window now.
    pub fn in_window(&self, cert: &CertificateRecord) -> bool {
        in_renewal_window(cert, self.deps.clock.unix(), &self.deps.settings)
    }

    /// Posts the renewal notice for every certificate entering the window. Returns how many
    /// were posted now; a certificate already notified is skipped (also across restarts).
    pub async fn run_once(&self) -> CoreResult<usize> {
        let d = &self.deps;
        let now = d.clock.unix();
        let due = d
            .store
            .certificates_due_for_renewal_notice(now, now + self.window_seconds())
            .await?;
        let mut posted = 0;
        for cert in due {
            let Some(office) = d.store.office_by_id(cert.office_id).await? else {
                continue;
            };
            let body = renewal_body(&cert, &office, &d.settings.helpdesk);
            let notice = NewNotice {
                category: NoticeCategory::Certificate,
                title: RENEWAL_NOTICE_TITLE.to_owned(),
                body: body.clone(),
                target: NoticeTarget::Office(office.id),
                start_at: now,
                end_at: Some(cert.not_after),
                created_at: now,
            };
            let mail = office.email.as_ref().map(|to| NewMail {
                to: to.clone(),
                subject: format!("【電子請求受付システム】{RENEWAL_NOTICE_TITLE}"),
                body,
                created_at: now,
            });
            if d.store
                .post_renewal_notice(cert.id, &notice, mail.as_ref(), now)
                .await?
            {
                posted += 1;
                let system = Actor::System;
                d.audit(
                    &system.audit_name(),
                    AuditAction::RenewalNotice,
                    &format!("certificate:{}", cert.serial),
                    system.source(),
                    cert.kind.code(),
                )
                .await;
            }
        }
        Ok(posted)
    }
}

fn renewal_body(cert: &CertificateRecord, office: &Office, helpdesk: &str) -> String {
    let (tab, choice) = (cert.kind.tab_label(), cert.kind.apply_choice());
    format!(
        "介護電子請求受付システムからのお知らせです。\n\
         ご利用中の{label}の有効期限が近づいています。\n\n\
         [有効終了年月日] {to}\n\n\
         有効期限が切れると、証明書を使用することができなくなります。\
         メインメニューの「{tab}」タブをクリックし、「{choice}」を選択して【次へ】ボタンを押し、\
         有効開始年月日に「現在の証明書の有効終了日」を選んで発行申請を行ってください。\n\n\
         [事業所番号] {number}\n\
         [シリアル番号] {serial}\n\n\
         [問い合わせ先]\n{helpdesk}",
        label = cert.kind.label(),
        to = jst_date(cert.not_after),
        number = office.number,
        serial = cert.serial,
    )
}

/// The one rule of the renewal window: a certificate not yet expired that ends within
/// `renewal_notice_days` of `now`.
pub fn in_renewal_window(
    cert: &CertificateRecord,
    now: i64,
    settings: &crate::deps::Settings,
) -> bool {
    cert.not_after >= now && renewal_opens(cert.not_after, settings.renewal_window_seconds()) <= now
}

/// When a renewal of a certificate ending at `not_after` may be applied for (and its notice
/// is due): `window_seconds` before the end.
pub fn renewal_opens(not_after: i64, window_seconds: i64) -> i64 {
    not_after - window_seconds
}
