//! The files kaigo-ca produces, checked by implementations that share no code with it:
//! OpenSSL's command line, NSS (what Firefox and Chromium on Linux use), Java's keytool, and
//! the pkilint RFC 5280 linters.
//!
//! A missing tool fails the test and names the tool and its package; nothing is skipped.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use kaigo_ca::{CaConfig, FileCa, Pkcs12Profile, files, init_ca};
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::pki::{CertificateFactory, IssueRequest, IssuedBundle};
use kaigo_core::ids::{OfficeNumber, UserId};
use kaigo_core::office::OfficeKind;
use secrecy::SecretString;
use tempfile::TempDir;
use time::OffsetDateTime;

const CA_PASSPHRASE: &str = "interop test CA passphrase";
const PW: &str = "Ab3dEf6hJk9m";
/// The friendly name starts so; the last day of validity follows (`… 2029-11-27`).
const FRIENDLY_NAME: &str = "介護保険証明書 1310000001 ";
/// Low, so the suite stays fast; `default_iteration_count_end_to_end` uses the real default.
const TEST_ITERATIONS: u32 = 2_000;

// ---------------------------------------------------------------------------------------
// Tools

/// Runs an external tool; a tool that is not installed fails the test with its package name.
fn run<I, S>(tool: &str, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let package = match tool {
                "openssl" => "Debian package `openssl`",
                "pk12util" | "certutil" => "Debian package `libnss3-tools`",
                "keytool" => "Debian package `openjdk-17-jre-headless`",
                "certtool" => "Debian package `gnutls-bin`",
                _ => "PyPI package `pkilint` (pip install pkilint)",
            };
            panic!("required tool `{tool}` is not installed; install the {package}")
        }
        Err(e) => panic!("could not run `{tool}`: {e}"),
    }
}

/// stdout and stderr together: OpenSSL prints `-info` output on stderr.
fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(tool: &str, out: Output) -> String {
    let t = text(&out);
    assert!(
        out.status.success(),
        "`{tool}` failed ({}):\n{t}",
        out.status
    );
    t
}

// ---------------------------------------------------------------------------------------
// Fixtures

/// One CA for the whole binary, held in memory; each test writes the files it needs into
/// its own temporary directory.
struct Ca {
    root_pem: String,
    issuing_pem: String,
    issuing_key_pem: String,
    dir_files: Vec<(&'static str, Vec<u8>)>,
}

fn ca() -> &'static Ca {
    static CA: OnceLock<Ca> = OnceLock::new();
    CA.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let cfg = CaConfig {
            key_file_iterations: 1_000,
            ..CaConfig::default()
        };
        init_ca(dir.path(), &SecretString::from(CA_PASSPHRASE), &cfg).unwrap();
        let read = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();
        let names = [
            files::ROOT_CERT,
            files::ROOT_KEY,
            files::ISSUING_CERT,
            files::ISSUING_KEY,
            files::CHAIN,
        ];
        Ca {
            root_pem: read(files::ROOT_CERT),
            issuing_pem: read(files::ISSUING_CERT),
            issuing_key_pem: read(files::ISSUING_KEY),
            dir_files: names
                .iter()
                .map(|n| (*n, std::fs::read(dir.path().join(n)).unwrap()))
                .collect(),
        }
    })
}

fn load(profile: Pkcs12Profile) -> FileCa {
    let dir = TempDir::new().unwrap();
    for (name, bytes) in &ca().dir_files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        // FileCa refuses key files that others can read.
        let mode = if name.ends_with(".key.pem") {
            0o600
        } else {
            0o644
        };
        std::fs::set_permissions(dir.path().join(name), std::fs::Permissions::from_mode(mode))
            .unwrap();
    }
    let cfg = CaConfig {
        pkcs12: profile,
        ..CaConfig::default()
    };
    FileCa::load(dir.path(), &SecretString::from(CA_PASSPHRASE), cfg).unwrap()
}

fn request(kind: CertKind, office_kind: OfficeKind) -> IssueRequest {
    IssueRequest {
        kind,
        office_kind,
        office_number: OfficeNumber::parse("1310000001").unwrap(),
        office_name: "請求事業所A".into(),
        user_id: UserId::parse("KJ0123456789AB").unwrap(),
        not_before: OffsetDateTime::now_utc(),
    }
}

/// An issued certificate with its files on disk.
struct Issued {
    dir: TempDir,
    bundle: IssuedBundle,
}

