//! Creating the CA: the key ceremony in code. Generates the root and the issuing CA, checks
//! the issuing certificate against the root's constraints, and writes the files.

use std::path::Path;

use kaigo_core::ids::Serial;
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::ceremony::{certify_key, check_passphrase, keep_root, make_root, require_empty};
use crate::cert::CertSummary;
use crate::config::CaConfig;
use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole, NewKey};
use crate::keyfile::write_new_file;
use crate::profile::ISSUING_KEY_BITS;

pub use crate::ceremony::MIN_PASSPHRASE_CHARS;

/// What `init_ca` created: for the ceremony record and the operator's screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaSummary {
    /// RFC 4514 subjects, most specific first (`CN=e-seikyuu CA,O=e-seikyuu,C=JP`).
    pub root_subject: String,
    pub issuing_subject: String,
    pub root_serial: Serial,
    pub issuing_serial: Serial,
    /// Lowercase hex SHA-256 of each certificate's DER.
    pub root_fingerprint_sha256: String,
    pub issuing_fingerprint_sha256: String,
    pub root_not_before: OffsetDateTime,
    pub root_not_after: OffsetDateTime,
    pub issuing_not_before: OffsetDateTime,
    pub issuing_not_after: OffsetDateTime,
}

impl CaSummary {
    fn new(root: CertSummary, issuing: CertSummary) -> Self {
        Self {
            root_subject: root.subject,
            issuing_subject: issuing.subject,
            root_serial: root.serial,
            issuing_serial: issuing.serial,
            root_fingerprint_sha256: root.fingerprint_sha256,
            issuing_fingerprint_sha256: issuing.fingerprint_sha256,
            root_not_before: root.not_before,
            root_not_after: root.not_after,
            issuing_not_before: issuing.not_before,
            issuing_not_after: issuing.not_after,
        }
    }
}

impl std::fmt::Display for CaSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "root CA:    {}", self.root_subject)?;
        writeln!(f, "  serial    {}", self.root_serial)?;
        writeln!(f, "  SHA-256   {}", self.root_fingerprint_sha256)?;
        writeln!(
            f,
            "  valid     {} .. {}",
            self.root_not_before, self.root_not_after
        )?;
        writeln!(f, "issuing CA: {}", self.issuing_subject)?;
        writeln!(f, "  serial    {}", self.issuing_serial)?;
        writeln!(f, "  SHA-256   {}", self.issuing_fingerprint_sha256)?;
        write!(
            f,
            "  valid     {} .. {}",
            self.issuing_not_before, self.issuing_not_after
        )
    }
}

/// Creates a new root and issuing CA in `dir`, which must exist and be empty.
///
/// Both keys are encrypted under `passphrase` (PBES2, PBKDF2-HMAC-SHA256 with
/// `cfg.key_file_iterations`, AES-256-CBC) and written with mode 0600.
pub fn init_ca(
    dir: &Path,
    passphrase: &SecretString,
    cfg: &CaConfig,
) -> Result<CaSummary, CaError> {
    init_ca_with(dir, &CaKeys::Files(passphrase.clone()), cfg)
}

