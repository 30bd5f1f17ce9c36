//! The kaigo-pki binary's library half: CLI definitions, configuration, wiring, the commands,
//! the benchmark, and an HTTP walker that follows the setup manual (used by the benchmark and
//! the end-to-end tests).

pub mod admin;
pub mod assist_eval;
pub mod audit;
pub mod bench;
pub mod bench_assist;
pub mod bench_cli;
pub mod bench_crl;
pub mod bench_hsm;
pub mod bench_import;
pub mod bench_letters;
pub mod bench_load;
pub mod bench_load_bed;
pub mod bench_login;
pub mod bench_ocsp;
pub mod bench_scale;
pub mod ca_fetch;
pub mod ceremony;
pub mod cert;
pub mod cli;
pub mod config;
pub mod connection_io;
pub mod connections;
pub mod datadir;
pub mod demo;
pub mod env_vars;
pub mod fee;
pub mod hsm_config;
pub mod init;
pub mod logging;
pub mod metrics_endpoint;
pub mod notice;
pub mod office;
pub mod office_import;
pub mod public_url;
pub mod reissue_notice;
pub mod relying_example;
pub mod revocation_config;
pub mod secret_env;
pub mod serve;
pub mod serve_child;
pub mod server_config;
pub mod tls;
pub mod tls_config;
pub mod verify;
pub mod walk;
pub mod wiring;

use datadir::DataDir;

/// What `init` prints.
pub fn print_init(dir: &DataDir, report: &init::InitReport) -> String {
    let mut out = format!(
        "Initialised {}\n  root CA:    {}\n  issuing CA: {}\n",
        dir.root.display(),
        report.root_subject,
        report.issuing_subject
    );
    match &report.passphrase_file {
        _ if report.hsm_token.is_some() => out.push_str(&format!(
            "  The CA keys were generated inside the PKCS#11 token \"{}\" (sensitive, never extractable); ca/*.pkcs11 name them.\n",
            report.hsm_token.as_deref().unwrap_or_default()
        )),
        Some(p) => out.push_str(&format!(
            "  The CA keys are encrypted under a generated passphrase stored in {} (mode 0600, readable only by its owner).\n  For production, set KAIGO_PKI_CA_PASSPHRASE instead and keep the passphrase offline.\n",
            p.display()
        )),
        None => out.push_str("  The CA keys are encrypted under the passphrase from KAIGO_PKI_CA_PASSPHRASE (or the file KAIGO_PKI_CA_PASSPHRASE_FILE names).\n"),
    }
    if let Some(p) = &report.pending_request {
        out.push_str(&format!(
            "  The root stays offline (SHA-256 {}).\n  The issuing CA's request is {} (key SHA-256 {}).\n  Next: carry it to the root machine, run `kaigo-pki ca sign-issuing --root-dir DIR --csr FILE --out issuing.crt.pem --public-url {}` there,\n  then here `kaigo-pki ca install-issuing --cert issuing.crt.pem`. Until then the portal cannot issue.\n  The root is not here to issue the HTTPS certificate: set tls.cert_file and tls.key_file in config.toml before serving with --tls-listen.\n",
            p.root_fingerprint_sha256,
            p.csr_path.display(),
            p.key_sha256,
            p.public_url
        ));
    }
    out
}
