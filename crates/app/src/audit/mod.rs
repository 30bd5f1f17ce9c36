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
    let app = wiring::open(dir, false).await?;
    app.services
        .deps
        .audit("cli", action, object, "", detail)
        .await;
    app.store.close().await;
    Ok(())
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
    std::fs::create_dir_all(out.join("checkpoints"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let service = &app.services.audit_checkpoints;
    let checkpoints = service.checkpoints().await?;
    let mut lines = String::new();
    for c in &checkpoints {
        let message = checkpoint_message(c.last_id, &c.last_hash, c.at);
        std::fs::write(out.join(format!("checkpoints/{}.msg", c.id)), &message)?;
        std::fs::write(out.join(format!("checkpoints/{}.sig", c.id)), &c.signature)?;
        lines.push_str(&serde_json::to_string(&serde_json::json!({
            "id": c.id, "at": c.at, "last_id": c.last_id, "last_hash": c.last_hash,
            "signature_hex": hex::encode(&c.signature),
        }))?);
        lines.push('\n');
    }
    std::fs::write(out.join("checkpoints.jsonl"), lines)?;
    let mut records = std::io::BufWriter::new(std::fs::File::create(out.join("records.jsonl"))?);
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
    std::fs::write(out.join("audit.pub.pem"), key.public_key_pem())?;
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
