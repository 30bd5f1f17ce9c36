//! OCSP responder keys in the token do not pile up: a responder is renewed before its
//! certificate ends, and once that certificate has ended its key is destroyed in the token and
//! its sealed reference forgotten. Runs in-process on a manual clock (31 days pass in a line),
//! with SoftHSM2's default token directory and a token made and deleted by the test.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::Arc;

use common::softhsm::{MODULE, private_keys};
use common::{kaigo_with, stderr};
use kaigo_core::clock::ManualClock;
use kaigo_core::services::Services;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::wiring;

const PIN: &str = "975310";

struct TokenGuard(String);

impl Drop for TokenGuard {
    fn drop(&mut self) {
        let _ = Command::new("softhsm2-util")
            .args(["--delete-token", "--token", &self.0])
            .output();
    }
}

fn responder_labels(token: &str) -> Vec<String> {
    let out = Command::new("pkcs11-tool")
        .args([
            "--module",
            MODULE,
            "--token-label",
            token,
            "--login",
            "--pin",
            PIN,
            "--list-objects",
        ])
        .output()
        .expect("pkcs11-tool (apt-get install opensc)");
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    private_keys(&listing)
        .into_iter()
        .map(|(label, _)| label)
        .filter(|l| l.starts_with("e-seikyuu-ocsp-"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_responder_key_is_destroyed_in_the_token() {
    common::require_tool("softhsm2-util", "apt-get install softhsm2");
    let token = format!("kaigo-responders-{}", std::process::id());
    let out = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            &token,
            "--pin",
            PIN,
            "--so-pin",
            "24681357",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _guard = TokenGuard(token.clone());

    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let env = [
        ("KAIGO_PKI_HSM_MODULE", MODULE),
        ("KAIGO_PKI_HSM_TOKEN", token.as_str()),
        ("KAIGO_PKI_HSM_PIN", PIN),
    ];
    let o = kaigo_with(&data, &["init"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    // In this process the PIN comes from the configured pin_file (mode 0600).
    let pin_file = tmp.path().join("pin");
    std::fs::write(&pin_file, PIN).unwrap();
    std::fs::set_permissions(&pin_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = std::fs::read_to_string(data.join("config.toml")).unwrap();
    let config = config.replacen(
        "pin_file = \"\"",
        &format!("pin_file = \"{}\"", pin_file.display()),
        1,
    );
    std::fs::write(data.join("config.toml"), config).unwrap();

    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let d = app.services.deps.clone();
    let services = Services::new(d.with_clock(clock.clone()));

    services.responders.ensure().await.unwrap();
    let first = responder_labels(&token);
    assert_eq!(first.len(), 1, "{first:?}");

    // 21 days on the responder is due for renewal: a second key, the first still valid.
    clock.advance(time::Duration::days(21));
    services.responders.ensure().await.unwrap();
    let both = responder_labels(&token);
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.contains(&first[0]));

    // 31 days on the first certificate has ended: its key is destroyed, the second stays.
    clock.advance(time::Duration::days(10));
    services.responders.ensure().await.unwrap();
    let left = responder_labels(&token);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(!left.contains(&first[0]), "{left:?}");
    assert_eq!(
        services.responders.retire_expired().await.unwrap(),
        0,
        "once only"
    );
    app.store.close().await;
}
