//! The application flow shared by the tabs (manual 3-1 and 3-2): the issuance password, the
//! validity start, the terms, the submission, and the download. A tab (`dx.rs`,
//! `certificate.rs`) describes itself with a [`tab::Flow`] and mounts [`routes`]; nothing here
//! knows which tab it serves. One file per step, the shared checks in `tab.rs`.

pub mod download;
pub mod password;
pub mod start;
pub mod submit;
pub mod tab;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

use self::download::{CompatForm, download_compat, download_file, download_page};
use self::password::{IssuancePasswordForm, password_form, password_submit};
use self::start::{StartForm, start_form, start_submit};
use self::submit::{SubmitForm, done, submit, terms};
use self::tab::Flow;
use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::csrf::CsrfForm;
use crate::state::AppState;

/// The steps of an application and its download, under the tab's path (`/dx/apply/…`,
/// `/certificate/download` …): one set of routes per flow, built here for any kind.
pub(crate) fn routes(flow: &'static Flow) -> Router<AppState> {
    let at = |step: &str| format!("{}/{step}", flow.base);
    Router::new()
        .route(
            &at("apply/password"),
            get(move |State(s): State<AppState>, u: CurrentOffice| async move {
                password_form(&s, &u, flow).await
            })
            .post(
                move |State(s): State<AppState>,
                      u: CurrentOffice,
                      ClientIp(ip): ClientIp,
                      CsrfForm(f): CsrfForm<IssuancePasswordForm>| async move {
                    password_submit(&s, &u, flow, &ip, f).await
                },
            ),
        )
        .route(
            &at("apply/start"),
            get(move |State(s): State<AppState>, u: CurrentOffice| async move {
                start_form(&s, &u, flow, None).await
            })
            .post(
                move |State(s): State<AppState>, u: CurrentOffice, CsrfForm(f): CsrfForm<StartForm>| async move {
                    start_submit(&s, &u, flow, f).await
                },
            ),
        )
        .route(
            &at("apply/terms"),
            get(move |State(s): State<AppState>, u: CurrentOffice| async move {
                terms(&s, &u, flow).await
            }),
        )
        .route(
            &at("apply/submit"),
            post(
                move |State(s): State<AppState>,
                      u: CurrentOffice,
                      ClientIp(ip): ClientIp,
                      CsrfForm(f): CsrfForm<SubmitForm>| async move {
                    submit(&s, &u, flow, &ip, f).await
                },
            ),
        )
        .route(
            &at("apply/done"),
            get(move |State(s): State<AppState>, u: CurrentOffice| async move { done(&s, &u, flow) }),
        )
        .route(
            &at("download"),
            get(move |State(s): State<AppState>, u: CurrentOffice| async move {
                download_page(&s, &u, flow).await
            }),
        )
        .route(
            &at("download/compat"),
            post(
                move |State(s): State<AppState>,
                      u: CurrentOffice,
                      ClientIp(ip): ClientIp,
                      CsrfForm(f): CsrfForm<CompatForm>| async move {
                    download_compat(&s, &u, flow, f, &ip).await
                },
            ),
        )
        .route(
            &at("download/file"),
            get(
                move |State(s): State<AppState>,
                      u: CurrentOffice,
                      ClientIp(ip): ClientIp,
                      axum::extract::Query(which): axum::extract::Query<download::WhichFile>| async move {
                    download_file(&s, &u, flow, &which, &ip).await
                },
            ),
        )
}
