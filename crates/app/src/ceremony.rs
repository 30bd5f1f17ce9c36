//! `kaigo-pki ca …`: the key ceremonies. Each step prints what it did. Steps on a serving
//! node are recorded in the audit trail (a step that cannot be recorded fails); steps on the
//! offline root machine, which has no database, in its root directory's `ceremony.log`.

use std::path::Path;

use anyhow::{Context, bail};
use kaigo_ca::CaConfig;
use kaigo_ca::ceremony;
use kaigo_ca::hsm::CaKeys;
use kaigo_core::audit::AuditAction;
use kaigo_core::certificate::ca_files::PublicUrls;

use crate::audit::record_ceremony;
use crate::cli::CaCommand;
use crate::config::AppConfig;
use crate::datadir::DataDir;
use crate::hsm_config::HsmConfig;
use crate::wiring;

/// The root key's keeper on the offline machine: the token named by KAIGO_PKI_HSM_*, else
/// key files under KAIGO_PKI_CA_PASSPHRASE (never generated here: the operator must hold it).
fn offline_keys() -> anyhow::Result<CaKeys> {
    let mut hsm = HsmConfig::default();
    hsm.apply_env();
    hsm.validate()?;
    if hsm.enabled() {
        return Ok(CaKeys::Token(hsm.open()?));
    }
    match crate::secret_env::secret("KAIGO_PKI_CA_PASSPHRASE")? {
        Some(p) => Ok(CaKeys::Files(p)),
        None => bail!(
            "the root key needs a keeper: set KAIGO_PKI_CA_PASSPHRASE (at least {} characters) \
             for a key file, or KAIGO_PKI_HSM_MODULE, KAIGO_PKI_HSM_TOKEN and KAIGO_PKI_HSM_PIN \
             for a token",
            kaigo_ca::MIN_PASSPHRASE_CHARS
        ),
    }
}

/// The settings an offline step needs: the URLs the issuing certificate names.
fn offline_config(public_url: Option<&str>) -> CaConfig {
    let mut cfg = CaConfig::default();
    if let Some(url) = public_url {
        let urls = PublicUrls::under(url.trim_end_matches('/'));
        cfg.root_crl_url = urls.root_crl;
        cfg.root_cert_url = urls.root_cert;
    }
    cfg
}

fn keys_at(keys: &CaKeys) -> String {
    match keys.token() {
        Some(t) => format!("the PKCS#11 token \"{}\"", t.label()),
        None => "an encrypted key file".to_owned(),
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Creates `path`, which must not exist yet, before anything is signed for it.
fn create_new(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}

/// Runs one ceremony step and returns what to print.
pub async fn run(dir: &DataDir, command: CaCommand) -> anyhow::Result<String> {
    match command {
        CaCommand::RootInit { out } => root_init(&out),
        CaCommand::SignIssuing {
            root_dir,
            csr,
            out,
            public_url,
        } => sign_issuing(&root_dir, &csr, &out, &public_url),
        CaCommand::RootCrl {
            root_dir: Some(root_dir),
        } => {
            let keys = offline_keys()?;
            let signed = ceremony::resign_offline_root_crl(&root_dir, &keys)
                .map_err(|e| anyhow::anyhow!("cannot sign the root CRL: {e}"))?;
            Ok(format!(
                "Signed root CRL number {} (nextUpdate {}) in {}.\nCarry {} to a serving node \
                 and run `kaigo-pki ca install-root-crl --crl FILE` there.\n",
                signed.number,
                signed.next_update,
                root_dir.display(),
                root_dir.join(kaigo_ca::files::ROOT_CRL).display()
            ))
        }
        serving => serving_step(dir, serving).await,
    }
}

fn root_init(out: &Path) -> anyhow::Result<String> {
    if !out.exists() {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o700))?;
    }
    let keys = offline_keys()?;
    let root = ceremony::create_offline_root(out, &keys, &offline_config(None))
        .map_err(|e| anyhow::anyhow!("cannot create the root: {e}"))?;
    let f = |name: &str| out.join(name).display().to_string();
    Ok(format!(
        "Created the root in {dir}, its key in {keeper}.\n  subject   {}\n  serial    {}\n  SHA-256   {}\n  valid     {} .. {}\n\
         Carry {} and {} to the first serving node:\n  kaigo-pki init --root-cert root.crt.pem --root-crl root.crl.der\n\
         Keep {dir} and the key's passphrase or token on this offline machine; {} records each step.\n",
        root.subject,
        root.serial,
        root.fingerprint_sha256,
        root.not_before,
        root.not_after,
        f(kaigo_ca::files::ROOT_CERT),
        f(kaigo_ca::files::ROOT_CRL),
        f(ceremony::CEREMONY_LOG),
        dir = out.display(),
        keeper = keys_at(&keys),
    ))
}

