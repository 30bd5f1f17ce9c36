//! A key in SoftHSM2 keeps signing after the process lost its login (PKCS#11: a logout on any
//! session logs out every session of the process, as an HSM that ends idle logins does): the
//! signer logs in again and retries, and the readiness check recovers too. The token is made in
//! SoftHSM's default token directory and deleted afterwards.

use std::process::Command;
use std::sync::Arc;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use kaigo_ca::CaSigner;
use kaigo_ca::hsm::{Pkcs11Signer, Token, TokenConfig};
use secrecy::SecretString;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "246810";

fn softhsm(args: &[&str]) -> (bool, String) {
    let out = Command::new("softhsm2-util").args(args).output().unwrap_or_else(|e| {
        panic!("required tool `softhsm2-util` is missing ({e}): apt-get install softhsm2 (.ci/run installs it)")
    });
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Deletes the test token however the test ends.
struct TokenGuard(String);

impl Drop for TokenGuard {
    fn drop(&mut self) {
        let _ = softhsm(&["--delete-token", "--token", &self.0]);
    }
}

#[test]
fn a_signer_logs_in_again_after_the_process_lost_its_login() {
    let label = format!("kaigo-relogin-{}", std::process::id());
    let (ok, text) = softhsm(&[
        "--init-token",
        "--free",
        "--label",
        &label,
        "--pin",
        PIN,
        "--so-pin",
        "13579135",
    ]);
    assert!(ok, "{text}");
    let _guard = TokenGuard(label.clone());
    let token = Arc::new(
        Token::open(&TokenConfig {
            module: MODULE.into(),
            token_label: label.clone(),
            pin: SecretString::from(PIN),
        })
        .unwrap(),
    );
    let signer = Pkcs11Signer::generate(token.clone(), "relogin-key", 2048).unwrap();
    assert_eq!(signer.sign(b"before").unwrap().len(), 256);

    // Another session of this process logs out: every session loses the login.
    let ctx = Pkcs11::new(MODULE).unwrap();
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label() == label)
        .unwrap();
    let other = ctx.open_ro_session(slot).unwrap();
    other.logout().unwrap();

    assert_eq!(
        signer.sign(b"after").unwrap().len(),
        256,
        "the signer logs in again and signs"
    );
    other.logout().unwrap();
    token.check().expect("the readiness check logs in again");
    assert_eq!(signer.sign(b"again").unwrap().len(), 256);

    // Ended OCSP responder keys are destroyed; a CA key never is by this path.
    Pkcs11Signer::generate(token.clone(), "e-seikyuu-ocsp-0123456789ab", 2048).unwrap();
    assert_eq!(
        Pkcs11Signer::destroy_responder(&token, "e-seikyuu-ocsp-0123456789ab").unwrap(),
        2,
        "the private and the public key"
    );
    assert!(Pkcs11Signer::find(token.clone(), "e-seikyuu-ocsp-0123456789ab").is_err());
    let e = Pkcs11Signer::destroy_responder(&token, "relogin-key").unwrap_err();
    assert!(e.to_string().contains("only OCSP responder keys"), "{e}");
    assert_eq!(signer.sign(b"still here").unwrap().len(), 256);
}
