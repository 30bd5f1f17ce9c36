//! The admin console behind `/admin`: one module per area. Every handler takes a
//! [`Console`] (a logged-in admin with the CSRF token and client address) and passes
//! `console.actor()` to a core service, which checks the admin's scope on every object.

pub mod accounts;
pub mod assist;
pub mod audit;
pub mod certificates;
pub mod fees;
pub mod frame;
pub mod home;
pub mod inquiries;
pub mod mail;
pub mod notices;
pub mod offices;

use axum::Router;

use crate::state::AppState;

/// All console routes (the login pages stay in [`crate::admin`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(offices::routes())
        .merge(fees::routes())
        .merge(notices::routes())
        .merge(certificates::routes())
        .merge(inquiries::routes())
        .merge(audit::routes())
        .merge(accounts::routes())
        .merge(mail::routes())
        .merge(assist::routes())
}