impl Issued {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn p12(&self) -> PathBuf {
        self.path("office.p12")
    }
    fn leaf(&self) -> PathBuf {
        self.path("leaf.pem")
    }
    fn root(&self) -> PathBuf {
        self.path("root.pem")
    }
    fn issuing(&self) -> PathBuf {
        self.path("issuing.pem")
    }
}

fn issue(profile: Pkcs12Profile, kind: CertKind, office_kind: OfficeKind) -> Issued {
    let bundle = load(profile)
        .issue(&request(kind, office_kind), &SecretString::from(PW))
        .unwrap();
    let dir = TempDir::new().unwrap();
    let leaf = openssl::x509::X509::from_der(&bundle.cert_der)
        .unwrap()
        .to_pem()
        .unwrap();
    std::fs::write(dir.path().join("office.p12"), &bundle.pkcs12).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), leaf).unwrap();
    std::fs::write(dir.path().join("root.pem"), &ca().root_pem).unwrap();
    std::fs::write(dir.path().join("issuing.pem"), &ca().issuing_pem).unwrap();
    Issued { dir, bundle }
}

fn modern() -> Pkcs12Profile {
    Pkcs12Profile::Modern {
        iterations: TEST_ITERATIONS,
    }
}

fn compat() -> Pkcs12Profile {
    Pkcs12Profile::Compat {
        iterations: TEST_ITERATIONS,
    }
}

// ---------------------------------------------------------------------------------------
// OpenSSL

fn openssl_info(p12: &Path, password: &str) -> Output {
    run(
        "openssl",
        [
            OsStr::new("pkcs12"),
            OsStr::new("-info"),
            OsStr::new("-noout"),
            OsStr::new("-in"),
            p12.as_os_str(),
            OsStr::new("-passin"),
            OsStr::new(&format!("pass:{password}")),
        ],
    )
}

#[test]
fn openssl_reads_the_modern_profile() {
    let f = issue(modern(), CertKind::KaigoHoken, OfficeKind::Kaigo);
    let info = ok("openssl pkcs12 -info", openssl_info(&f.p12(), PW));
    let bag =
        format!("PBES2, PBKDF2, AES-256-CBC, Iteration {TEST_ITERATIONS}, PRF hmacWithSHA256");
    assert!(info.contains(&format!("Shrouded Keybag: {bag}")), "{info}");
    assert!(
        info.contains(&format!("PKCS7 Encrypted data: {bag}")),
        "{info}"
    );
    assert!(
        info.contains(&format!("MAC: sha256, Iteration {TEST_ITERATIONS}")),
        "{info}"
    );
    assert!(!info.contains("PBMAC1"), "{info}");
    assert_eq!(
        info.matches("Certificate bag").count(),
        3,
        "leaf, issuing CA, root:\n{info}"
    );
    // The key bag (outside the encryption) names the CSP and not the office; the leaf's
    // certificate bag carries the friendly name: kind, 事業所番号, last day of validity.
    let dump = ok(
        "openssl pkcs12 -nodes",
        run(
            "openssl",
            [
                OsStr::new("pkcs12"),
                OsStr::new("-nodes"),
                OsStr::new("-in"),
                f.p12().as_os_str(),
                OsStr::new("-passin"),
                OsStr::new(&format!("pass:{PW}")),
            ],
        ),
    );
    let key_start = dump.find("-----BEGIN PRIVATE KEY-----").expect("the key");
    let key_attrs = &dump[dump[..key_start].rfind("Bag Attributes").unwrap()..key_start];
    let info = dump.clone();
    assert!(
        key_attrs
            .contains("Microsoft CSP Name: Microsoft Enhanced RSA and AES Cryptographic Provider"),
        "{info}"
    );
    assert!(
        !key_attrs.contains("friendlyName"),
        "the key bag names the office:\n{info}"
    );
    let expiry = kaigo_core::clock::jst_date(f.bundle.not_after.unix_timestamp()).replace('/', "-");
    // OpenSSL prints the BMPString's Japanese as bytes; the ASCII part reads as it should.
    let tail = FRIENDLY_NAME.trim_start_matches("介護保険証明書");
    assert!(
        info.contains("friendlyName: ") && info.contains(&format!("{tail}{expiry}\n")),
        "{info}"
    );

    let wrong = openssl_info(&f.p12(), "Wrong0password");
    assert!(
        !wrong.status.success(),
        "a wrong password must fail:\n{}",
        text(&wrong)
    );
}