/// As [`init_ca`], with the keys wherever `keys` says: encrypted files, or generated inside
/// a PKCS#11 token (sensitive, never extractable), recorded by reference files.
pub fn init_ca_with(dir: &Path, keys: &CaKeys, cfg: &CaConfig) -> Result<CaSummary, CaError> {
    cfg.validate()?;
    check_passphrase(keys)?;
    require_empty(dir)?;

    let now = OffsetDateTime::now_utc();
    let root = make_root(keys, now)?;
    let issuing_key = NewKey::generate(keys, KeyRole::Issuing, ISSUING_KEY_BITS)?;
    let issuing_der = certify_key(
        &root.der,
        &root.facts,
        root.key.signer(),
        issuing_key.signer().public_key_der(),
        cfg,
        now,
    )?;
    IssuerFacts::from_der(&issuing_der)?.check_signer(issuing_key.signer())?;

    keep_root(dir, &root, keys, cfg, now)?;
    issuing_key.save(dir, keys, cfg)?;
    let root_pem = crate::cert::der_to_pem(&root.der);
    let issuing_pem = crate::cert::der_to_pem(&issuing_der);
    write_new_file(
        &dir.join(files::ISSUING_CERT),
        issuing_pem.as_bytes(),
        0o644,
    )?;
    write_new_file(
        &dir.join(files::CHAIN),
        format!("{issuing_pem}{root_pem}").as_bytes(),
        0o644,
    )?;

    let summary = CaSummary::new(
        CertSummary::from_der(&root.der)?,
        CertSummary::from_der(&issuing_der)?,
    );
    tracing::info!(
        root = %summary.root_fingerprint_sha256,
        issuing = %summary.issuing_fingerprint_sha256,
        "created e-seikyuu CA"
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use time::Duration;
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::public_key::PublicKey;

    use super::*;
    use crate::cert;
    use crate::test_support::{fast_config, fixture};

    fn bits(c: &x509_parser::certificate::X509Certificate<'_>) -> usize {
        let PublicKey::RSA(rsa) = c.public_key().parsed().unwrap() else {
            panic!("not RSA")
        };
        rsa.key_size()
    }

    #[test]
    fn writes_the_files_with_the_right_modes() {
        let f = fixture();
        let dir = f.materialize();
        for (name, mode) in [
            (files::ROOT_KEY, 0o600),
            (files::ISSUING_KEY, 0o600),
            (files::ROOT_CERT, 0o644),
            (files::ISSUING_CERT, 0o644),
            (files::CHAIN, 0o644),
        ] {
            let m = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            // The fixture copies init_ca's modes; umask may only have removed bits.
            assert_eq!(m & !mode, 0, "{name} has mode {m:o}");
            if mode == 0o600 {
                assert_eq!(m, 0o600, "{name}");
                let text = std::str::from_utf8(f.file(name)).unwrap();
                assert!(
                    text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
                    "{name}"
                );
            }
        }
        let chain = std::str::from_utf8(f.file(files::CHAIN)).unwrap();
        let issuing = std::str::from_utf8(f.file(files::ISSUING_CERT)).unwrap();
        let root = std::str::from_utf8(f.file(files::ROOT_CERT)).unwrap();
        assert_eq!(chain, format!("{issuing}{root}"));
    }

    #[test]
    fn ca_certificates_follow_the_profile() {
        let f = fixture();
        let root_der =
            cert::pem_to_der(std::str::from_utf8(f.file(files::ROOT_CERT)).unwrap()).unwrap();
        let issuing_der =
            cert::pem_to_der(std::str::from_utf8(f.file(files::ISSUING_CERT)).unwrap()).unwrap();
        let root = cert::parse(&root_der).unwrap();
        let issuing = cert::parse(&issuing_der).unwrap();

        assert_eq!(
            f.summary.root_subject,
            "CN=e-seikyuu Root CA,O=e-seikyuu,C=JP"
        );
        assert_eq!(
            f.summary.issuing_subject,
            "CN=e-seikyuu CA,O=e-seikyuu,C=JP"
        );
        assert_eq!(
            f.summary.issuing_fingerprint_sha256,
            cert::fingerprint_sha256(&issuing_der)
        );
        assert_ne!(f.summary.root_serial, f.summary.issuing_serial);

        assert_eq!(bits(&root), 4096);
        assert_eq!(bits(&issuing), 3072);
        assert_eq!(root.subject().as_raw(), root.issuer().as_raw());
        assert_eq!(issuing.issuer().as_raw(), root.subject().as_raw());

        let rbc = root.basic_constraints().unwrap().unwrap();
        assert!(rbc.critical && rbc.value.ca && rbc.value.path_len_constraint.is_none());
        let ibc = issuing.basic_constraints().unwrap().unwrap();
        assert!(ibc.critical && ibc.value.ca);
        assert_eq!(ibc.value.path_len_constraint, Some(0));

        let rku = root.key_usage().unwrap().unwrap();
        assert!(
            rku.critical
                && rku.value.key_cert_sign()
                && rku.value.crl_sign()
                && !rku.value.digital_signature()
        );
        let iku = issuing.key_usage().unwrap().unwrap();
        assert!(
            iku.critical
                && iku.value.key_cert_sign()
                && iku.value.crl_sign()
                && iku.value.digital_signature()
        );
        assert!(!iku.value.key_encipherment());

        assert!(cert::subject_key_id(&root).is_some());
        assert_eq!(cert::authority_key_id(&root), None);
        assert_eq!(
            cert::authority_key_id(&issuing),
            cert::subject_key_id(&root)
        );
        assert_eq!(
            cert::policies(&issuing).unwrap(),
            ["1.3.6.1.4.1.99999.1.1.1", "1.3.6.1.4.1.99999.1.1.2"]
        );
        assert_eq!(cert::policies(&root), None);
        assert!(root.extensions().iter().all(|e| !matches!(
            e.parsed_extension(),
            ParsedExtension::UnsupportedExtension { .. }
        )));

        // About 20 and 10 years, the issuing CA inside the root.
        let rv = root.validity();
        let iv = issuing.validity();
        let years = |d: Duration| d.whole_days() / 365;
        assert_eq!(
            years(rv.not_after.to_datetime() - rv.not_before.to_datetime()),
            20
        );
        assert_eq!(
            years(iv.not_after.to_datetime() - iv.not_before.to_datetime()),
            10
        );
        assert!(iv.not_before.to_datetime() >= rv.not_before.to_datetime());
        assert!(iv.not_after.to_datetime() <= rv.not_after.to_datetime());
    }

    #[test]
    fn refuses_a_non_empty_directory_and_a_short_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("something"), b"x").unwrap();
        let e = init_ca(
            dir.path(),
            &SecretString::from("long enough passphrase"),
            &fast_config(),
        )
        .unwrap_err();
        assert!(matches!(e, CaError::DirectoryNotEmpty(_)), "{e}");

        let empty = tempfile::tempdir().unwrap();
        let e = init_ca(empty.path(), &SecretString::from("short"), &fast_config()).unwrap_err();
        assert!(matches!(e, CaError::Config(_)), "{e}");
        assert_eq!(
            std::fs::read_dir(empty.path()).unwrap().count(),
            0,
            "nothing written on refusal"
        );
    }
}
