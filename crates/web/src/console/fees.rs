//! Console area: fees (issue 4 §3). The balance list and its CSV, one office's ledger with
//! the payment and correction forms, and the 請求書 PDF. The service checks the scope.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::clock::{jst_date, jst_datetime};
use kaigo_core::fee::FeeEntryKind;
use kaigo_core::fee::console::{CorrectionInput, Ledger, PaymentInput, balances_csv};
use kaigo_core::ids::OfficeId;
use kaigo_core::office::prefectures::prefecture_name;
use kaigo_docs::format_yen;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::path_id::PathId;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/fees", get(list))
        .route("/admin/fees.csv", get(csv))
        .route("/admin/fees/{office_id}", get(ledger))
        .route("/admin/fees/{office_id}/payment", post(payment))
        .route("/admin/fees/{office_id}/correction", post(correction))
        .route("/admin/fees/{office_id}/invoice.pdf", get(invoice))
}

struct BalanceRow {
    office_id: i64,
    number: String,
    name: String,
    prefecture: String,
    charged: String,
    paid: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "admin/fees/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    rows: Vec<BalanceRow>,
    charged: String,
    paid: String,
    balance: String,
}

async fn list(State(state): State<AppState>, console: Console) -> AppResult<Response> {
    let list = state.services.admin_fees.balances(&console.actor()).await?;
    render(&ListPage {
        frame: console.frame(),
        rows: list
            .rows
            .iter()
            .map(|r| BalanceRow {
                office_id: r.office.id.0,
                number: r.office.number.to_string(),
                name: r.office.name.clone(),
                prefecture: r
                    .office
                    .prefecture
                    .map(|p| prefecture_name(p).to_owned())
                    .unwrap_or_default(),
                charged: format_yen(r.charged),
                paid: format_yen(r.paid),
                balance: format_yen(r.balance),
            })
            .collect(),
        charged: format_yen(list.charged),
        paid: format_yen(list.paid),
        balance: format_yen(list.balance),
    })
}

async fn csv(State(state): State<AppState>, console: Console) -> AppResult<Response> {
    let list = state.services.admin_fees.balances(&console.actor()).await?;
    Ok(crate::download::file_response_as(
        "fee_balances.csv",
        "手数料残高一覧.csv",
        "text/csv; charset=utf-8",
        balances_csv(&list),
    ))
}

struct LedgerRow {
    at: String,
    kind: String,
    detail: String,
    amount: String,
    running: String,
    entered_by: String,
}

#[derive(Template)]
#[template(path = "admin/fees/ledger.html")]
struct LedgerPage {
    frame: ConsoleFrame,
    office_id: i64,
    number: String,
    name: String,
    balance: String,
    rows: Vec<LedgerRow>,
    message: String,
    error: String,
    payment: PaymentForm,
    correction: CorrectionForm,
    today: String,
}

#[derive(Deserialize, Default, Clone)]
struct PaymentForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default, Clone)]
struct CorrectionForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

fn kind_label(kind: FeeEntryKind) -> &'static str {
    match kind {
        FeeEntryKind::Charge => "請求（発行手数料）",
        FeeEntryKind::Payment => "入金",
        FeeEntryKind::Correction => "訂正",
    }
}

struct Feedback {
    message: String,
    error: String,
    payment: PaymentForm,
    correction: CorrectionForm,
}

fn ledger_page(console: &Console, ledger: Ledger, now: i64, fb: Feedback) -> LedgerPage {
    let rows = ledger
        .lines
        .iter()
        .map(|l| {
            let e = &l.record.entry;
            let mut detail = Vec::new();
            if let Some(s) = &l.serial {
                detail.push(format!("シリアル番号 {s}"));
            }
            if let Some(m) = e.method {
                detail.push(m.label().to_owned());
            }
            if let Some(d) = l.record.paid_on {
                detail.push(format!("入金日 {}", jst_date(d)));
            }
            if !e.note.is_empty() {
                detail.push(e.note.clone());
            }
            LedgerRow {
                at: jst_datetime(e.at),
                kind: kind_label(e.kind).to_owned(),
                detail: detail.join("／"),
                amount: format_yen(e.amount),
                running: format_yen(l.running),
                entered_by: if l.record.entered_by.is_empty() {
                    "システム".to_owned()
                } else {
                    l.record.entered_by.clone()
                },
            }
        })
        .collect();
    LedgerPage {
        frame: console.frame(),
        office_id: ledger.office.id.0,
        number: ledger.office.number.to_string(),
        name: ledger.office.name.clone(),
        balance: format_yen(ledger.balance),
        rows,
        message: fb.message,
        error: fb.error,
        payment: fb.payment,
        correction: fb.correction,
        today: kaigo_core::notice::admin::date_input(now),
    }
}

