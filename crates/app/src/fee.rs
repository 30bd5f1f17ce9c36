//! `kaigo-pki fee pay`: records a payment of an office's issuance fee balance.

use kaigo_core::fee::PaymentMethod;

use crate::cli::PaymentMethodArg;
use crate::datadir::DataDir;
use crate::wiring;

/// Records the payment and returns the office's new balance.
pub async fn pay(
    dir: &DataDir,
    office: &str,
    amount: i64,
    method: PaymentMethodArg,
) -> anyhow::Result<i64> {
    if amount <= 0 {
        anyhow::bail!("--amount must be a positive number of yen (got {amount})");
    }
    let app = wiring::open(dir, false).await?;
    let method = match method {
        PaymentMethodArg::Transfer => PaymentMethod::Transfer,
        PaymentMethodArg::Offset => PaymentMethod::Offset,
    };
    let result = app
        .services
        .fees
        .record_payment(office, amount, method, &kaigo_core::actor::Actor::Cli)
        .await;
    app.store.close().await;
    result.map_err(|e| match e {
        kaigo_core::CoreError::Validation(v) => anyhow::anyhow!("{}", v.message),
        kaigo_core::CoreError::NotFound => anyhow::anyhow!("no office with 事業所番号 {office}"),
        other => anyhow::anyhow!("payment failed: {other}"),
    })
}
