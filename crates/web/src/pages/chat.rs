//! 【AIチャットに質問】: a form and the conversation so far, without JavaScript. The session
//! keeps the last turns; each question is a POST (CSRF-checked) answered by the assist service
//! and followed by a redirect back to the conversation.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::assist::MAX_QUESTION_CHARS;
use serde::Deserialize;

use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::pages::inquiry::logged_in;
use crate::session::{ChatTurn, Session};
use crate::state::AppState;

/// Turns kept in the session.
pub const MAX_TURNS: usize = 5;

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    frame: Frame,
    csrf: String,
    turns: Vec<ChatTurn>,
    q: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "chat_public.html")]
struct ChatPublicPage {
    csrf: String,
    turns: Vec<ChatTurn>,
    q: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ChatForm {
    #[serde(default)]
    q: String,
    /// A 「次のどれですか」 choice, and the question it was offered for.
    #[serde(default)]
    pick: String,
    #[serde(default)]
    asked: String,
}

async fn page(
    state: &AppState,
    session: Session,
    q: String,
    error: Option<String>,
) -> AppResult<Response> {
    let turns = session.data().chat.unwrap_or_default();
    let csrf = session.csrf_token();
    match logged_in(state, session).await? {
        Some(user) => {
            let now = state.services.deps.clock.unix();
            render(&ChatPage {
                frame: Frame::new(
                    "AIチャットに質問",
                    "inquiry",
                    &user.office,
                    &user.session,
                    now,
                ),
                csrf,
                turns,
                q,
                error,
            })
        }
        None => render(&ChatPublicPage {
            csrf,
            turns,
            q,
            error,
        }),
    }
}

pub async fn chat(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    page(&state, session, String::new(), None).await
}

pub async fn ask(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<ChatForm>,
) -> AppResult<Response> {
    let user = logged_in(&state, session.clone()).await?;
    let office = user.as_ref().map(|u| &u.office);
    let assist = &state.services.assist;
    let turn = if !form.pick.is_empty() {
        match assist.pick(office, &form.pick).await? {
            Some(reply) => ChatTurn {
                question: form
                    .asked
                    .trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_QUESTION_CHARS)
                    .collect(),
                picked: Some(reply.heading.clone()),
                reply,
            },
            None => {
                let msg = "選択肢が見つかりません。もう一度質問を入力してください。";
                return page(&state, session, String::new(), Some(msg.into())).await;
            }
        }
    } else {
        let question = form.q.trim();
        if question.chars().count() > MAX_QUESTION_CHARS {
            let msg = format!("ご質問は{MAX_QUESTION_CHARS}文字以内で入力してください。");
            let kept: String = form.q.chars().take(MAX_QUESTION_CHARS * 2).collect();
            return page(&state, session, kept, Some(msg)).await;
        }
        match assist.ask(office, question).await? {
            Some(reply) => ChatTurn {
                question: question.to_owned(),
                picked: None,
                reply,
            },
            None => {
                let msg = "ご質問を入力してください。";
                return page(&state, session, String::new(), Some(msg.into())).await;
            }
        }
    };
    session.update(|d| {
        let turns = d.chat.get_or_insert_with(Vec::new);
        turns.push(turn);
        let excess = turns.len().saturating_sub(MAX_TURNS);
        turns.drain(..excess);
    });
    Ok(Redirect::to("/inquiry/chat#latest").into_response())
}

pub async fn clear(session: Session, CsrfForm(_): CsrfForm<ClearForm>) -> AppResult<Response> {
    session.update(|d| d.chat = None);
    Ok(Redirect::to("/inquiry/chat").into_response())
}

#[derive(Deserialize)]
pub struct ClearForm {}
