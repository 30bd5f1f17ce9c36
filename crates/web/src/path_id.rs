//! Ids in URL paths (`/admin/offices/{id}`, `/notices/{id}` …). A segment that is not an id
//! is answered like an id that does not exist: 404 「ページが見つかりません」. The rule of what an
//! id looks like is core's (`kaigo_core::ids::parse_row_id`).

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::{AppError, AppResult};

/// The one id of a route with one path parameter, typed (`PathId<OfficeId>`).
pub struct PathId<T>(pub T);

impl<S, T> FromRequestParts<S> for PathId<T>
where
    S: Send + Sync,
    T: FromStr + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        segment(&raw).map(Self)
    }
}

/// One path segment as an id, for routes with several parameters or a suffix
/// (`{office}.pdf`: pass the segment without it).
pub fn segment<T: FromStr>(raw: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// One path segment as a plain row id (batches and parts of letters).
pub fn row_id(raw: &str) -> AppResult<i64> {
    kaigo_core::ids::parse_row_id(raw).map_err(|_| AppError::NotFound)
}
