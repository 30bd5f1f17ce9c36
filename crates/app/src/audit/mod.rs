//! `kaigo-pki audit checkpoint | verify | export`: the audit trail for operators and auditors.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use kaigo_core::audit::chain::checkpoint_message;
use kaigo_core::audit::checkpoint::AuditSigner;

use crate::datadir::{DataDir, write_private};
use crate::wiring::{self, App};

/// The independent verifier written into every export.
const VERIFY_SCRIPT: &str = include_str!("verify_export.py");

async fn open(dir: &DataDir) -> anyhow::Result<(App, std::sync::Arc<kaigo_ca::AuditKey>)> {
    let app = wiring::open(dir, true).await?;
    let key = app
        .audit_key
        .clone()
        .context("the audit key is not loaded")?;
    Ok((app, key))
}

/// Records a CA ceremony step (run from the CLI) in the audit trail.
pub async fn record_ceremony(
    dir: &DataDir,
    action: kaigo_core::audit::AuditAction,
    object: &str,
    detail: &str,
) -> anyhow::Result<()> {
    use kaigo_core::audit::repo::AuditRepo as _;
    use kaigo_core::clock::Clock as _;
    let app = wiring::open(dir, false).await?;
    // Not best-effort: a ceremony that cannot be recorded fails the command.
    let recorded = app
        .store
        .append_audit(&kaigo_core::audit::AuditEvent {
            at: kaigo_core::clock::SystemClock.unix(),
            actor: "cli".into(),
            action: action.name().into(),
            object: object.into(),
            source: String::new(),
            detail: detail.into(),
        })
        .await;
    app.store.close().await;
    recorded.map_err(|e| anyhow::anyhow!("the step was done but could not be recorded: {e}"))
}

/// Signs a checkpoint now.
pub async fn checkpoint(dir: &DataDir) -> anyhow::Result<String> {
    let (app, key) = open(dir).await?;
    let made = app
        .services
        .audit_checkpoints
        .checkpoint(key.as_ref())
        .await?;
    app.store.close().await;
    Ok(match made {
        Some(c) => format!(
            "Signed checkpoint {} naming record {} ({}).\n",
            c.id, c.last_id, c.last_hash
        ),
        None => "Nothing to sign: the newest checkpoint already names the newest record.\n".into(),
    })
}

/// Walks the chain and the checkpoints. Ok(report) when intact; Err with the finding.
pub async fn verify(dir: &DataDir) -> anyhow::Result<String> {
    let (app, key) = open(dir).await?;
    let report = app.services.audit_checkpoints.verify(key.as_ref()).await?;
    app.store.close().await;
    if let Some(f) = &report.finding {
        bail!("the audit trail is NOT intact: {}", f.describe());
    }
    Ok(format!(
        "The audit trail is intact: {} records, {} checkpoints; {} records after the newest checkpoint (not yet signed).\n",
        report.records, report.checkpoints, report.unanchored
    ))
}

/// Writes the records, the checkpoints and the audit public key in plain formats, with the
/// verifier script, into `out` (created; must not exist).
pub async fn export(dir: &DataDir, out: &Path) -> anyhow::Result<String> {
    if out.exists() {
        bail!("{} exists; export into a new directory", out.display());
    }
    let (app, key) = open(dir).await?;
    // The records name users and addresses: the export is for its owner only.
    {
        use std::os::unix::fs::DirBuilderExt;
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true).mode(0o700);
        b.create(out.join("checkpoints"))
            .with_context(|| format!("cannot create {}", out.display()))?;
    }
    let service = &app.services.audit_checkpoints;
    let checkpoints = service.checkpoints().await?;
    let mut lines = String::new();
    for c in &checkpoints {
        let message = checkpoint_message(c.last_id, &c.last_hash, c.at);
        write_private(&out.join(format!("checkpoints/{}.msg", c.id)), &message)?;
        write_private(&out.join(format!("checkpoints/{}.sig", c.id)), &c.signature)?;
        lines.push_str(&serde_json::to_string(&serde_json::json!({
            "id": c.id, "at": c.at, "last_id": c.last_id, "last_hash": c.last_hash,
            "signature_hex": hex::encode(&c.signature),
        }))?);
        lines.push('\n');
    }
    write_private(&out.join("checkpoints.jsonl"), lines.as_bytes())?;
    write_private(&out.join("records.jsonl"), b"")?;
    let mut records = std::io::BufWriter::new(
        std::fs::OpenOptions::new()
            .append(true)
            .open(out.join("records.jsonl"))?,
    );
    let (mut after, mut count) = (0i64, 0u64);
    loop {
        let page = service.records(after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for r in &page {
            let e = &r.event;
            serde_json::to_writer(
                &mut records,
                &serde_json::json!({
                    "id": r.id, "at": e.at, "actor": e.actor, "action": e.action,
                    "object": e.object, "source": e.source, "detail": e.detail,
                    "prev_hash": r.prev_hash, "hash": r.hash,
                }),
            )?;
            records.write_all(b"\n")?;
            count += 1;
        }
    }
    records.flush()?;
    write_private(&out.join("audit.pub.pem"), key.public_key_pem().as_bytes())?;
    write_private(&out.join("verify.py"), VERIFY_SCRIPT.as_bytes())?;
    app.store.close().await;
    Ok(format!(
        "Exported {count} records and {} checkpoints to {}.\nVerify without kaigo-pki: python3 {}/verify.py {}\n",
        checkpoints.len(),
        out.display(),
        out.display(),
        out.display()
    ))
}
