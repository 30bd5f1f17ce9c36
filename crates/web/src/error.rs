//! The web layer's one error type, mapped to a status code and a Japanese page.
//! Details of internal failures go to the log, never to the page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kaigo_core::document::render::RenderError;
use kaigo_core::{CoreError, RepoError};

#[derive(Debug)]
pub enum AppError {
    NotFound,
    BadRequest(String),
    /// The store refused a write that another request made first (a uniqueness rule).
    Conflict(String),
    Csrf,
    /// Not logged in: go to the login page.
    Unauthenticated,
    /// The node renders other documents and its queue is full: 503 with `Retry-After`.
    Busy {
        retry_after: u64,
    },
    Internal(String),
}

impl AppError {
    /// A failed render: busy stays busy (503), anything else is internal, named by `what`.
    pub fn docs(what: &str, e: kaigo_docs::DocsError) -> Self {
        match e {
            kaigo_docs::DocsError::Busy { retry_after } => Self::Busy { retry_after },
            other => Self::Internal(format!("{what}: {other}")),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        match e {
            // Every variant named: a new one must be placed here, not fall into a 500.
            CoreError::NotFound | CoreError::Repo(RepoError::NotFound) => Self::NotFound,
            CoreError::Validation(v) => Self::BadRequest(v.message),
            CoreError::Refused(m) => Self::BadRequest(m),
            CoreError::Repo(RepoError::Conflict(detail)) => Self::Conflict(detail),
            CoreError::Repo(RepoError::Duplicate(what)) => Self::Conflict(format!("{what:?}")),
            e @ (CoreError::Repo(RepoError::Backend(_))
            | CoreError::Pki(_)
            | CoreError::Hash(_)) => Self::Internal(e.to_string()),
            CoreError::Render(RenderError::Busy { retry_after }) => Self::Busy { retry_after },
            e @ CoreError::Render(RenderError::Failed(_)) => Self::Internal(e.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            Self::NotFound => (StatusCode::NOT_FOUND, "ページが見つかりません", "指定されたページは存在しないか、表示する権限がありません。".to_owned()),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "入力内容を確認してください", m.clone()),
            Self::Conflict(detail) => {
                // The detail names tables and keys: for the log only.
                tracing::warn!(%detail, "conflicting write");
                (
                    StatusCode::CONFLICT,
                    "ほかの操作と重なりました",
                    "同じ内容がほかの操作で先に登録されたため、処理できませんでした。画面を開き直して内容を確認してください。".to_owned(),
                )
            }
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "画面の有効期限が切れました",
                "画面を開いてから時間が経過したか、別の画面から送信されました。お手数ですが、もう一度操作をやり直してください。".to_owned(),
            ),
            Self::Unauthenticated => {
                return axum::response::Redirect::to("/login").into_response();
            }
            Self::Busy { retry_after } => {
                let body = ErrorPage {
                    title: "ただいま混み合っています",
                    message: BUSY_MESSAGE,
                }
                .render()
                .unwrap_or_else(|_| BUSY_MESSAGE.to_owned());
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(axum::http::header::RETRY_AFTER, retry_after.to_string())],
                    Html(body),
                )
                    .into_response();
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "システムエラー",
                    "処理中にエラーが発生しました。しばらくしてから再度お試しください。解決しない場合はヘルプデスクへお問い合わせください。".to_owned(),
                )
            }
        };
        let body = ErrorPage {
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        (status, Html(body)).into_response()
    }
}

/// What a caller refused by the render queue reads.
pub const BUSY_MESSAGE: &str = "ただいまほかの帳票（PDF）を作成中のため、受け付けられませんでした。1分ほど待ってから、もう一度ダウンロードしてください。";

pub type AppResult<T> = Result<T, AppError>;

/// Renders a template into an HTML response; a template failure is an internal error.
pub fn render<T: Template>(t: &T) -> AppResult<Response> {
    t.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_and_body(e: CoreError) -> (StatusCode, String) {
        let resp = AppError::from(e).into_response();
        let status = resp.status();
        let body = body_text(resp);
        (status, body)
    }

    fn body_text(resp: Response) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        })
    }

    /// The store's NotFound and Conflict are a 404 and a 409 with Japanese text, never a 500,
    /// and the store's detail stays in the log.
    #[test]
    fn store_errors_map_to_their_status_without_details() {
        let (s, _) = status_and_body(CoreError::Repo(RepoError::NotFound));
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, body) = status_and_body(CoreError::Repo(RepoError::Conflict(
            "UNIQUE constraint failed: offices.number".into(),
        )));
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(body.contains("ほかの操作と重なりました"), "{body}");
        assert!(!body.contains("UNIQUE"), "{body}");
        let (s, body) = status_and_body(CoreError::Repo(RepoError::Backend("disk I/O".into())));
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.contains("disk"), "{body}");
    }
}
