//! `kaigo-pki office add`.

use kaigo_core::office::register::{Registered, RegistrationInput};
use secrecy::ExposeSecret;

use crate::cli::OfficeKindArg;
use crate::datadir::DataDir;
use crate::wiring;

pub struct AddArgs {
    pub number: String,
    pub name: String,
    pub kind: OfficeKindArg,
    pub email: Option<String>,
    pub prefecture: Option<String>,
}

pub async fn add(dir: &DataDir, args: AddArgs) -> anyhow::Result<Registered> {
    let app = wiring::open(dir, false).await?;
    let input = RegistrationInput {
        number: args.number,
        name: args.name,
        kind: args.kind.code().to_owned(),
        email: args.email,
        prefecture: args.prefecture,
        ..RegistrationInput::default()
    };
    let result = app.services.register.register(&input, "cli").await;
    app.store.close().await;
    result.map_err(|e| match e {
        kaigo_core::CoreError::Validation(v) => anyhow::anyhow!("{}", v.message),
        kaigo_core::CoreError::Refused(m) => anyhow::anyhow!("{m}"),
        other => anyhow::anyhow!("registration failed: {other}"),
    })
}

/// The registration result as one JSON object (keys are part of the CLI contract).
pub fn to_json(r: &Registered) -> serde_json::Value {
    serde_json::json!({
        "user_id": r.office.user_id.as_str(),
        "login_password": r.login_password.expose_secret(),
        "issuance_password": r.issuance_password.expose_secret(),
        "office_number": r.office.number.as_str(),
        "name": r.office.name,
        "kind": r.office.kind.code(),
        "email": r.office.email,
        "prefecture": r.office.prefecture.map(|p| p.to_string()),
    })
}

pub fn to_text(r: &Registered) -> String {
    format!(
        "Registered office {number} ({name})\n  ユーザID:               {user}\n  仮パスワード:           {login}\n  証明書発行用パスワード: {issuance}\nThese passwords are shown only now; they are stored only as Argon2id hashes.\n",
        number = r.office.number,
        name = r.office.name,
        user = r.office.user_id,
        login = r.login_password.expose_secret(),
        issuance = r.issuance_password.expose_secret(),
    )
}
