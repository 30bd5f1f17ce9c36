//! The notice and mail that tell an office its certificate was revoked: which certificate,
//! when, why in plain words, and what to do next.

use crate::certificate::query::CertificateListing;
use crate::certificate::revocation::RevocationReason;
use crate::clock::{jst_japanese_date, jst_time};
use crate::mail::NewMail;
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};

/// Title of the notice; the kind follows in brackets.
pub const REVOKED_NOTICE_TITLE: &str = "証明書失効のお知らせ";

/// Why, as an office reads it.
fn plain_reason(reason: RevocationReason) -> &'static str {
    match reason {
        RevocationReason::KeyCompromise => "証明書の秘密鍵が漏えいしたおそれがあるため",
        RevocationReason::AffiliationChanged => "事業所の登録内容が変更されたため",
        RevocationReason::Superseded => "新しい証明書に切り替えたため",
        RevocationReason::CessationOfOperation => "事業所の廃止のため",
        RevocationReason::PrivilegeWithdrawn => "証明書の利用資格が取り消されたため",
        RevocationReason::CaCompromise | RevocationReason::AaCompromise => {
            "認証局の安全上の理由により"
        }
        RevocationReason::Unspecified | RevocationReason::CertificateHold => {
            "国保連合会の判断により"
        }
    }
}

fn next_step(reason: RevocationReason, kind_label: &str) -> String {
    match reason {
        RevocationReason::Superseded => {
            "新しい証明書をインストールしてお使いください。古い証明書はパソコンの証明書一覧から削除してください。".to_owned()
        }
        RevocationReason::CessationOfOperation => {
            "この証明書は今後使用できません。パソコンの証明書一覧から削除してください。".to_owned()
        }
        _ => format!(
            "この証明書は今後使用できません。パソコンの証明書一覧から削除し、ポータルの「{}」タブから新しい証明書を申請してインストールしてください。",
            if kind_label.contains("DX") {
                "介護DX証明書"
            } else {
                "証明書"
            }
        ),
    }
}

/// The notice to the office (and the mail, if it registered an address).
pub fn revoked_notice(
    found: &CertificateListing,
    email: Option<&str>,
    at: i64,
    reason: RevocationReason,
    helpdesk: &str,
) -> (NewNotice, Option<NewMail>) {
    let kind = found.cert.kind.label();
    let title = format!("{REVOKED_NOTICE_TITLE}（{kind}）");
    let body = format!(
        "介護電子請求受付システムからのお知らせです。\n\
         次の証明書を失効しました。失効した証明書は、介護電子請求受付システムや\
         介護保険資格確認等WEBサービスで使用できません。\n\n\
         [証明書]\n{kind}（シリアル番号 {}、有効期限 {}）\n\
         [失効日時]\n{} {}\n\
         [理由]\n{}\n\
         [今後の操作]\n{}\n\n\
         [ユーザID]\n{}\n\
         [問い合わせ先]\n{helpdesk}\n",
        found.cert.serial,
        jst_japanese_date(found.cert.not_after),
        jst_japanese_date(at),
        jst_time(at),
        plain_reason(reason),
        next_step(reason, kind),
        found.user_id.as_str(),
    );
    let notice = NewNotice {
        category: NoticeCategory::Certificate,
        title: title.clone(),
        body: body.clone(),
        target: NoticeTarget::Office(found.cert.office_id),
        start_at: at,
        end_at: None,
        created_at: at,
    };
    let mail = email.map(|to| NewMail {
        to: to.to_owned(),
        subject: format!("【電子請求受付システム】{title}"),
        body,
        created_at: at,
    });
    (notice, mail)
}

/// Posts the notice and queues the mail; a failure there is logged and does not undo the
/// revocation (which is what relying parties see).
pub async fn tell_office(
    deps: &crate::deps::Deps,
    found: &CertificateListing,
    email: Option<&str>,
    at: i64,
    reason: RevocationReason,
) {
    let (notice, mail) = revoked_notice(found, email, at, reason, &deps.settings.helpdesk);
    if let Err(e) = deps.store.insert_notice(&notice).await {
        tracing::error!(error = %e, "revocation notice not posted");
    }
    if let Some(m) = mail
        && let Err(e) = deps.store.enqueue_mail(&m).await
    {
        tracing::error!(error = %e, "revocation mail not queued");
    }
}
