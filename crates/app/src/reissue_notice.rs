//! The notice 「証明書発行用パスワード再発行通知」 as the manual shows it: with the attachment
//! 「証明書発行用パスワード通知書.zip」, a PDF letter with the new password, AES-256 encrypted
//! under the office's login password. It lives in the binary because it joins core (the
//! notice) and kaigo-docs (the letter and the ZIP); the core service stores the result.

use std::sync::Arc;

use async_trait::async_trait;
use kaigo_core::account::issuance_password::{
    REISSUE_ATTACHMENT_NAME, ReissueNotifier, reissue_notice,
};
use kaigo_core::clock::JST;
use kaigo_core::deps::Deps;
use kaigo_core::error::{CoreError, CoreResult};
use kaigo_core::notice::NewNotice;
use kaigo_core::notice::attachment::NewAttachment;
use kaigo_core::office::Office;
use kaigo_core::office::prefectures::office_prefecture;
use kaigo_docs::{PasswordNoticeData, password_notice_zip};
use secrecy::{ExposeSecret, SecretString};

pub struct ZipReissueNotice {
    deps: Arc<Deps>,
}

impl ZipReissueNotice {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }
}

#[async_trait]
impl ReissueNotifier for ZipReissueNotice {
    async fn build_reissue_notice(
        &self,
        office: &Office,
        new_password: &SecretString,
        login_password: Option<&SecretString>,
        now: i64,
    ) -> CoreResult<(NewNotice, Vec<NewAttachment>)> {
        let helpdesk = self.deps.settings.helpdesk.clone();
        let protection = self.deps.settings.password_zip;
        let notice = reissue_notice(office, &self.deps.settings, now);
        let Some(login_password) = login_password else {
            // Without the login password there is no key for the ZIP, and a notice that says
            // "open the attachment" without one would strand the office: refuse, change nothing.
            return Err(CoreError::Refused(
                "証明書発行用パスワード通知書を作成できませんでした。お手数ですが、一度ログアウトして再度ログインした後、もう一度お試しください。".into(),
            ));
        };
        let at = time::OffsetDateTime::from_unix_timestamp(now)
            .ok()
            .and_then(|t| t.checked_to_offset(JST))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let issuer = kaigo_core::office::letters::issuer(office_prefecture(office));
        let data = PasswordNoticeData {
            date: kaigo_core::clock::jst_japanese_date(now),
            office_name: office.name.clone(),
            office_number: office.number.to_string(),
            user_id: office.user_id.to_string(),
            issuance_password: new_password.expose_secret().to_owned(),
            issuer,
            helpdesk,
        };
        let zip_password = SecretString::from(login_password.expose_secret().to_owned());
        // typst layout and the AES key derivation are CPU work: the node's render queue runs
        // them on the blocking pool, one at a time.
        let zip = kaigo_docs::renders()
            .run(move || password_notice_zip(&data, zip_password.expose_secret(), at, protection))
            .await
            .map_err(|e| match e {
                kaigo_docs::DocsError::Busy { .. } => CoreError::Refused(
                    "ただいまほかの帳票を作成中です。しばらくしてから、もう一度お試しください。"
                        .into(),
                ),
                other => CoreError::Refused(format!("password notice: {other}")),
            })?;
        let attachment = NewAttachment {
            filename: REISSUE_ATTACHMENT_NAME.to_owned(),
            content_type: "application/zip".to_owned(),
            bytes: zip,
        };
        Ok((notice, vec![attachment]))
    }
}
