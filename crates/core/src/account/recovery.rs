//! 「パスワード等を紛失した方はこちら」: resetting a lost login password with a code mailed to the
//! confirmed address. The reset never tells whether a user ID or an address exists.

use std::sync::Arc;

use secrecy::SecretString;

use crate::account::login::login_key;
use crate::account::password::{PasswordProblem, check_new_password};
use crate::account::security_mail::{
    CodePurpose, OneTimeCode, generate_code, hash_code, verify_code, verify_code_dummy,
};
use crate::audit::AuditAction;
use crate::clock::jst_datetime;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};
use crate::ids::UserId;
use crate::mail::NewMail;
use crate::office::Office;

/// Limits of the one-time codes and of reset requests.
#[derive(Clone, Debug)]
pub struct AccountRules {
    /// How long a mailed code is valid.
    pub code_ttl_seconds: i64,
    /// Wrong entries after which a code is void.
    pub max_code_attempts: i64,
    /// The shortest time between two codes of the same purpose for one office.
    pub resend_interval_seconds: i64,
    /// Reset requests per typed user ID before further requests are ignored for a while.
    pub max_reset_requests: i64,
    /// How long further reset requests are ignored after the limit.
    pub reset_lock_seconds: i64,
}

impl Default for AccountRules {
    fn default() -> Self {
        Self {
            code_ttl_seconds: 15 * 60,
            max_code_attempts: 5,
            resend_interval_seconds: 60,
            max_reset_requests: 5,
            reset_lock_seconds: 60 * 60,
        }
    }
}

/// Why a password reset did not happen. `Code` covers an unknown ID, a wrong, expired, used or
/// exhausted code alike, so the answer reveals nothing.
#[derive(Debug)]
pub enum ResetError {
    Code,
    Rules(Vec<PasswordProblem>),
    Core(CoreError),
}

impl From<CoreError> for ResetError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}
impl From<crate::error::RepoError> for ResetError {
    fn from(e: crate::error::RepoError) -> Self {
        Self::Core(e.into())
    }
}

/// Throttle key of reset requests for a typed user ID (known or not).
fn reset_key(user_id: &str) -> String {
    let id: String = user_id.trim().chars().take(32).collect();
    format!("reset:{id}")
}

#[derive(Clone)]
pub struct AccountService {
    pub(crate) deps: Arc<Deps>,
    pub(crate) rules: AccountRules,
}