/// OpenSSL 3 reads the 3DES file with its default provider: `-legacy` is not needed (it
/// would be for RC2 or single DES, which the compat profile avoids).
#[test]
fn openssl_reads_the_compat_profile_without_legacy_provider() {
    let f = issue(compat(), CertKind::KaigoHoken, OfficeKind::Kaigo);
    let info = ok("openssl pkcs12 -info", openssl_info(&f.p12(), PW));
    let bag = format!("pbeWithSHA1And3-KeyTripleDES-CBC, Iteration {TEST_ITERATIONS}");
    assert!(info.contains(&format!("Shrouded Keybag: {bag}")), "{info}");
    assert!(
        info.contains(&format!("PKCS7 Encrypted data: {bag}")),
        "{info}"
    );
    assert!(
        info.contains(&format!("MAC: sha1, Iteration {TEST_ITERATIONS}")),
        "{info}"
    );
    assert!(!info.contains("PBES2") && !info.contains("RC2"), "{info}");

    let wrong = openssl_info(&f.p12(), "Wrong0password");
    assert!(
        !wrong.status.success(),
        "a wrong password must fail:\n{}",
        text(&wrong)
    );
}

#[test]
fn openssl_verifies_the_chain_for_client_auth() {
    for (kind, office_kind) in [
        (CertKind::KaigoHoken, OfficeKind::Kaigo),
        (CertKind::KaigoDx, OfficeKind::CarePlan),
    ] {
        let f = issue(modern(), kind, office_kind);
        let out = run(
            "openssl",
            [
                OsStr::new("verify"),
                OsStr::new("-x509_strict"),
                OsStr::new("-purpose"),
                OsStr::new("sslclient"),
                OsStr::new("-CAfile"),
                f.root().as_os_str(),
                OsStr::new("-untrusted"),
                f.issuing().as_os_str(),
                f.leaf().as_os_str(),
            ],
        );
        let t = ok("openssl verify", out);
        assert!(t.contains(": OK"), "{t}");

        // Control: without the issuing CA there is no path, so verify can fail.
        let broken = run(
            "openssl",
            [
                OsStr::new("verify"),
                OsStr::new("-CAfile"),
                f.root().as_os_str(),
                f.leaf().as_os_str(),
            ],
        );
        assert!(!broken.status.success(), "{}", text(&broken));
    }
}

#[test]
fn openssl_decrypts_the_ca_key_file() {
    let dir = TempDir::new().unwrap();
    let key = dir.path().join("issuing.key.pem");
    std::fs::write(&key, &ca().issuing_key_pem).unwrap();
    let pass = format!("pass:{CA_PASSPHRASE}");
    let pubkey = ok(
        "openssl pkey",
        run(
            "openssl",
            [
                OsStr::new("pkey"),
                OsStr::new("-pubout"),
                OsStr::new("-passin"),
                OsStr::new(&pass),
                OsStr::new("-in"),
                key.as_os_str(),
            ],
        ),
    );
    let cert = dir.path().join("issuing.pem");
    std::fs::write(&cert, &ca().issuing_pem).unwrap();
    let cert_pub = ok(
        "openssl x509",
        run(
            "openssl",
            [
                OsStr::new("x509"),
                OsStr::new("-noout"),
                OsStr::new("-pubkey"),
                OsStr::new("-in"),
                cert.as_os_str(),
            ],
        ),
    );
    assert_eq!(pubkey, cert_pub, "the key file holds the issuing CA's key");
    let wrong = run(
        "openssl",
        [
            OsStr::new("pkey"),
            OsStr::new("-noout"),
            OsStr::new("-passin"),
            OsStr::new("pass:wrong"),
            OsStr::new("-in"),
            key.as_os_str(),
        ],
    );
    assert!(!wrong.status.success());
}

// ---------------------------------------------------------------------------------------
// NSS

fn nss_import(p12: &Path, password: &str) -> (TempDir, Output) {
    let db = TempDir::new().unwrap();
    let sql = format!("sql:{}", db.path().display());
    ok(
        "certutil -N",
        run("certutil", ["-N", "-d", &sql, "--empty-password"]),
    );
    let out = run(
        "pk12util",
        [
            OsStr::new("-i"),
            p12.as_os_str(),
            OsStr::new("-d"),
            OsStr::new(&sql),
            OsStr::new("-W"),
            OsStr::new(password),
        ],
    );
    (db, out)
}

