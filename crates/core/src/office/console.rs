//! The console's office administration, scoped by [`AdminActor`]: register (one office or a
//! CSV batch, see [`crate::office::import`]), list, edit, suspend/resume, close (廃止, with
//! revocation), reissue the login password, unlock, and the sealed letter batches.
//!
//! Scope: an office belongs to the prefecture stored with it. A federation admin registers
//! only in its own prefecture and reaches only offices of it; everything else answers
//! `NotFound`, exactly like an office that does not exist.

use std::collections::HashSet;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::account::login::login_key;
use crate::account::password::{
    PasswordHasher, generate_issuance_password, generate_login_password, generate_user_id,
};
use crate::admin::{AdminActor, AdminRole};
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, RepoError};
use crate::ids::{OfficeId, OfficeNumber, PrefectureCode, UserId};
use crate::office::admin::{
    LETTER_BATCH_SECONDS, LetterBatch, LetterEntry, LetterKind, NewLetterBatch, OfficeEdit,
    OfficeQuery, parse_office_kind, validate_address, validate_postal_code,
};
use crate::office::prefectures::kokuhoren_name;
use crate::office::{
    NewOffice, Office, OfficeKind, OfficeStatus, validate_email, validate_office_name,
};

/// Offices per page of the console list.
pub const PAGE_SIZE: i64 = 50;

/// The office form (and one CSV row) as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct OfficeForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub prefecture: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
}

/// A validated office to register.
#[derive(Clone, Debug)]
pub struct ValidOffice {
    pub number: OfficeNumber,
    pub name: String,
    pub kind: OfficeKind,
    pub prefecture: PrefectureCode,
    pub postal_code: String,
    pub address: String,
    pub email: Option<String>,
}

/// Checks every field of a form; all problems are reported, in the form's order. A federation
/// admin's prefecture is its own (an empty field means it; another one is refused).
pub fn validate_office_form(role: AdminRole, f: &OfficeForm) -> Result<ValidOffice, Vec<String>> {
    let mut errors = Vec::new();
    let number = OfficeNumber::parse(&f.number)
        .map_err(|e| errors.push(e.message))
        .ok();
    let details = validate_details(f, &mut errors);
    let prefecture = match (role, f.prefecture.trim()) {
        (AdminRole::Federation(own), "") => Some(own),
        (_, "") => {
            errors.push("都道府県を指定してください。".to_owned());
            None
        }
        (_, raw) => match PrefectureCode::parse(raw) {
            Err(e) => {
                errors.push(e.message);
                None
            }
            Ok(p) if !role.covers(Some(p)) => {
                errors.push(format!(
                    "都道府県 {p} は担当外です。登録できるのは自都道府県の事業所のみです。"
                ));
                None
            }
            Ok(p) => Some(p),
        },
    };
    // The 事業所番号 begins with the prefecture's code: an office of another prefecture cannot
    // be registered (or its number probed) under this one.
    if let (Some(n), Some(p)) = (&number, prefecture)
        && let Err(e) = crate::office::check_number_prefecture(n, p)
    {
        errors.push(e.message);
    }
    match (number, details, prefecture) {
        (Some(number), Some(d), Some(prefecture)) if errors.is_empty() => Ok(ValidOffice {
            number,
            name: d.name,
            kind: d.kind,
            prefecture,
            postal_code: d.postal_code,
            address: d.address,
            email: d.email,
        }),
        _ => Err(errors),
    }
}

/// Checks the fields an admin may edit (name, kind, postal code, address, e-mail), adding each
/// problem to `errors`; `None` if any is wrong.
fn validate_details(f: &OfficeForm, errors: &mut Vec<String>) -> Option<OfficeEdit> {
    let name = validate_office_name(&f.name)
        .map_err(|e| errors.push(e.message))
        .ok();
    let kind = parse_office_kind(&f.kind)
        .map_err(|e| errors.push(e.message))
        .ok();
    let postal_code = validate_postal_code(&f.postal_code)
        .map_err(|e| errors.push(e.message))
        .ok();
    let address = validate_address(&f.address)
        .map_err(|e| errors.push(e.message))
        .ok();
    let email = if f.email.trim().is_empty() {
        Some(None)
    } else {
        validate_email(&f.email)
            .map(Some)
            .map_err(|e| errors.push(e.message))
            .ok()
    };
    Some(OfficeEdit {
        name: name?,
        kind: kind?,
        postal_code: postal_code?,
        address: address?,
        email: email?,
    })
}

