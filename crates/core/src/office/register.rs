//! Registering an office: the user ID, the temporary login password and the issuance password.

use std::sync::Arc;

use secrecy::SecretString;

use crate::account::password::{
    generate_issuance_password, generate_login_password, generate_user_id,
};
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, RepoError};
use crate::ids::{OfficeNumber, PrefectureCode};
use crate::office::{NewOffice, Office, OfficeKind, validate_email, validate_office_name};

/// Raw registration input, validated by [`RegistrationService::register`].
#[derive(Clone, Debug, Default)]
pub struct RegistrationInput {
    pub number: String,
    pub name: String,
    pub kind: String,
    pub email: Option<String>,
    pub prefecture: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
}

/// A registered office and the two passwords for its letter. They exist in clear only here.
pub struct Registered {
    pub office: Office,
    pub login_password: SecretString,
    pub issuance_password: SecretString,
}

#[derive(Clone)]
pub struct RegistrationService {
    deps: Arc<Deps>,
}

impl RegistrationService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    pub async fn register(&self, input: &RegistrationInput, actor: &str) -> CoreResult<Registered> {
        let number = OfficeNumber::parse(&input.number)?;
        let name = validate_office_name(&input.name)?;
        let kind = OfficeKind::from_code(input.kind.trim()).ok_or_else(|| {
            crate::error::ValidationError::new(
                "kind",
                "事業所の種別は kaigo か careplan を指定してください。",
            )
        })?;
        let email = input
            .email
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(validate_email)
            .transpose()?;
        let prefecture = input
            .prefecture
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(PrefectureCode::parse)
            .transpose()?;
        if let Some(p) = prefecture {
            crate::office::check_number_prefecture(&number, p)?;
        }
        let d = &self.deps;
        if d.store.office_by_number(&number).await?.is_some() {
            return Err(CoreError::Refused(format!(
                "事業所番号 {number} は既に登録されています。"
            )));
        }
        let login_password = generate_login_password();
        let issuance_password = generate_issuance_password();
        // Generated secrets: see PasswordHasher::hash_generated for why lighter hashing is sound.
        let login_hash = d.hasher.hash_generated(&login_password)?;
        let issuance_hash = d.hasher.hash_generated(&issuance_password)?;
        // A user ID collision is astronomically rare; retry a few times rather than fail.
        for _ in 0..5 {
            let new = NewOffice {
                number: number.clone(),
                name: name.clone(),
                kind,
                email: email.clone(),
                prefecture,
                user_id: generate_user_id(),
                login_hash: login_hash.clone(),
                issuance_hash: issuance_hash.clone(),
                created_at: d.clock.unix(),
                postal_code: input.postal_code.as_deref().unwrap_or("").trim().to_owned(),
                address: input.address.as_deref().unwrap_or("").trim().to_owned(),
            };
            match d.store.insert_office(&new).await {
                Ok(office) => {
                    d.audit(
                        actor,
                        "office.register",
                        &format!("office:{}", office.id),
                        "",
                        number.as_str(),
                    )
                    .await;
                    return Ok(Registered {
                        office,
                        login_password,
                        issuance_password,
                    });
                }
                Err(RepoError::Conflict(_))
                    if d.store.office_by_number(&number).await?.is_none() =>
                {
                    continue;
                }
                Err(RepoError::Conflict(_)) => {
                    return Err(CoreError::Refused(format!(
                        "事業所番号 {number} は既に登録されています。"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(CoreError::Refused(
            "ユーザIDを生成できませんでした。もう一度実行してください。".into(),
        ))
    }
}