#[test]
fn nss_imports_both_profiles_and_refuses_a_wrong_password() {
    for profile in [modern(), compat()] {
        let f = issue(profile, CertKind::KaigoHoken, OfficeKind::Kaigo);
        let (db, out) = nss_import(&f.p12(), PW);
        let t = ok("pk12util -i", out);
        assert!(t.contains("PKCS12 IMPORT SUCCESSFUL"), "{profile:?}: {t}");
        let sql = format!("sql:{}", db.path().display());
        // The friendly name arrives intact (NSS decodes the BMPString) and carries the key.
        let certs = ok("certutil -L", run("certutil", ["-L", "-d", &sql]));
        assert!(certs.contains(FRIENDLY_NAME), "{profile:?}: {certs}");
        assert!(certs.contains("e-seikyuu CA"), "{certs}");
        let keys = ok("certutil -K", run("certutil", ["-K", "-d", &sql]));
        assert!(
            keys.contains("rsa") && keys.contains(FRIENDLY_NAME),
            "{profile:?}: {keys}"
        );

        let (_db, wrong) = nss_import(&f.p12(), "Wrong0password");
        assert!(
            !wrong.status.success(),
            "{profile:?}: a wrong password must fail:\n{}",
            text(&wrong)
        );
    }
}

// ---------------------------------------------------------------------------------------
// Java

fn keytool_list(p12: &Path, password: &str) -> Output {
    run(
        "keytool",
        [
            OsStr::new("-list"),
            OsStr::new("-v"),
            OsStr::new("-storetype"),
            OsStr::new("PKCS12"),
            OsStr::new("-keystore"),
            p12.as_os_str(),
            OsStr::new("-storepass"),
            OsStr::new(password),
        ],
    )
}

#[test]
fn java_keytool_sees_a_private_key_entry() {
    for profile in [modern(), compat()] {
        let f = issue(profile, CertKind::KaigoHoken, OfficeKind::Kaigo);
        let t = ok("keytool -list", keytool_list(&f.p12(), PW));
        assert!(
            t.contains("Entry type: PrivateKeyEntry"),
            "{profile:?}: {t}"
        );
        // keytool names the entry after the key bag's friendlyName, which is left out on
        // purpose (it sits outside the encryption): a number, not the office.
        assert!(
            !t.contains(&format!("Alias name: {FRIENDLY_NAME}")),
            "{profile:?}: {t}"
        );
        assert!(
            t.contains("Certificate chain length: 3"),
            "{profile:?}: {t}"
        );
        assert!(
            t.contains("Issuer: CN=e-seikyuu CA, O=e-seikyuu, C=JP"),
            "{t}"
        );

        let wrong = keytool_list(&f.p12(), "Wrong0password");
        assert!(
            !wrong.status.success(),
            "{profile:?}: a wrong password must fail:\n{}",
            text(&wrong)
        );
    }
}

// ---------------------------------------------------------------------------------------
// pkilint

/// Findings accepted after review (see docs/certificate-profile.md): the linter's
/// confirmation that subjectKeyIdentifier follows RFC 7093 method 1.
const ACCEPTED_FINDINGS: &[&str] = &["pkix.subject_key_identifier_rfc7093_method_1_identified"];

/// (severity, code) of every finding, from pkilint's CSV output.
fn findings(tool: &str, args: &[&OsStr]) -> (Vec<(String, String)>, Output) {
    let mut all: Vec<&OsStr> = vec![
        OsStr::new("lint"),
        OsStr::new("-s"),
        OsStr::new("ALL"),
        OsStr::new("-f"),
        OsStr::new("CSV"),
    ];
    all.extend_from_slice(args);
    let out = run(tool, all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("node_path,validator,severity,code,message"),
        "`{tool}` did not produce its CSV report:\n{}",
        text(&out)
    );
    let found = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            (cols[2].to_owned(), cols[3].to_owned())
        })
        .collect();
    (found, out)
}

fn assert_clean(what: &str, found: &[(String, String)]) {
    for (severity, code) in found {
        assert!(
            ACCEPTED_FINDINGS.contains(&code.as_str())
                && !matches!(severity.as_str(), "ERROR" | "FATAL"),
            "{what}: unaccepted pkilint finding {severity} {code} (all: {found:?})"
        );
    }
}