/// Freshly generated credentials with their hashes.
pub(crate) struct Credentials {
    user_id: UserId,
    login_password: SecretString,
    issuance_password: SecretString,
    login_hash: String,
    issuance_hash: String,
}

/// Generates and hashes `n` credential sets on every core (`std::thread::scope`), calling
/// `progress` with the count done so far. CPU-bound: call it on a blocking thread.
pub(crate) fn make_credentials(
    hasher: &PasswordHasher,
    n: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> CoreResult<Vec<Credentials>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n.max(1));
    let per = n.div_ceil(threads.max(1)).max(1);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<CoreResult<Vec<Credentials>>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let count = per.min(n - start);
                let done = &done;
                s.spawn(move || -> CoreResult<Vec<Credentials>> {
                    let mut out = Vec::with_capacity(count);
                    for _ in 0..count {
                        let login_password = generate_login_password();
                        let issuance_password = generate_issuance_password();
                        out.push(Credentials {
                            user_id: generate_user_id(),
                            login_hash: hasher.hash_generated(&login_password)?,
                            issuance_hash: hasher.hash_generated(&issuance_password)?,
                            login_password,
                            issuance_password,
                        });
                        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        progress(d);
                    }
                    Ok(out)
                })
            })
            .collect();
        for h in handles {
            results.push(
                h.join()
                    .unwrap_or_else(|_| Err(CoreError::Hash("hashing thread panicked".into()))),
            );
        }
    });
    let mut all = Vec::with_capacity(n);
    for r in results {
        all.extend(r?);
    }
    // User IDs must differ within the batch too (a collision is astronomically rare).
    let mut seen = HashSet::new();
    for c in &mut all {
        while !seen.insert(c.user_id.clone()) {
            c.user_id = generate_user_id();
        }
    }
    Ok(all)
}

/// One printable part of a batch's letters: its offices `first..=last` (from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LetterPart {
    /// From 1.
    pub number: usize,
    pub first: usize,
    pub last: usize,
}

impl LetterPart {
    /// 「1〜500件目」
    pub fn label(&self) -> String {
        format!("{}〜{}件目", self.first, self.last)
    }

    /// The part's entries out of the whole batch.
    pub fn of<T>(&self, all: &[T]) -> std::ops::Range<usize> {
        (self.first - 1).min(all.len())..self.last.min(all.len())
    }
}

/// The parts of a batch of `count` letters, at most `per_pdf` each.
pub fn letter_parts(count: usize, per_pdf: usize) -> Vec<LetterPart> {
    let per = per_pdf.max(1);
    (0..count.div_ceil(per))
        .map(|i| LetterPart {
            number: i + 1,
            first: i * per + 1,
            last: ((i + 1) * per).min(count),
        })
        .collect()
}

/// Offices registered together and the batch holding their letters.
pub struct RegisteredBatch {
    pub offices: Vec<Office>,
    pub batch_id: i64,
}

#[derive(Clone)]
pub struct AdminOfficeService {
    pub(crate) deps: Arc<Deps>,
}

