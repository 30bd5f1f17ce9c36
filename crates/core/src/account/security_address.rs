//! The セキュリティメールアドレス of the ユーザ情報変更 tab: registering a new address and
//! confirming it with a one-time code mailed to it.

use crate::account::login::login_key;
use crate::account::security_mail::{
    CodePurpose, OneTimeCode, SecurityAddress, generate_code, hash_code, verify_code,
};
use crate::audit::AuditAction;
use crate::clock::jst_datetime;
use crate::error::{CoreError, CoreResult, ValidationError};
use crate::mail::NewMail;
use crate::office::{Office, validate_email};

use crate::account::recovery::AccountService;

/// The security address as the ユーザ情報変更 tab shows it.
#[derive(Clone, Debug, Default)]
pub struct SecurityStatus {
    pub confirmed: Option<SecurityAddress>,
    /// An address waiting for its code, and when that code expires.
    pub pending: Option<(String, i64)>,
}

/// Why a code could not be sent to a new address.
#[derive(Debug)]
pub enum StartAddressError {
    Invalid(ValidationError),
    /// The current login password was wrong (it is required, so a stolen session alone cannot
    /// redirect password recovery to another address).
    WrongPassword,
    /// Locked until this Unix time by wrong passwords.
    Locked(i64),
    /// A code was sent a moment ago; another may be sent after this many seconds.
    TooSoon(i64),
    Core(CoreError),
}

/// Why an entered code was refused (on the logged-in address confirmation).
#[derive(Debug)]
pub enum CodeError {
    /// No code is waiting.
    NoCode,
    Expired,
    /// The code was mistyped too often and is void.
    TooManyAttempts,
    /// Wrong; this many entries remain.
    Wrong(i64),
    Core(CoreError),
}

impl From<CoreError> for StartAddressError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}
impl From<CoreError> for CodeError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}
impl From<crate::error::RepoError> for StartAddressError {
    fn from(e: crate::error::RepoError) -> Self {
        Self::Core(e.into())
    }
}
impl From<crate::error::RepoError> for CodeError {
    fn from(e: crate::error::RepoError) -> Self {
        Self::Core(e.into())
    }
}

impl AccountService {
    pub async fn security_status(&self, office: &Office) -> CoreResult<SecurityStatus> {
        let d = &self.deps;
        let now = d.clock.unix();
        let confirmed = d.store.security_address(office.id).await?;
        let pending = d
            .store
            .one_time_code(office.id, CodePurpose::ConfirmAddress)
            .await?
            .filter(|c| c.expires_at > now && c.attempts < self.rules.max_code_attempts)
            .map(|c| (c.email, c.expires_at));
        Ok(SecurityStatus { confirmed, pending })
    }

    /// Sends a code to a new address. The confirmed address, if any, stays until the code is
    /// entered.
    pub async fn start_address_change(
        &self,
        office: &Office,
        email: &str,
        current_password: &str,
        source: &str,
    ) -> Result<String, StartAddressError> {
        let d = &self.deps;
        let email = validate_email(email).map_err(StartAddressError::Invalid)?;
        let key = login_key(office.user_id.as_str());
        match d
            .attempt(
                &key,
                d.hasher
                    .verify_async(current_password, Some(&office.login_hash)),
            )
            .await?
        {
            crate::account::throttle::Attempt::Ok => {}
            crate::account::throttle::Attempt::Wrong => {
                return Err(StartAddressError::WrongPassword);
            }
            crate::account::throttle::Attempt::Locked(until) => {
                return Err(StartAddressError::Locked(until));
            }
        }
        let now = d.clock.unix();
        if let Some(prev) = d
            .store
            .one_time_code(office.id, CodePurpose::ConfirmAddress)
            .await?
        {
            let next = prev.sent_at + self.rules.resend_interval_seconds;
            if next > now {
                return Err(StartAddressError::TooSoon(next - now));
            }
        }
        let code = generate_code();
        let expires_at = now + self.rules.code_ttl_seconds;
        let record = OneTimeCode {
            office_id: office.id,
            purpose: CodePurpose::ConfirmAddress,
            email: email.clone(),
            code_hash: hash_code(CodePurpose::ConfirmAddress, office.id, &code),
            sent_at: now,
            expires_at,
            attempts: 0,
        };
        let mail = self.code_mail(
            CodePurpose::ConfirmAddress,
            office,
            &email,
            &code,
            expires_at,
            now,
        );
        d.store.put_one_time_code(&record, &mail).await?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::SecurityMailCodeSent,
            &format!("office:{}", office.id),
            source,
            &format!("to={email}"),
        )
        .await;
        Ok(email)
    }

    /// Confirms the pending address with the mailed code.
    pub async fn confirm_address(
        &self,
        office: &Office,
        entered: &str,
        source: &str,
    ) -> Result<SecurityAddress, CodeError> {
        let d = &self.deps;
        let now = d.clock.unix();
        let purpose = CodePurpose::ConfirmAddress;
        let Some(code) = d.store.one_time_code(office.id, purpose).await? else {
            return Err(CodeError::NoCode);
        };
        if code.expires_at <= now {
            d.store
                .take_one_time_code(office.id, purpose, &code.code_hash)
                .await?;
            return Err(CodeError::Expired);
        }
        // The entry is reserved before the check, so parallel entries cannot outrun the limit.
        let Some(attempts) = d
            .store
            .one_time_code_reserve(
                office.id,
                purpose,
                &code.code_hash,
                self.rules.max_code_attempts,
            )
            .await?
        else {
            return Err(CodeError::TooManyAttempts);
        };
        if !verify_code(&code.code_hash, purpose, office.id, entered) {
            d.audit(
                office.user_id.as_str(),
                AuditAction::SecurityMailCodeWrong,
                &format!("office:{}", office.id),
                source,
                &format!("attempts={attempts}"),
            )
            .await;
            let left = self.rules.max_code_attempts - attempts;
            return Err(if left <= 0 {
                CodeError::TooManyAttempts
            } else {
                CodeError::Wrong(left)
            });
        }
        if !d
            .store
            .take_one_time_code(office.id, purpose, &code.code_hash)
            .await?
        {
            // Used by a concurrent request a moment ago.
            return Err(CodeError::NoCode);
        }
        let previous = d.store.security_address(office.id).await?;
        let address = SecurityAddress {
            office_id: office.id,
            email: code.email.clone(),
            confirmed_at: now,
        };
        d.store.set_security_address(&address).await?;
        // The previous address learns of the change, so a takeover does not go unnoticed.
        if let Some(p) = previous
            .as_ref()
            .filter(|p| !p.email.eq_ignore_ascii_case(&address.email))
        {
            let mail = NewMail {
                to: p.email.clone(),
                subject: "【電子請求受付システム】セキュリティメールアドレスが変更されました"
                    .to_owned(),
                body: format!(
                    "介護電子請求受付システムからのお知らせです。\n\n\
                     ユーザID {} のセキュリティメールアドレスが {} に変更されました。\n\
                     お心当たりのない場合は、至急、国保連合会へお問い合わせください。\n\n\
                     [問い合わせ先]\n{}\n",
                    office.user_id,
                    jst_datetime(now),
                    d.settings.helpdesk
                ),
                created_at: now,
            };
            d.store.enqueue_mail(&mail).await?;
        }
        let detail = match previous {
            Some(p) => format!("from={} to={}", p.email, address.email),
            None => format!("to={}", address.email),
        };
        d.audit(
            office.user_id.as_str(),
            AuditAction::SecurityMailConfirmed,
            &format!("office:{}", office.id),
            source,
            &detail,
        )
        .await;
        Ok(address)
    }
}