#[test]
fn pkilint_finds_no_errors_in_any_certificate() {
    let hoken = issue(modern(), CertKind::KaigoHoken, OfficeKind::Kaigo);
    let dx = issue(modern(), CertKind::KaigoDx, OfficeKind::CarePlan);
    for (what, path) in [
        (
            "office certificate (介護保険, KaigoJigyousho)",
            hoken.leaf(),
        ),
        ("office certificate (介護DX, CarePlanJigyousho)", dx.leaf()),
        ("issuing CA", hoken.issuing()),
        ("root CA", hoken.root()),
    ] {
        let (found, _) = findings("lint_pkix_cert", &[path.as_os_str()]);
        assert_clean(what, &found);
    }
    // Issuer/subject pairs: names, key identifiers and signatures line up.
    for (what, issuer, subject) in [
        ("root → issuing", hoken.root(), hoken.issuing()),
        ("issuing → office", hoken.issuing(), hoken.leaf()),
    ] {
        let (found, _) = findings(
            "lint_pkix_signer_signee_cert_chain",
            &[issuer.as_os_str(), subject.as_os_str()],
        );
        assert_clean(what, &found);
    }
    // Control: the linter does object to a pair that does not belong together.
    let (found, _) = findings(
        "lint_pkix_signer_signee_cert_chain",
        &[hoken.root().as_os_str(), hoken.leaf().as_os_str()],
    );
    assert!(
        found
            .iter()
            .any(|(s, c)| s == "ERROR" && c == "pkix.signature_verification_failed"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The default iteration count, once, through every client.

#[test]
fn default_iteration_count_end_to_end() {
    let profile = Pkcs12Profile::default();
    let n = profile.iterations();
    assert_eq!(n, kaigo_ca::DEFAULT_PKCS12_ITERATIONS);
    let started = Instant::now();
    let f = issue(profile, CertKind::KaigoHoken, OfficeKind::Kaigo);
    eprintln!("issuance at {n} iterations took {:?}", started.elapsed());

    let info = ok("openssl pkcs12 -info", openssl_info(&f.p12(), PW));
    assert_eq!(
        info.matches(&format!("Iteration {n}, PRF hmacWithSHA256"))
            .count(),
        2,
        "{info}"
    );
    assert!(
        info.contains(&format!("MAC: sha256, Iteration {n}")),
        "{info}"
    );

    let (_db, out) = nss_import(&f.p12(), PW);
    ok("pk12util -i", out);
    let t = ok("keytool -list", keytool_list(&f.p12(), PW));
    assert!(t.contains("PrivateKeyEntry"), "{t}");
    assert_eq!(f.bundle.fingerprint_sha256.len(), 64);
}

/// GnuTLS (what many Linux programs use) opens both profiles with the password: the key,
/// the leaf with its friendly name and the chain; a wrong password fails the MAC.
#[test]
fn gnutls_reads_both_profiles_and_refuses_a_wrong_password() {
    let info = |p12: &Path, password: &str| {
        run(
            "certtool",
            [
                OsStr::new("--p12-info"),
                OsStr::new("--inder"),
                OsStr::new("--infile"),
                p12.as_os_str(),
                OsStr::new("--password"),
                OsStr::new(password),
            ],
        )
    };
    for profile in [modern(), compat()] {
        let f = issue(profile, CertKind::KaigoHoken, OfficeKind::Kaigo);
        let t = ok("certtool --p12-info", info(&f.p12(), PW));
        assert!(t.contains("PRIVATE KEY-----"), "{profile:?}: no key in {t}");
        assert_eq!(
            t.matches("-----BEGIN CERTIFICATE-----").count(),
            3,
            "{profile:?}: leaf, issuing CA and root: {t}"
        );
        assert!(
            t.contains(&format!("Friendly name: {FRIENDLY_NAME}")),
            "{profile:?}: {t}"
        );
        let wrong = info(&f.p12(), "Wrong0password");
        assert!(!wrong.status.success(), "{profile:?}: {}", text(&wrong));
    }
}

/// Python's `cryptography` (another independent PKCS#12 reader) opens both profiles with the
/// password, sees key, leaf and chain, the leaf's friendly name, and refuses a wrong password.
#[test]
fn python_cryptography_reads_both_profiles() {
    const SCRIPT: &str = r#"
import sys
from cryptography.hazmat.primitives.serialization import pkcs12
data = open(sys.argv[1], "rb").read()
p = pkcs12.load_pkcs12(data, sys.argv[2].encode())
assert p.key is not None and p.cert is not None and len(p.additional_certs) == 2
print(p.cert.friendly_name.decode("utf-8"))
try:
    pkcs12.load_pkcs12(data, b"Wrong0password")
    print("WRONG-OPENED")
except ValueError:
    pass
"#;
    for profile in [modern(), compat()] {
        let f = issue(profile, CertKind::KaigoHoken, OfficeKind::Kaigo);
        let out = run(
            "python3",
            [
                OsStr::new("-c"),
                OsStr::new(SCRIPT),
                f.p12().as_os_str(),
                OsStr::new(PW),
            ],
        );
        let t = ok("python3 cryptography", out);
        assert!(
            t.starts_with(FRIENDLY_NAME) && !t.contains("WRONG-OPENED"),
            "{profile:?}: {t}"
        );
    }
}