impl AdminOfficeService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// One office in the admin's scope, or `NotFound`.
    pub async fn office(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Office> {
        self.deps.office_in_scope(actor, id).await
    }

    /// A page (from 1) of the offices in scope, and the total count.
    pub async fn list(
        &self,
        actor: &AdminActor,
        keyword: Option<String>,
        status: Option<OfficeStatus>,
        page: i64,
    ) -> CoreResult<(Vec<Office>, i64)> {
        let query = OfficeQuery {
            prefecture: actor.role.prefecture(),
            keyword,
            status,
        };
        let s = &self.deps.store;
        let total = s.count_offices(&query).await?;
        let offset = (page.max(1) - 1).saturating_mul(PAGE_SIZE);
        Ok((s.search_offices(&query, PAGE_SIZE, offset).await?, total))
    }

    /// Whether the office's login is locked now (three wrong passwords).
    pub async fn locked_until(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Option<i64>> {
        let office = self.office(actor, id).await?;
        let state = self
            .deps
            .store
            .throttle_state(&login_key(office.user_id.as_str()))
            .await?;
        let now = self.deps.clock.unix();
        Ok(state.locked_until.filter(|u| *u > now))
    }

    /// Registers one office from the form; returns it and its letter batch.
    pub async fn register(
        &self,
        actor: &AdminActor,
        form: &OfficeForm,
    ) -> CoreResult<Result<RegisteredBatch, Vec<String>>> {
        let valid = match validate_office_form(actor.role, form) {
            Ok(v) => v,
            Err(errors) => return Ok(Err(errors)),
        };
        if self
            .deps
            .store
            .office_by_number(&valid.number)
            .await?
            .is_some()
        {
            return Ok(Err(vec![format!(
                "事業所番号 {} は既に登録されています。",
                valid.number
            )]));
        }
        let batch = self
            .register_valid(
                actor.role,
                &actor.audit_name(),
                vec![valid],
                Arc::new(|_| {}),
            )
            .await?;
        let o = &batch.offices[0];
        self.deps
            .audit(
                &actor.audit_name(),
                "admin.offices.register",
                &format!("office:{}", o.id),
                &actor.source,
                o.number.as_str(),
            )
            .await;
        Ok(Ok(batch))
    }

    /// Hashes credentials in parallel, inserts all offices in one transaction and seals their
    /// letters into one batch.
    pub(crate) async fn register_valid(
        &self,
        role: AdminRole,
        actor_name: &str,
        rows: Vec<ValidOffice>,
        progress: Arc<dyn Fn(usize) + Send + Sync>,
    ) -> CoreResult<RegisteredBatch> {
        let d = &self.deps;
        let hasher = d.hasher.clone();
        let n = rows.len();
        let mut creds =
            tokio::task::spawn_blocking(move || make_credentials(&hasher, n, &*progress))
                .await
                .map_err(|e| CoreError::Hash(format!("hashing task: {e}")))??;
        let now = d.clock.unix();
        let mut offices = None;
        for _ in 0..3 {
            let new: Vec<NewOffice> = rows
                .iter()
                .zip(&creds)
                .map(|(r, c)| NewOffice {
                    number: r.number.clone(),
                    name: r.name.clone(),
                    kind: r.kind,
                    email: r.email.clone(),
                    prefecture: Some(r.prefecture),
                    user_id: c.user_id.clone(),
                    login_hash: c.login_hash.clone(),
                    issuance_hash: c.issuance_hash.clone(),
                    created_at: now,
                    postal_code: r.postal_code.clone(),
                    address: r.address.clone(),
                })
                .collect();
            match d.store.insert_offices(&new).await {
                Ok(o) => {
                    offices = Some(o);
                    break;
                }
                Err(RepoError::Conflict(m)) if m.contains("user ID") => {
                    for c in &mut creds {
                        c.user_id = generate_user_id();
                    }
                }
                Err(RepoError::Conflict(_)) => {
                    return Err(CoreError::Refused(
                        "登録中に同じ事業所番号が別の操作で登録されました。内容を確認して、もう一度実行してください。".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let offices = offices.ok_or_else(|| {
            CoreError::Refused("ユーザIDを生成できませんでした。もう一度実行してください。".into())
        })?;
        let entries: Vec<LetterEntry> = offices
            .iter()
            .zip(&creds)
            .map(|(o, c)| LetterEntry {
                office_id: o.id.0,
                number: o.number.to_string(),
                name: o.name.clone(),
                postal_code: o.postal_code.clone(),
                address: o.address.clone(),
                issuer: issuer(o.prefecture),
                user_id: o.user_id.to_string(),
                login_password: c.login_password.expose_secret().to_owned(),
                issuance_password: Some(c.issuance_password.expose_secret().to_owned()),
            })
            .collect();
        let prefecture = batch_prefecture(role, &offices);
        let batch_id = self
            .seal_batch(LetterKind::Registration, prefecture, actor_name, &entries)
            .await?;
        Ok(RegisteredBatch { offices, batch_id })
    }

    async fn seal_batch(
        &self,
        kind: LetterKind,
        prefecture: Option<PrefectureCode>,
        actor_name: &str,
        entries: &[LetterEntry],
    ) -> CoreResult<i64> {
        let d = &self.deps;
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(entries).map_err(|e| CoreError::Hash(format!("letters: {e}")))?,
        );
        let sealed = d.sealer.seal(&json)?;
        let now = d.clock.unix();
        // Expired batches of anyone go now; their passwords must not outlive 72 hours.
        d.store.purge_letter_batches(now).await?;
        Ok(d.store
            .insert_letter_batch(&NewLetterBatch {
                kind,
                prefecture,
                created_by: actor_name.to_owned(),
                office_count: entries.len() as i64,
                sealed,
                created_at: now,
                expires_at: now + LETTER_BATCH_SECONDS,
            })
            .await?)
    }

    /// A batch of letters in the admin's scope, opened.
    pub async fn letters(
        &self,
        actor: &AdminActor,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        let (batch, entries) = self.letters_in_scope(actor.role, batch_id).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                "admin.offices.letters_download",
                &format!("letter_batch:{batch_id}"),
                &actor.source,
                batch.kind.code(),
            )
            .await;
        Ok((batch, entries))
    }

    /// One part of a batch (see [`letter_parts`]), opened: the whole batch is never rendered
    /// as one PDF. `NotFound` for a part the batch does not have.
    pub async fn letters_part(
        &self,
        actor: &AdminActor,
        batch_id: i64,
        part: usize,
    ) -> CoreResult<(LetterBatch, LetterPart, Vec<LetterEntry>)> {
        let (batch, mut entries) = self.letters_in_scope(actor.role, batch_id).await?;
        let part = *letter_parts(entries.len(), self.deps.settings.letters_per_pdf)
            .get(part.wrapping_sub(1))
            .ok_or(CoreError::NotFound)?;
        let range = part.of(&entries);
        entries.truncate(range.end);
        entries.drain(..range.start);
        self.deps
            .audit(
                &actor.audit_name(),
                "admin.offices.letters_download",
                &format!("letter_batch:{batch_id}"),
                &actor.source,
                &format!(
                    "{} part {} ({})",
                    batch.kind.code(),
                    part.number,
                    part.label()
                ),
            )
            .await;
        Ok((batch, part, entries))
    }

    /// The parts a batch of `count` letters is printed in, by this node's setting.
    pub fn parts_of(&self, count: usize) -> Vec<LetterPart> {
        letter_parts(count, self.deps.settings.letters_per_pdf)
    }

    /// The batch's letters for its overview page (not audited as a download; the page shows
    /// no passwords).
    pub async fn letters_summary(
        &self,
        actor: &AdminActor,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        self.letters_in_scope(actor.role, batch_id).await
    }

    /// The CLI's access to a batch it just made (central scope).
    pub async fn letters_as_cli(
        &self,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        self.letters_in_scope(AdminRole::Central, batch_id).await
    }

    /// The CLI discards the sealed batch once it has written the letters to a file.
    pub async fn discard_letters_as_cli(&self, batch_id: i64) -> CoreResult<()> {
        self.deps.store.delete_letter_batch(batch_id).await?;
        Ok(())
    }

    pub(crate) async fn letters_in_scope(
        &self,
        role: AdminRole,
        batch_id: i64,
    ) -> CoreResult<(LetterBatch, Vec<LetterEntry>)> {
        let d = &self.deps;
        let batch = d
            .store
            .letter_batch(batch_id, d.clock.unix())
            .await?
            .ok_or(CoreError::NotFound)?;
        role.ensure_covers(batch.prefecture)?;
        let json = d.sealer.open(&batch.sealed)?;
        let entries: Vec<LetterEntry> =
            serde_json::from_slice(&json).map_err(|e| CoreError::Hash(format!("letters: {e}")))?;
        Ok((batch, entries))
    }

    /// Discards a batch at once (the letters were printed).
    pub async fn discard_letters(&self, actor: &AdminActor, batch_id: i64) -> CoreResult<()> {
        let d = &self.deps;
        let batch = d
            .store
            .letter_batch(batch_id, d.clock.unix())
            .await?
            .ok_or(CoreError::NotFound)?;
        actor.role.ensure_covers(batch.prefecture)?;
        d.store.delete_letter_batch(batch_id).await?;
        d.audit(
            &actor.audit_name(),
            "admin.offices.letters_discard",
            &format!("letter_batch:{batch_id}"),
            &actor.source,
            "",
        )
        .await;
        Ok(())
    }

    /// Changes name, kind, postal code, address and e-mail (never the 事業所番号).
    pub async fn edit(
        &self,
        actor: &AdminActor,
        id: OfficeId,
        form: &OfficeForm,
    ) -> CoreResult<Result<(), Vec<String>>> {
        let office = self.office(actor, id).await?;
        let mut errors = Vec::new();
        let Some(edit) = validate_details(form, &mut errors) else {
            return Ok(Err(errors));
        };
        self.deps.store.update_office(office.id, &edit).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                "admin.offices.edit",
                &format!("office:{}", office.id),
                &actor.source,
                office.number.as_str(),
            )
            .await;
        Ok(Ok(()))
    }

    /// 利用停止 (`suspend = true`) or 利用再開. A closed office stays closed.
    pub async fn set_suspended(
        &self,
        actor: &AdminActor,
        id: OfficeId,
        suspend: bool,
    ) -> CoreResult<()> {
        let office = self.office(actor, id).await?;
        if office.status == OfficeStatus::Closed {
            return Err(CoreError::Refused(
                "廃止した事業所の利用状態は変更できません。".into(),
            ));
        }
        let (status, verb) = if suspend {
            (OfficeStatus::Suspended, "suspend")
        } else {
            (OfficeStatus::Active, "resume")
        };
        self.deps.store.set_office_status(office.id, status).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                &format!("admin.offices.{verb}"),
                &format!("office:{}", office.id),
                &actor.source,
                office.number.as_str(),
            )
            .await;
        Ok(())
    }

    /// 廃止: closes the office and revokes its valid certificates (cessationOfOperation).
    /// Returns how many certificates were revoked.
    pub async fn close(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<u64> {
        let office = self.office(actor, id).await?;
        if office.status == OfficeStatus::Closed {
            return Err(CoreError::Refused(
                "この事業所は既に廃止されています。".into(),
            ));
        }
        let d = &self.deps;
        let revoked = d.store.close_office(office.id, d.clock.unix()).await?;
        d.audit(
            &actor.audit_name(),
            "admin.offices.close",
            &format!("office:{}", office.id),
            &actor.source,
            &format!(
                "{} revoked={revoked} reason=cessationOfOperation",
                office.number
            ),
        )
        .await;
        Ok(revoked)
    }

    /// Issues a new temporary login password (must be changed at the next login), ends the
    /// office's sessions and clears its lock; returns the batch holding the letter
    /// 「電子請求ログイン情報発行通知書」.
    pub async fn reissue_login(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<i64> {
        let office = self.office(actor, id).await?;
        if office.status == OfficeStatus::Closed {
            return Err(CoreError::Refused(
                "廃止した事業所のパスワードは再発行できません。".into(),
            ));
        }
        let d = &self.deps;
        let password = generate_login_password();
        let hash = d.hasher.hash_generated(&password)?;
        d.store.reset_login_password(office.id, &hash).await?;
        d.store
            .throttle_clear(&login_key(office.user_id.as_str()))
            .await?;
        let entry = LetterEntry {
            office_id: office.id.0,
            number: office.number.to_string(),
            name: office.name.clone(),
            postal_code: office.postal_code.clone(),
            address: office.address.clone(),
            issuer: issuer(office.prefecture),
            user_id: office.user_id.to_string(),
            login_password: password.expose_secret().to_owned(),
            issuance_password: None,
        };
        let batch = self
            .seal_batch(
                LetterKind::LoginReissue,
                office.prefecture,
                &actor.audit_name(),
                &[entry],
            )
            .await?;
        d.audit(
            &actor.audit_name(),
            "admin.offices.login_reissue",
            &format!("office:{}", office.id),
            &actor.source,
            office.number.as_str(),
        )
        .await;
        Ok(batch)
    }

    /// Clears the login lock of the office (three wrong passwords).
    pub async fn unlock(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<()> {
        let office = self.office(actor, id).await?;
        self.deps
            .store
            .throttle_clear(&login_key(office.user_id.as_str()))
            .await?;
        self.deps
            .audit(
                &actor.audit_name(),
                "admin.offices.unlock",
                &format!("office:{}", office.id),
                &actor.source,
                office.number.as_str(),
            )
            .await;
        Ok(())
    }
}

/// A date as letters print it, in JST: 2026年11月24日.
pub fn letter_date(unix: i64) -> String {
    crate::clock::jst_japanese_date(unix)
}

/// The sender of an office's letters.
fn issuer(prefecture: Option<PrefectureCode>) -> String {
    prefecture
        .map(kokuhoren_name)
        .unwrap_or_else(|| "国民健康保険中央会".to_owned())
}

/// Who may download a batch: a federation admin's own prefecture; for a central operator,
/// the prefecture of all its offices if they share one, else central operators only.
fn batch_prefecture(role: AdminRole, offices: &[Office]) -> Option<PrefectureCode> {
    if let AdminRole::Federation(p) = role {
        return Some(p);
    }
    let first = offices.first().and_then(|o| o.prefecture)?;
    offices
        .iter()
        .all(|o| o.prefecture == Some(first))
        .then_some(first)
}

impl Deps {
    /// One office, if it exists and the admin covers its prefecture; otherwise `NotFound`, so
    /// that another prefecture's office looks like a missing one. Every console service that
    /// takes an office id goes through here.
    pub(crate) async fn office_in_scope(
        &self,
        actor: &AdminActor,
        id: OfficeId,
    ) -> CoreResult<Office> {
        let office = self
            .store
            .office_by_id(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        actor.role.ensure_covers(office.prefecture)?;
        Ok(office)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(number: &str, prefecture: &str) -> OfficeForm {
        OfficeForm {
            number: number.into(),
            name: "事業所".into(),
            kind: "kaigo".into(),
            prefecture: prefecture.into(),
            postal_code: "100-0001".into(),
            address: "東京都千代田区千代田1-1".into(),
            email: String::new(),
        }
    }

    #[test]
    fn letters_are_printed_in_parts_of_at_most_per_pdf() {
        let parts = letter_parts(1201, 500);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].label(), "1〜500件目");
        assert_eq!(parts[1].label(), "501〜1000件目");
        assert_eq!(parts[2].label(), "1001〜1201件目");
        let all: Vec<usize> = (1..=1201).collect();
        let mut seen = vec![];
        for p in &parts {
            let r = p.of(&all);
            assert!(r.len() <= 500);
            seen.extend_from_slice(&all[r]);
        }
        assert_eq!(seen, all, "every letter in exactly one part, in order");
        assert_eq!(letter_parts(500, 500).len(), 1);
        assert_eq!(letter_parts(1, 500)[0].label(), "1〜1件目");
        assert!(letter_parts(0, 500).is_empty());
    }

    #[test]
    fn the_number_must_belong_to_the_prefecture() {
        let p13 = PrefectureCode::new(13).unwrap();
        let fed13 = AdminRole::Federation(p13);
        assert!(validate_office_form(fed13, &form("1310000001", "")).is_ok());
        // A federation admin of 13 cannot take a number of prefecture 27.
        let errors = validate_office_form(fed13, &form("2710000001", "")).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("先頭2桁")), "{errors:?}");
        // Nor can a central operator file it under the wrong prefecture.
        assert!(validate_office_form(AdminRole::Central, &form("2710000001", "13")).is_err());
        assert!(validate_office_form(AdminRole::Central, &form("2710000001", "27")).is_ok());
    }
}
