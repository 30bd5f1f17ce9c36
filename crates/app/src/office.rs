//! `kaigo-pki office add`.

use kaigo_core::actor::Actor;
use kaigo_core::office::form::OfficeForm;
use kaigo_core::office::register::Registered;
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
    pub postal_code: String,
    pub address: String,
}

pub async fn add(dir: &DataDir, args: AddArgs) -> anyhow::Result<Registered> {
    let app = wiring::open(dir, false).await?;
    // Without --prefecture, the form's rule takes the one the number begins with.
    let prefecture = args.prefecture.unwrap_or_default();
    let form = OfficeForm {
        number: args.number,
        name: args.name,
        kind: args.kind.code().to_owned(),
        prefecture,
        postal_code: args.postal_code,
        address: args.address,
        email: args.email.unwrap_or_default(),
    };
    let result = register(&app, &Actor::Cli, &form).await;
    app.store.close().await;
    result
}

/// Registers one office by the console's path (the same rules, the same audit) and returns
/// it with its passwords. The form's problems become one error, one per line.
pub(crate) async fn register(
    app: &wiring::App,
    actor: &Actor,
    form: &OfficeForm,
) -> anyhow::Result<Registered> {
    let svc = &app.services.admin_offices;
    match svc.register(actor, form).await {
        Ok(Ok(batch)) => {
            // The passwords are printed here, once: their sealed letter batch is not kept.
            let batch_id = batch.batch_id;
            let registered = batch.into_registered().pop();
            svc.discard_letters(actor, batch_id)
                .await
                .map_err(|e| anyhow::anyhow!("cannot discard the letter batch: {e}"))?;
            registered.ok_or_else(|| anyhow::anyhow!("registration returned no office"))
        }
        // One line, as every CLI error: the problems side by side.
        Ok(Err(problems)) => Err(anyhow::anyhow!("{}", problems.join(" "))),
        Err(kaigo_core::CoreError::Validation(v)) => Err(anyhow::anyhow!("{}", v.message)),
        Err(kaigo_core::CoreError::Refused(m)) => Err(anyhow::anyhow!("{m}")),
        Err(other) => Err(anyhow::anyhow!("registration failed: {other}")),
    }
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