fn sign_issuing(
    root_dir: &Path,
    csr: &Path,
    out: &Path,
    public_url: &str,
) -> anyhow::Result<String> {
    let keys = offline_keys()?;
    let csr_pem = String::from_utf8(read(csr)?).context("the request is not a PEM file")?;
    let cfg = offline_config(Some(public_url));
    cfg.validate()
        .map_err(|e| anyhow::anyhow!("--public-url: {e}"))?;
    let mut file = create_new(out)?;
    let signed = match ceremony::certify_request(root_dir, &keys, &csr_pem, &cfg) {
        Ok(s) => s,
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(out);
            bail!("cannot certify the issuing CA: {e}");
        }
    };
    {
        use std::io::Write as _;
        file.write_all(signed.pem.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| {
                format!(
                    "cannot write {}; the certificate is kept in {}",
                    out.display(),
                    root_dir.join(ceremony::ISSUED_DIR).display()
                )
            })?;
    }
    Ok(format!(
        "Certified the issuing CA's key (SHA-256 {}; compare with the serving node's screen).\n  subject   {}\n  serial    {}\n  SHA-256   {}\n  valid     {} .. {}\n  root CRL  {}\n\
         Wrote {}. Carry it to the serving node and run `kaigo-pki ca install-issuing --cert FILE`.\n",
        signed.key_sha256,
        signed.summary.subject,
        signed.summary.serial,
        signed.summary.fingerprint_sha256,
        signed.summary.not_before,
        signed.summary.not_after,
        cfg.root_crl_url,
        out.display()
    ))
}

