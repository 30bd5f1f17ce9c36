//! The urlencoded forms and queries of the portal and the console, decoded into their real
//! types as the handlers do: axum's `Form` (POST body) and `Query` (URI) extractors, and the
//! two decodings of `CsrfForm` (first every pair, to find the token, then the form type).
//!
//! Input: the form body, also tried as the query of a URI when it is a valid one.
//!
//! Invariants: no panic; `CsrfForm`'s decoding into pairs never refuses a body (so no body
//! can reach a form without its token being looked at), and the pairs survive encoding and
//! decoding again unchanged; axum's `Form` and `Query` accept exactly what serde_urlencoded
//! accepts for the same type, so the extractors and `CsrfForm` agree on every form.
//!
//! Not covered: the console forms that are private to their module (fees' PaymentForm and
//! CorrectionForm, offices' ListQuery, DetailQuery and CloseForm, the import's ConfirmForm).
#![no_main]

use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, Query};
use axum::http::{Request, Uri, header};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

use kaigo_web::console::{accounts, audit, certificates, inquiries};
use kaigo_web::pages::flow::{password, start, submit, tab};
use kaigo_web::pages::{help, issuance_password, login, notices, password_reset, settings};

thread_local! {
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
}

fn form<T: DeserializeOwned>(body: &Bytes) {
    let direct = serde_urlencoded::from_bytes::<T>(body).is_ok();
    let req = Request::builder()
        .method("POST")
        .uri("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.clone()))
        .unwrap();
    let extracted = RT
        .with(|rt| rt.block_on(Form::<T>::from_request(req, &())))
        .is_ok();
    assert_eq!(direct, extracted, "Form and serde_urlencoded disagree");
}

fn query<T: DeserializeOwned>(uri: Option<&Uri>) {
    let Some(uri) = uri else { return };
    let direct = serde_urlencoded::from_str::<T>(uri.query().unwrap_or("")).is_ok();
    let extracted = Query::<T>::try_from_uri(uri).is_ok();
    assert_eq!(
        direct, extracted,
        "Query and serde_urlencoded disagree on {uri}"
    );
}

fuzz_target!(|data: &[u8]| {
    let body = Bytes::copy_from_slice(data);
    // CsrfForm: every pair first, for the token.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).expect("CsrfForm's pair decoding refused a body");
    let again = serde_urlencoded::to_string(&pairs).unwrap();
    let back: Vec<(String, String)> = serde_urlencoded::from_str(&again).unwrap();
    assert_eq!(back, pairs, "pairs changed by encoding and decoding");

    // The POST forms (CsrfForm<T> decodes T with serde_urlencoded as Form<T> does).
    form::<login::LoginForm>(&body);
    form::<login::PasswordForm>(&body);
    form::<login::Empty>(&body);
    form::<tab::ChoiceForm>(&body);
    form::<password::IssuancePasswordForm>(&body);
    form::<start::StartForm>(&body);
    form::<submit::SubmitForm>(&body);
    form::<help::InquiryForm>(&body);
    form::<password_reset::ForgotForm>(&body);
    form::<password_reset::ResetForm>(&body);
    form::<issuance_password::ReissueForm>(&body);
    form::<settings::AddressForm>(&body);
    form::<settings::CodeForm>(&body);
    form::<kaigo_web::admin::LoginForm>(&body);
    form::<kaigo_web::admin::CodeForm>(&body);
    form::<kaigo_web::admin::EmptyForm>(&body);
    form::<kaigo_core::office::form::OfficeForm>(&body);
    form::<certificates::RevokeForm>(&body);
    form::<inquiries::ReplyForm>(&body);
    form::<inquiries::CloseForm>(&body);
    form::<accounts::CreateForm>(&body);
    form::<accounts::EmptyForm>(&body);
    form::<audit::SearchForm>(&body);
    form::<certificates::SearchForm>(&body);

    // The GET queries.
    let uri = std::str::from_utf8(data)
        .ok()
        .and_then(|q| format!("/x?{q}").parse::<Uri>().ok());
    let uri = uri.as_ref();
    query::<login::LoginQuery>(uri);
    query::<help::FaqQuery>(uri);
    query::<notices::PageQuery>(uri);
    query::<issuance_password::BackQuery>(uri);
    query::<certificates::SearchForm>(uri);
    query::<certificates::DetailQuery>(uri);
    query::<inquiries::ListQuery>(uri);
    query::<inquiries::DetailQuery>(uri);
    query::<audit::SearchForm>(uri);
});
