//! Searching the audit trail: central operators only; every search is itself audited.

use std::sync::Arc;

use crate::admin::AdminActor;
use crate::audit::AuditAction;
use crate::audit::search::{AuditEntry, AuditQuery};
use crate::clock::{DateRange, parse_date_range};
use crate::deps::Deps;
use crate::error::CoreResult;

pub const PAGE_SIZE: i64 = 100;
const MAX_FIELD_CHARS: usize = 200;

/// The search form as typed.
#[derive(Clone, Debug, Default)]
pub struct AuditSearchInput {
    pub actor: String,
    pub action: String,
    pub object: String,
    pub source: String,
    /// `YYYY-MM-DD` (JST), inclusive.
    pub from: String,
    pub to: String,
}

impl AuditSearchInput {
    pub fn parse(&self) -> Result<AuditQuery, Vec<String>> {
        let mut errors = Vec::new();
        let mut text = |raw: &str, label: &str| -> Option<String> {
            let s = raw.trim();
            if s.chars().count() > MAX_FIELD_CHARS {
                errors.push(format!(
                    "{label}は{MAX_FIELD_CHARS}文字以内で入力してください。"
                ));
                return None;
            }
            (!s.is_empty()).then(|| s.to_owned())
        };
        let actor = text(&self.actor, "操作者");
        let action_prefix = text(&self.action, "操作");
        let object = text(&self.object, "対象");
        let source = text(&self.source, "接続元");
        let DateRange { from, to } = parse_date_range("日付", &self.from, &self.to, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AuditQuery {
            actor,
            action_prefix,
            object,
            source,
            from,
            to,
        })
    }
}

/// One page of entries, with the state of the hash chain.
#[derive(Clone, Debug)]
pub struct AuditPage {
    pub rows: Vec<AuditEntry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// `Ok(entries)` when the whole chain verifies, `Err(id)` of the first broken entry.
    pub chain: Result<u64, i64>,
}

#[derive(Clone)]
pub struct AuditSearchService {
    deps: Arc<Deps>,
}

impl AuditSearchService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Searches (central operators only: `NotFound` for anyone else) and records the search.
    pub async fn search(
        &self,
        actor: &AdminActor,
        input: &AuditSearchInput,
        page: i64,
    ) -> CoreResult<Result<AuditPage, Vec<String>>> {
        actor.ensure_central()?;
        let query = match input.parse() {
            Ok(q) => q,
            Err(errors) => return Ok(Err(errors)),
        };
        let d = &self.deps;
        // Verify before the search is recorded, so the new entry is not what is checked.
        let chain = d.store.verify_audit_chain().await?;
        let total = d.store.count_audit(&query).await?;
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows = d
            .store
            .search_audit(&query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        let detail = describe(&query, page);
        d.audit(
            &actor.audit_name(),
            AuditAction::AdminAuditSearch,
            "audit_log",
            &actor.source,
            &detail,
        )
        .await;
        Ok(Ok(AuditPage {
            rows,
            total,
            page,
            pages,
            chain,
        }))
    }
}

/// The criteria as a short text for the audit entry of a search.
fn describe(q: &AuditQuery, page: i64) -> String {
    let mut parts = Vec::new();
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    };
    add("actor", &q.actor);
    add("action", &q.action_prefix);
    add("object", &q.object);
    add("source", &q.source);
    if let Some(f) = q.from {
        parts.push(format!("from={f}"));
    }
    if let Some(t) = q.to {
        parts.push(format!("to={t}"));
    }
    parts.push(format!("page={page}"));
    parts.join(" ")
}
