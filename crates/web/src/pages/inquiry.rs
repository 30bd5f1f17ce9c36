//! お問い合わせ as the manual shows it: the choice screen (「以下から方法をご選択いただけます。」)
//! and its three ways — the AIチャット (`chat`), the form, and the phone numbers — plus the
//! form's acknowledgment. Without a login the choice screen, the chat and the phone page are
//! public; the form needs the office's login.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::inquiry::InquiryCategory;
use kaigo_core::inquiry::service::HELPDESK_PHONES;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::session::Session;
use crate::state::AppState;

fn frame(state: &AppState, user: &CurrentOffice, title: &str) -> Frame {
    let now = state.services.deps.clock.unix();
    Frame::new(title, "inquiry", &user.office, &user.session, now)
}

/// A helpdesk number as shown and as dialled (`tel:` link).
pub struct PhoneRow {
    pub label: &'static str,
    pub number: &'static str,
    pub tel: String,
}

/// The helpdesk numbers with their `tel:` links: the digits and hyphens before any note.
pub fn phone_rows() -> Vec<PhoneRow> {
    HELPDESK_PHONES
        .iter()
        .map(|(label, number)| PhoneRow {
            label,
            number,
            tel: format!(
                "tel:{}",
                number
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '-')
                    .collect::<String>()
            ),
        })
        .collect()
}

/// The office the session belongs to, once it has chosen its own password.
pub(crate) async fn logged_in(
    state: &AppState,
    session: Session,
) -> AppResult<Option<CurrentOffice>> {
    let office = match session.office_id() {
        Some(id) => state.services.auth.office(id).await?,
        None => None,
    };
    Ok(office
        .filter(|o| !o.must_change_password)
        .map(|office| CurrentOffice { office, session }))
}

// ---- 以下から方法をご選択いただけます。 ----

#[derive(Template)]
#[template(path = "inquiry_choice.html")]
struct ChoicePage {
    frame: Frame,
}

#[derive(Template)]
#[template(path = "inquiry_choice_public.html")]
struct ChoicePublicPage {}

pub async fn choice(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    match logged_in(&state, session).await? {
        Some(user) => render(&ChoicePage {
            frame: frame(&state, &user, "お問い合わせ"),
        }),
        None => render(&ChoicePublicPage {}),
    }
}

// ---- お電話でのお問い合わせ ----

#[derive(Template)]
#[template(path = "inquiry_phone.html")]
struct PhonePage {
    frame: Frame,
    phones: Vec<PhoneRow>,
    hours: String,
}

#[derive(Template)]
#[template(path = "inquiry_phone_public.html")]
struct PhonePublicPage {
    phones: Vec<PhoneRow>,
    hours: String,
}

pub async fn phone(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    match logged_in(&state, session).await? {
        Some(user) => render(&PhonePage {
            frame: frame(&state, &user, "お電話でのお問い合わせ"),
            phones: phone_rows(),
            hours,
        }),
        None => render(&PhonePublicPage {
            phones: phone_rows(),
            hours,
        }),
    }
}

// ---- フォームでのお問い合わせ ----

/// The one-shot message that carries the reception number to the acknowledgment page (and
/// reads well if shown on another page instead).
const ACK_PREFIX: &str = "お問い合わせを受け付けました。受付番号: ";

#[derive(Template)]
#[template(path = "inquiry.html")]
struct InquiryPage {
    frame: Frame,
    categories: Vec<(&'static str, &'static str)>,
    phones: Vec<PhoneRow>,
    hours: String,
    form: InquiryForm,
    errors: Vec<String>,
    /// The office's registered and confirmed addresses: the only reply addresses offered.
    addresses: Vec<String>,
}

#[derive(Template)]
#[template(path = "inquiry_public.html")]
struct InquiryPublicPage {
    phones: Vec<PhoneRow>,
    hours: String,
}

#[derive(Template)]
#[template(path = "inquiry_done.html")]
struct InquiryDonePage {
    frame: Frame,
    reception: String,
    /// Whether the acknowledgment went by mail (the office has an address to send it to).
    mailed: bool,
    phones: Vec<PhoneRow>,
    hours: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct InquiryForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reply_to: String,
}

fn categories() -> Vec<(&'static str, &'static str)> {
    InquiryCategory::ALL
        .into_iter()
        .map(|c| (c.code(), c.label()))
        .collect()
}

/// What the chat hands over: the index of a turn of this session's conversation, whose
/// question starts the form (the question itself never travels in the URL).
#[derive(Deserialize)]
pub struct Prefill {
    #[serde(default)]
    turn: Option<usize>,
}

/// The form for a logged-in office (its body pre-filled with a question the chat could not
/// answer); without a login, the helpdesk numbers and a login link.
pub async fn inquiry_form(
    State(state): State<AppState>,
    session: Session,
    Query(prefill): Query<Prefill>,
) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    match logged_in(&state, session).await? {
        Some(user) => {
            let addresses = state
                .services
                .inquiries
                .reply_addresses(&user.office)
                .await?;
            let body = prefill
                .turn
                .and_then(|i| user.session.data().chat?.get(i).map(|t| t.question.clone()))
                .unwrap_or_default();
            render(&InquiryPage {
                frame: frame(&state, &user, "フォームでのお問い合わせ"),
                categories: categories(),
                phones: phone_rows(),
                hours,
                form: InquiryForm {
                    body,
                    ..InquiryForm::default()
                },
                errors: Vec::new(),
                addresses,
            })
        }
        None => render(&InquiryPublicPage {
            phones: phone_rows(),
            hours,
        }),
    }
}

pub async fn inquiry_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    CsrfForm(form): CsrfForm<InquiryForm>,
) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    match state
        .services
        .inquiries
        .submit_inquiry(
            &user.office,
            &form.category,
            &form.subject,
            &form.body,
            &form.reply_to,
        )
        .await?
    {
        Ok((_, reception)) => {
            user.session
                .update(|d| d.flash = Some(format!("{ACK_PREFIX}{reception}")));
            Ok(Redirect::to("/inquiry/done").into_response())
        }
        Err(errors) => {
            let mut form = form;
            form.subject = form.subject.chars().take(200).collect();
            form.reply_to = form.reply_to.chars().take(254).collect();
            let addresses = state
                .services
                .inquiries
                .reply_addresses(&user.office)
                .await?;
            render(&InquiryPage {
                frame: frame(&state, &user, "フォームでのお問い合わせ"),
                categories: categories(),
                phones: phone_rows(),
                hours,
                form,
                errors,
                addresses,
            })
        }
    }
}

pub async fn inquiry_done(
    State(state): State<AppState>,
    user: CurrentOffice,
) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    let mut frame = frame(&state, &user, "お問い合わせ受付完了");
    let Some(reception) = frame
        .flash
        .take()
        .and_then(|f| f.strip_prefix(ACK_PREFIX).map(str::to_owned))
    else {
        return Ok(Redirect::to("/inquiry/form").into_response());
    };
    let mailed = !state
        .services
        .inquiries
        .reply_addresses(&user.office)
        .await?
        .is_empty();
    render(&InquiryDonePage {
        frame,
        reception,
        mailed,
        phones: phone_rows(),
        hours,
    })
}
