//! Notices (お知らせ): targeting, display period and per-office read marks.

pub(crate) mod console;
pub(crate) mod search;

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{NoticeId, OfficeId, PrefectureCode};
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, Notice, NoticeCategory, NoticeTarget, NoticeView};
use kaigo_core::office::Office;
use sqlx::Executor;
use sqlx::any::{Any, AnyRow};

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{code, get};

/// The notice columns `notice()` reads, qualified with the alias `n`.
macro_rules! columns {
    () => {
        "n.id, n.category, n.title, n.body, n.target_kind, n.target_value, n.start_at, \
         n.end_at, n.updated_at"
    };
}

/// The display rule of a notice (alias `n`) at the time bound to the given parameter: its
/// display window has started and not ended, and it is not withdrawn. Everything an office
/// sees of a notice — the notice, its attachments in お知らせ and in 照会一覧, a download by
/// URL — goes through this one rule.
macro_rules! on_display {
    ($now:literal) => {
        concat!(
            "n.start_at <= ",
            $now,
            " AND (n.end_at IS NULL OR n.end_at > ",
            $now,
            ") AND n.withdrawn_at IS NULL"
        )
    };
}
pub(crate) use on_display;

/// Notices visible to one office at one time. Parameters: `$1` the office's prefecture code
/// (or NULL), `$2` its id as text, `$3` now.
macro_rules! visible {
    () => {
        concat!(
            "(n.target_kind = 'all' \
              OR (n.target_kind = 'prefecture' AND n.target_value = $1) \
              OR (n.target_kind = 'office' AND n.target_value = $2)) AND ",
            $crate::notice::on_display!("$3")
        )
    };
}
pub(crate) use visible;

/// When an office sees a notice appear: its start, or its last update if later (what
/// 「提示（更新）日時」 shows). Lists are newest first by it, so two notices of one day are in
/// the order they appeared even when one was scheduled for the day and the other posted at
/// an hour of it.
macro_rules! shown_at {
    () => {
        "(CASE WHEN n.updated_at > n.start_at THEN n.updated_at ELSE n.start_at END)"
    };
}
pub(crate) use shown_at;

/// How a target is stored: a kind and a text value, so that one indexed pair of columns can
/// hold a prefecture code or an office id.
fn target_columns(target: NoticeTarget) -> (&'static str, Option<String>) {
    match target {
        NoticeTarget::All => ("all", None),
        NoticeTarget::Prefecture(p) => ("prefecture", Some(p.to_string())),
        NoticeTarget::Office(id) => ("office", Some(id.0.to_string())),
    }
}

fn target(row: &AnyRow) -> RepoResult<NoticeTarget> {
    let kind: String = get(row, "target_kind")?;
    let value: Option<String> = get(row, "target_value")?;
    let value_text = || value.clone().unwrap_or_default();
    match kind.as_str() {
        "all" => Ok(NoticeTarget::All),
        "prefecture" => PrefectureCode::parse(&value_text())
            .map(NoticeTarget::Prefecture)
            .map_err(|_| bad_value("target_value", &value_text())),
        "office" => value_text()
            .parse()
            .map(|id| NoticeTarget::Office(OfficeId(id)))
            .map_err(|_| bad_value("target_value", &value_text())),
        _ => Err(bad_value("target_kind", &kind)),
    }
}

pub(crate) fn notice(row: &AnyRow) -> RepoResult<Notice> {
    Ok(Notice {
        id: NoticeId(get(row, "id")?),
        category: code(row, "category", NoticeCategory::from_code)?,
        title: get(row, "title")?,
        body: get(row, "body")?,
        target: target(row)?,
        start_at: get(row, "start_at")?,
        end_at: get(row, "end_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

/// The parameters `$1`, `$2` of [`visible!`] for an office.
pub(crate) fn office_params(office: &Office) -> (Option<String>, String) {
    (
        office.prefecture.map(|p| p.to_string()),
        office.id.0.to_string(),
    )
}

/// Inserts a notice through any executor, so that issuance can post it inside its
/// transaction.
pub(crate) async fn insert<'c, E>(executor: E, n: &NewNotice) -> Result<NoticeId, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let (kind, value) = target_columns(n.target);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notices (category, title, body, target_kind, target_value, start_at, \
         end_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(n.category.code())
    .bind(n.title.as_str())
    .bind(n.body.as_str())
    .bind(kind)
    .bind(value)
    .bind(n.start_at)
    .bind(n.end_at)
    .bind(n.created_at)
    .fetch_one(executor)
    .await?;
    Ok(NoticeId(id))
}

#[async_trait]
impl NoticeRepo for SqlStore {
    async fn insert_notice(&self, n: &NewNotice) -> RepoResult<NoticeId> {
        insert(&self.pool, n)
            .await
            .map_err(repo_err("insert notice"))
    }

    async fn notices_for_office(
        &self,
        office: &Office,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<NoticeView>> {
        let (prefecture, office_id) = office_params(office);
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            ", r.read_at FROM notices n \
             LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.office_id = $4 \
             WHERE ",
            visible!(),
            " ORDER BY ",
            shown_at!(),
            " DESC, n.id DESC LIMIT $5 OFFSET $6"
        ))
        .bind(prefecture)
        .bind(office_id)
        .bind(now)
        .bind(office.id.0)
        // PostgreSQL rejects negative values where SQLite treats them as "no limit".
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("notices for office"))?;
        rows.iter()
            .map(|row| {
                Ok(NoticeView {
                    notice: notice(row)?,
                    read: get::<Option<i64>>(row, "read_at")?.is_some(),
                })
            })
            .collect()
    }

    async fn count_notices_for_office(&self, office: &Office, now: i64) -> RepoResult<i64> {
        let (prefecture, office_id) = office_params(office);
        sqlx::query_scalar(concat!("SELECT COUNT(*) FROM notices n WHERE ", visible!()))
            .bind(prefecture)
            .bind(office_id)
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_err("count notices"))
    }

    async fn count_unread_notices_for_office(&self, office: &Office, now: i64) -> RepoResult<i64> {
        let (prefecture, office_id) = office_params(office);
        sqlx::query_scalar(concat!(
            "SELECT COUNT(*) FROM notices n WHERE ",
            visible!(),
            " AND NOT EXISTS (SELECT 1 FROM notice_reads r \
             WHERE r.notice_id = n.id AND r.office_id = $4)"
        ))
        .bind(prefecture)
        .bind(office_id)
        .bind(now)
        .bind(office.id.0)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("count unread notices"))
    }

    async fn notice_for_office(
        &self,
        office: &Office,
        id: NoticeId,
        now: i64,
    ) -> RepoResult<Option<Notice>> {
        let (prefecture, office_id) = office_params(office);
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM notices n WHERE n.id = $4 AND ",
            visible!()
        ))
        .bind(prefecture)
        .bind(office_id)
        .bind(now)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("notice for office"))?;
        row.as_ref().map(notice).transpose()
    }

    /// Idempotent: the first read time is kept. `NotFound` if the office or notice does not
    /// exist.
    async fn mark_notice_read(&self, office_id: OfficeId, id: NoticeId, at: i64) -> RepoResult<()> {
        sqlx::query(
            "INSERT INTO notice_reads (office_id, notice_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (office_id, notice_id) DO NOTHING",
        )
        .bind(office_id.0)
        .bind(id.0)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => RepoError::NotFound,
            _ => repo_err("mark notice read")(e),
        })?;
        Ok(())
    }
}
