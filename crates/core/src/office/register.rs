//! Registering offices: the one path for the console's form, the CSV import, the CLI's
//! `office add` and the demo. Credentials are generated and hashed in parallel, the offices
//! inserted in one transaction (a user-ID collision is retried with new IDs), each audited as
//! `office.register`, and their letters sealed into one batch.

use std::collections::HashSet;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::account::password::{
    PasswordHasher, generate_issuance_password, generate_login_password, generate_user_id,
};
use crate::actor::Actor;
use crate::audit::AuditAction;
use crate::error::Unique;
use crate::error::{CoreError, CoreResult, RepoError};
use crate::ids::{OfficeNumber, UserId};
use crate::office::admin::{LetterEntry, LetterKind};
use crate::office::form::{OfficeForm, ValidOffice, validate_office_form};
use crate::office::letters::{batch_prefecture, issuer};
use crate::office::service::AdminOfficeService;
use crate::office::{NewOffice, Office};

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

/// Offices registered together and the batch holding their letters.
pub struct RegisteredBatch {
    pub offices: Vec<Office>,
    pub batch_id: i64,
    /// The passwords in clear, in the order of `offices`; only the CLI shows them.
    secrets: Vec<Credentials>,
}

/// A registered office and the two passwords of its letter. They exist in clear only here.
pub struct Registered {
    pub office: Office,
    pub login_password: SecretString,
    pub issuance_password: SecretString,
}

/// Without the passwords.
impl std::fmt::Debug for RegisteredBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredBatch")
            .field("offices", &self.offices.len())
            .field("batch_id", &self.batch_id)
            .finish_non_exhaustive()
    }
}

impl RegisteredBatch {
    /// Each office with its passwords (the CLI prints them; the console prints letters).
    pub fn into_registered(self) -> Vec<Registered> {
        self.offices
            .into_iter()
            .zip(self.secrets)
            .map(|(office, c)| Registered {
                office,
                login_password: c.login_password,
                issuance_password: c.issuance_password,
            })
            .collect()
    }
}

/// The message for a 事業所番号 already registered.
pub(crate) fn taken(number: &OfficeNumber) -> String {
    format!("事業所番号 {number} は既に登録されています。")
}

impl AdminOfficeService {
    /// Registers one office from the console's form or the CLI's `office add`; returns it,
    /// its letter batch and its passwords, or the form's problems.
    pub async fn register(
        &self,
        actor: &Actor,
        form: &OfficeForm,
    ) -> CoreResult<Result<RegisteredBatch, Vec<String>>> {
        let valid = match validate_office_form(actor.scope(), form) {
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
            return Ok(Err(vec![taken(&valid.number)]));
        }
        self.register_valid(actor, vec![valid], Arc::new(|_| {}))
            .await
            .map(Ok)
    }

    /// Hashes credentials in parallel, inserts all offices in one transaction (drawing new
    /// user IDs if one collides), audits each as `office.register` and seals their letters
    /// into one batch. A 事業所番号 registered meanwhile by another request refuses the whole
    /// batch with `Duplicate(OfficeNumber)`.
    pub(crate) async fn register_valid(
        &self,
        actor: &Actor,
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
                Err(RepoError::Duplicate(Unique::OfficeNumber)) => {
                    return Err(CoreError::Refused(
                        "登録中に同じ事業所番号が別の操作で登録されました。内容を確認して、もう一度実行してください。".into(),
                    ));
                }
                Err(RepoError::Duplicate(Unique::UserId)) => {
                    for c in &mut creds {
                        c.user_id = generate_user_id();
                    }
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
        let prefecture = batch_prefecture(actor.scope(), &offices);
        let batch_id = self
            .seal_batch(
                LetterKind::Registration,
                prefecture,
                &actor.audit_name(),
                &entries,
            )
            .await?;
        for o in &offices {
            d.audit(
                &actor.audit_name(),
                AuditAction::OfficeRegister,
                &format!("office:{}", o.id),
                actor.source(),
                o.number.as_str(),
            )
            .await;
        }
        Ok(RegisteredBatch {
            offices,
            batch_id,
            secrets: creds,
        })
    }
}
