//! The download page and the PKCS#12 file.

use askama::Template;

use axum::response::Response;
use kaigo_core::certificate::apply::HistoryRow;
use kaigo_core::certificate::download::CompatDownload;

use super::tab::{Flow, back_to_tab, frame};
use crate::auth::CurrentOffice;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "download.html")]
struct DownloadPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    /// The certificate valid today first, then a renewal's; `true` for the one valid today.
    rows: Vec<(HistoryRow, bool)>,
    /// A message about 「Mac・古いWindows用のファイル」 (a wrong password, a lock).
    compat_error: Option<String>,
}

/// 「Mac・古いWindows用のファイル」: the issuance password of the file, and which certificate.
#[derive(serde::Deserialize, Default)]
pub struct CompatForm {
    #[serde(default)]
    issuance_password: String,
    #[serde(default)]
    id: String,
}

/// `?id=N`: which of the office's certificates to download (default: the current one).
#[derive(serde::Deserialize, Default)]
pub struct WhichFile {
    #[serde(default)]
    id: Option<String>,
}

pub(crate) async fn download_page(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Response> {
    page(state, user, flow, None).await
}

async fn page(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    compat_error: Option<String>,
) -> AppResult<Response> {
    let rows = state
        .services
        .apply
        .download_rows(&user.office, flow.kind)
        .await?;
    if rows.is_empty() {
        return Ok(back_to_tab(user, flow, flow.nothing_to_download));
    }
    render(&DownloadPage {
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        rows,
        compat_error,
    })
}

pub(crate) async fn download_file(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    which: &WhichFile,
    ip: &str,
) -> AppResult<Response> {
    // An id that does not parse names no certificate of this office: the same "nothing".
    let which = match which.id.as_deref() {
        None | Some("") => None,
        Some(raw) => match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => return Ok(back_to_tab(user, flow, flow.nothing_to_download)),
        },
    };
    let (name, bytes) = match state
        .services
        .apply
        .download(&user.office, flow.kind, which, ip)
        .await
    {
        Ok(found) => found,
        Err(kaigo_core::CoreError::NotFound) => {
            return Ok(back_to_tab(user, flow, flow.nothing_to_download));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(crate::download::file_response(
        &name,
        "application/x-pkcs12",
        bytes,
    ))
}

/// `POST …/download/compat`: the same certificate for Macs and older Windows, made now under
/// the issuance password the office types.
pub(crate) async fn download_compat(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    form: CompatForm,
    ip: &str,
) -> AppResult<Response> {
    let pw = form.issuance_password.trim();
    if pw.is_empty() {
        return page(
            state,
            user,
            flow,
            Some("証明書発行用パスワードを入力してください。".into()),
        )
        .await;
    }
    let which = match form.id.trim() {
        "" => None,
        raw => match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => return Ok(back_to_tab(user, flow, flow.nothing_to_download)),
        },
    };
    let settings = &state.services.deps.settings;
    let outcome = state
        .services
        .apply
        .download_compat(&user.office, flow.kind, which, pw, ip)
        .await;
    let message = match outcome {
        Ok(CompatDownload::File(name, bytes)) => {
            return Ok(crate::download::file_response(
                &name,
                "application/x-pkcs12",
                bytes,
            ));
        }
        Ok(CompatDownload::Wrong) => format!(
            "証明書発行用パスワードが正しくありません。この証明書を発行したときの証明書発行用パスワードを入力してください。{}続けて誤ると{}間ご利用いただけなくなります。",
            settings.lockout_times(),
            settings.lockout_span()
        ),
        Ok(CompatDownload::Locked(until)) => format!(
            "証明書発行用パスワードを{}続けて誤ったため、{} 以降に再度お試しください。",
            settings.lockout_times(),
            kaigo_core::clock::jst_datetime(until)
        ),
        Err(kaigo_core::CoreError::NotFound) => {
            return Ok(back_to_tab(user, flow, flow.nothing_to_download));
        }
        Err(e) => return Err(e.into()),
    };
    page(state, user, flow, Some(message)).await
}