async fn ledger(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<OfficeId>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let ledger = state
        .services
        .admin_fees
        .ledger(&console.actor(), id)
        .await?;
    let message = match done.done.as_str() {
        "payment" => "入金を記録しました。",
        "correction" => "訂正を記録しました。",
        _ => "",
    };
    let now = state.services.deps.clock.unix();
    render(&ledger_page(
        &console,
        ledger,
        now,
        Feedback {
            message: message.to_owned(),
            error: String::new(),
            payment: PaymentForm {
                method: "transfer".to_owned(),
                ..Default::default()
            },
            correction: CorrectionForm::default(),
        },
    ))
}

/// A refused entry: the ledger again, with the message and the input kept.
async fn refused(
    state: &AppState,
    console: &Console,
    id: OfficeId,
    e: AppError,
    fb: Feedback,
) -> AppResult<Response> {
    let AppError::BadRequest(msg) = e else {
        return Err(e);
    };
    let ledger = state
        .services
        .admin_fees
        .ledger(&console.actor(), id)
        .await?;
    let now = state.services.deps.clock.unix();
    let mut resp = render(&ledger_page(
        console,
        ledger,
        now,
        Feedback { error: msg, ..fb },
    ))?;
    *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn payment(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<OfficeId>,
    CsrfForm(form): CsrfForm<PaymentForm>,
) -> AppResult<Response> {
    let input = PaymentInput {
        method: form.method.clone(),
        paid_on: form.paid_on.clone(),
        amount: form.amount.clone(),
        note: form.note.clone(),
    };
    match state
        .services
        .admin_fees
        .record_payment(&console.actor(), id, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/fees/{}?done=payment", id.0)).into_response()),
        Err(e) => {
            let fb = Feedback {
                message: String::new(),
                error: String::new(),
                payment: form,
                correction: CorrectionForm::default(),
            };
            refused(&state, &console, id, e.into(), fb).await
        }
    }
}

async fn correction(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<OfficeId>,
    CsrfForm(form): CsrfForm<CorrectionForm>,
) -> AppResult<Response> {
    let input = CorrectionInput {
        amount: form.amount.clone(),
        reason: form.reason.clone(),
    };
    match state
        .services
        .admin_fees
        .record_correction(&console.actor(), id, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/fees/{}?done=correction", id.0)).into_response()),
        Err(e) => {
            let fb = Feedback {
                message: String::new(),
                error: String::new(),
                payment: PaymentForm {
                    method: "transfer".to_owned(),
                    ..Default::default()
                },
                correction: form,
            };
            refused(&state, &console, id, e.into(), fb).await
        }
    }
}

async fn invoice(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<OfficeId>,
) -> AppResult<Response> {
    let inv = state
        .services
        .admin_fees
        .invoice(&console.actor(), id)
        .await?;
    let data = kaigo_docs::InvoiceData {
        number: inv.number.clone(),
        date: inv.date.clone(),
        office_name: inv.office_name.clone(),
        office_number: inv.office_number.clone(),
        postal_code: inv.postal_code.clone(),
        address: inv.address.clone(),
        issuer: inv.issuer.clone(),
        lines: inv
            .lines
            .iter()
            .map(|l| kaigo_docs::InvoiceLineData {
                item: l.item.clone(),
                serial: l.serial.clone(),
                date: l.date.clone(),
                amount_yen: l.amount,
            })
            .collect(),
        total_yen: inv.total,
        tax_yen: inv.tax,
        tax_rate_percent: inv.tax_rate_percent,
        instructions: inv.instructions.clone(),
    };
    let pdf = kaigo_docs::renders()
        .run(move || kaigo_docs::invoice_pdf(&data))
        .await
        .map_err(|err| AppError::docs("invoice pdf", err))?;
    Ok(crate::download::file_response_as(
        &format!("{}.pdf", inv.file_stem),
        &format!("請求書_{}_{}.pdf", inv.office_number, inv.date),
        "application/pdf",
        pdf,
    ))
}