async fn serving_step(dir: &DataDir, command: CaCommand) -> anyhow::Result<String> {
    dir.require_initialised()?;
    let config = AppConfig::load(dir)?;
    // A step must be recordable before it changes anything.
    wiring::open_store(dir, &config)
        .await
        .context("the audit trail cannot be reached, so no ceremony step is taken")?
        .close()
        .await;
    let ca_dir = dir.ca_dir();
    Ok(match command {
        CaCommand::RequestIssuing => {
            let keys = wiring::ca_keys(dir, &config)?;
            let req = ceremony::request_issuing(&ca_dir, &keys, &config.ca_config()?)
                .map_err(|e| anyhow::anyhow!("cannot make the issuing CA key: {e}"))?;
            record_ceremony(
                dir,
                AuditAction::IssuingRequest,
                "ca:issuing-request",
                &format!("key_sha256={} key_at={}", req.key_sha256, req.key_at),
            )
            .await?;
            format!(
                "Made a new issuing CA key in {} (SHA-256 of its public key {}).\nIts request is {}.\n\
                 Carry it to the root machine: kaigo-pki ca sign-issuing --root-dir DIR --csr FILE --out issuing.crt.pem --public-url {}\n",
                keys_at(&keys),
                req.key_sha256,
                req.csr_path.display(),
                config.ca.public_url
            )
        }
        CaCommand::InstallIssuing { cert } => {
            let keys = wiring::ca_keys(dir, &config)?;
            let pem = String::from_utf8(read(&cert)?).context("the certificate is not PEM")?;
            let done = ceremony::install_issuing(&ca_dir, &keys, &pem, &config.ca_config()?)
                .map_err(|e| anyhow::anyhow!("cannot install the issuing CA: {e}"))?;
            record_ceremony(
                dir,
                AuditAction::IssuingInstall,
                &format!("ca:{}", done.summary.serial),
                &format!(
                    "generation={} issuing_sha256={} root_sha256={} not_after={}{}",
                    done.generation,
                    done.summary.fingerprint_sha256,
                    done.root_fingerprint_sha256,
                    done.summary.not_after,
                    done.retired
                        .as_ref()
                        .map(|(g, s)| format!(" retired_generation={g} retired_serial={s}"))
                        .unwrap_or_default()
                ),
            )
            .await?;
            let mut out = format!(
                "Installed the issuing CA {} generation {} (serial {}, SHA-256 {}, valid until {}).\n",
                done.summary.subject,
                done.generation,
                done.summary.serial,
                done.summary.fingerprint_sha256,
                done.summary.not_after
            );
            if let Some((old, serial)) = &done.retired {
                out.push_str(&format!(
                    "Rolled over: generation {old} (serial {serial}) issues no more. It keeps \
                     signing its CRL and OCSP answers for the certificates it issued until it \
                     ends; it is kept in {}.\n",
                    ca_dir.join("previous").join(old.to_string()).display()
                ));
            }
            out.push_str(
                "Copy the ca/ directory to every node and restart them: new certificates come \
                 from the new issuing CA.\n",
            );
            out
        }
        CaCommand::InstallRootCrl { crl } => {
            let installed = ceremony::install_root_crl(&ca_dir, &read(&crl)?)
                .map_err(|e| anyhow::anyhow!("cannot install the root CRL: {e}"))?;
            record_ceremony(
                dir,
                AuditAction::RootCrlInstall,
                "ca:root",
                &format!(
                    "number={} next_update={}",
                    installed.number, installed.next_update
                ),
            )
            .await?;
            format!(
                "Installed root CRL number {} (nextUpdate {}); every node serves it after a restart.\n",
                installed.number, installed.next_update
            )
        }
        CaCommand::RootCrl { root_dir: None } => {
            let keys = wiring::ca_keys(dir, &config)?;
            let signed = kaigo_ca::resign_root_crl(&ca_dir, &keys)
                .map_err(|e| anyhow::anyhow!("cannot sign the root CRL: {e}"))?;
            record_ceremony(
                dir,
                AuditAction::RootCrlSign,
                "ca:root",
                &format!(
                    "number={} next_update={}",
                    signed.number, signed.next_update
                ),
            )
            .await?;
            format!(
                "Signed root CRL number {} (nextUpdate {}); every node serves it after a restart.\n",
                signed.number, signed.next_update
            )
        }
        CaCommand::RecertifyIssuing => {
            let keys = wiring::ca_keys(dir, &config)?;
            let done = kaigo_ca::recertify_issuing(&ca_dir, &keys, &config.ca_config()?)
                .map_err(|e| anyhow::anyhow!("cannot re-certify the issuing CA: {e}"))?;
            record_ceremony(
                dir,
                AuditAction::IssuingRecertify,
                &format!("ca:{}", done.new_serial),
                &format!("old_serial={}", done.old_serial),
            )
            .await?;
            format!(
                "Re-certified e-seikyuu CA: serial {} (was {}); restart every node to serve it.\n",
                done.new_serial, done.old_serial
            )
        }
        CaCommand::OcspResponder => {
            let app = wiring::open(dir, true).await?;
            let generations = app.services.deps.status.generations();
            let mut out = String::new();
            for generation in generations {
                let issued = app.services.responders.issue_now(generation, "cli").await;
                let issued = match issued {
                    Ok(i) => i,
                    Err(e) => {
                        app.store.close().await;
                        return Err(anyhow::anyhow!(
                            "cannot issue the OCSP responder certificate of issuing CA \
                             generation {generation}: {e}"
                        ));
                    }
                };
                let summary = kaigo_ca::CertSummary::from_der(&issued.cert_der)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                out.push_str(&format!(
                    "Issued OCSP responder certificate {} for issuing CA generation {generation} \
                     (serial {}, SHA-256 {}, valid until {}).\n",
                    summary.subject, summary.serial, summary.fingerprint_sha256, summary.not_after
                ));
            }
            app.store.close().await;
            out.push_str(
                "Nodes sign with it from their next renewal check or restart; the previous one \
                 stays valid until then.\n",
            );
            out
        }
        CaCommand::RootInit { .. } | CaCommand::SignIssuing { .. } | CaCommand::RootCrl { .. } => {
            bail!("this step runs on the offline root machine")
        }
    })
}