impl AccountService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self::with_rules(deps, AccountRules::default())
    }

    pub fn with_rules(deps: Arc<Deps>, rules: AccountRules) -> Self {
        Self { deps, rules }
    }

    pub fn rules(&self) -> &AccountRules {
        &self.rules
    }

    /// The mail that carries a one-time code: one layout for both purposes, the purpose
    /// deciding the subject, why it was sent and where to enter it.
    pub(crate) fn code_mail(
        &self,
        purpose: CodePurpose,
        office: &Office,
        to: &str,
        code: &str,
        expires_at: i64,
        now: i64,
    ) -> NewMail {
        let (subject, why, unknown) = match purpose {
            CodePurpose::ConfirmAddress => (
                "セキュリティメールアドレスの確認コード",
                "このメールアドレスがセキュリティメールアドレスとして入力されました。\n\
                 ユーザ情報変更画面で、次の確認コードを入力してください。"
                    .to_owned(),
                "お心当たりのない場合は、このメールを破棄してください。",
            ),
            CodePurpose::ResetPassword => (
                "パスワード再設定の確認コード",
                format!(
                    "ユーザID {} のログインパスワードの再設定が申し込まれました。\n\
                     パスワード再設定画面で、次の確認コードと新しいパスワードを入力してください。",
                    office.user_id.as_str()
                ),
                "お心当たりのない場合は、このメールを破棄し、国保連合会へご連絡ください。",
            ),
        };
        NewMail {
            to: to.to_owned(),
            subject: format!("【電子請求受付システム】{subject}"),
            body: format!(
                "介護電子請求受付システムからのお知らせです。\n\n{why}\n\n\
                 確認コード：{code}\n\
                 有効期限：{} まで（{}分間有効）\n\n\
                 {unknown}\n\n\
                 [問い合わせ先]\n{}\n",
                jst_datetime(expires_at),
                self.rules.code_ttl_seconds / 60,
                self.deps.settings.helpdesk
            ),
            created_at: now,
        }
    }

    /// 「パスワード等を紛失した方はこちら」, first step. Mails a code when the user ID and the
    /// confirmed security address match; answers the same in every case.
    pub async fn request_password_reset(
        &self,
        user_id: &str,
        email: &str,
        source: &str,
    ) -> CoreResult<()> {
        let d = &self.deps;
        let now = d.clock.unix();
        let typed: String = user_id.trim().chars().take(32).collect();
        let key = reset_key(&typed);
        // Every request counts against the typed ID, known or not, so the store work is alike.
        // One statement counts the request and lifts a lock that ran out.
        let reserved = d.store.throttle_reserve(&key, now).await?;
        let locked = reserved.locked_until.is_some();
        if !locked && reserved.failures >= self.rules.max_reset_requests {
            d.store
                .throttle_lock(&key, now + self.rules.reset_lock_seconds)
                .await?;
        }
        let office = match UserId::parse(&typed) {
            Ok(id) => d.store.office_by_user_id(&id).await?,
            Err(_) => None,
        };
        let address = match &office {
            Some(o) => d.store.security_address(o.id).await?,
            None => None,
        };
        let wanted = email.trim().to_lowercase();
        let matched = match (&office, &address) {
            (Some(o), Some(a)) if a.email.to_lowercase() == wanted => Some((o, a)),
            _ => None,
        };
        let code = generate_code();
        let Some((office, address)) = matched.filter(|_| !locked) else {
            // The same hashing work as a real request.
            let _ = hash_code(CodePurpose::ResetPassword, crate::ids::OfficeId(0), &code);
            d.audit(
                &typed,
                AuditAction::PasswordResetRequest,
                "",
                source,
                "no match or throttled",
            )
            .await;
            return Ok(());
        };
        if let Some(prev) = d
            .store
            .one_time_code(office.id, CodePurpose::ResetPassword)
            .await?
            && prev.sent_at + self.rules.resend_interval_seconds > now
        {
            d.audit(
                office.user_id.as_str(),
                AuditAction::PasswordResetRequest,
                &format!("office:{}", office.id),
                source,
                "resend too soon",
            )
            .await;
            return Ok(());
        }
        let expires_at = now + self.rules.code_ttl_seconds;
        let record = OneTimeCode {
            office_id: office.id,
            purpose: CodePurpose::ResetPassword,
            email: address.email.clone(),
            code_hash: hash_code(CodePurpose::ResetPassword, office.id, &code),
            sent_at: now,
            expires_at,
            attempts: 0,
        };
        let mail = self.code_mail(
            CodePurpose::ResetPassword,
            office,
            &address.email,
            &code,
            expires_at,
            now,
        );
        d.store.put_one_time_code(&record, &mail).await?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::PasswordResetRequest,
            &format!("office:{}", office.id),
            source,
            "code sent",
        )
        .await;
        Ok(())
    }

    /// 「パスワード等を紛失した方はこちら」, second step: the mailed code and a new password. On
    /// success the code is spent, the login lock is lifted and the office's sessions end.
    pub async fn reset_password(
        &self,
        user_id: &str,
        entered: &str,
        new: &str,
        confirm: &str,
        source: &str,
    ) -> Result<(), ResetError> {
        let d = &self.deps;
        let now = d.clock.unix();
        let typed: String = user_id.trim().chars().take(32).collect();
        // The rules that do not depend on the account first, so they reveal nothing.
        let problems = check_new_password("", new, confirm);
        if !problems.is_empty() {
            return Err(ResetError::Rules(problems));
        }
        let purpose = CodePurpose::ResetPassword;
        let office = match UserId::parse(&typed) {
            Ok(id) => d.store.office_by_user_id(&id).await?,
            Err(_) => None,
        };
        let code = match &office {
            Some(o) => d.store.one_time_code(o.id, purpose).await?,
            None => None,
        };
        let (Some(office), Some(code)) = (office, code) else {
            verify_code_dummy(entered);
            d.audit(
                &typed,
                AuditAction::PasswordResetFailure,
                "",
                source,
                "no code",
            )
            .await;
            return Err(ResetError::Code);
        };
        // The entry is reserved before the check, so parallel entries cannot outrun the limit.
        let reserved = if code.expires_at > now {
            d.store
                .one_time_code_reserve(
                    office.id,
                    purpose,
                    &code.code_hash,
                    self.rules.max_code_attempts,
                )
                .await?
        } else {
            None
        };
        let usable = reserved.is_some();
        let right = usable && verify_code(&code.code_hash, purpose, office.id, entered);
        if !right {
            if !usable {
                verify_code_dummy(entered);
            }
            if reserved.is_some_and(|n| n >= self.rules.max_code_attempts) {
                d.store
                    .take_one_time_code(office.id, purpose, &code.code_hash)
                    .await?;
            }
            d.audit(
                office.user_id.as_str(),
                AuditAction::PasswordResetFailure,
                &format!("office:{}", office.id),
                source,
                if usable {
                    "wrong code"
                } else {
                    "expired or exhausted"
                },
            )
            .await;
            return Err(ResetError::Code);
        }
        if d.hasher.verify_async(new, Some(&office.login_hash)).await {
            return Err(ResetError::Rules(vec![PasswordProblem::SameAsCurrent]));
        }
        if !d
            .store
            .take_one_time_code(office.id, purpose, &code.code_hash)
            .await?
        {
            return Err(ResetError::Code);
        }
        let hash = d
            .hasher
            .hash_async(&SecretString::from(new.to_owned()))
            .await?;
        d.store.set_login_hash(office.id, &hash, false).await?;
        d.store
            .throttle_clear(&login_key(office.user_id.as_str()))
            .await?;
        d.store.throttle_clear(&reset_key(&typed)).await?;
        let ended = d.store.delete_office_sessions(office.id).await?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::PasswordReset,
            &format!("office:{}", office.id),
            source,
            &format!("sessions_ended={ended}"),
        )
        .await;
        Ok(())
    }
}
