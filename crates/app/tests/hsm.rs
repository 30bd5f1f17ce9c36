//! The CA with its keys in a PKCS#11 token (SoftHSM2): `init` generates the root and issuing
//! keys inside the token, the whole office flow (HTTP, application, issuance, download) runs
//! with them, the CRL and the OCSP responder (its key made in the token too) verify with
//! OpenSSL, and `pkcs11-tool` shows that no private key can leave the token. A token that
//! cannot be used stops `serve` at start with a message naming what to fix.

mod common;

use std::time::Duration;

use common::pki::{fetch_public, get, issue_dx_with, openssl_ocsp, p};
use common::softhsm::{PIN, SoftHsm, TOKEN, private_keys};
use common::{kaigo_with, run, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_runs_with_the_ca_keys_in_softhsm() {
    let tmp = tempfile::tempdir().unwrap();
    let hsm = SoftHsm::new(&tmp.path().join("hsm"));
    let env = hsm.env(PIN);
    let bed = issue_dx_with(tmp, &env).await;

    // No key file in the data dir: only references to the token.
    let ca_dir = bed.data.join("ca");
    for name in ["root.key.pem", "issuing.key.pem"] {
        assert!(!ca_dir.join(name).exists(), "{name} must not exist");
    }
    let reference = std::fs::read_to_string(ca_dir.join("issuing-key.pkcs11")).unwrap();
    assert!(reference.contains(&format!("token={TOKEN}")), "{reference}");

    // The readiness probe sees the token.
    let (status, _, body) = get(&format!("{}/readyz", bed.base)).await;
    let body = String::from_utf8_lossy(&body).into_owned();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("signer: ok"), "{body}");

    // The certificate, the CRL and the OCSP answer, all signed in the token, verify.
    let (issuing, root, chain, crls) = fetch_public(&bed.base, &bed.dir).await;
    let (ok, text) = run(
        "openssl",
        &[
            "verify",
            "-crl_check_all",
            "-CRLfile",
            p(&crls),
            "-CAfile",
            p(&root),
            "-untrusted",
            p(&issuing),
            "-purpose",
            "sslclient",
            p(&bed.leaf),
        ],
    );
    assert!(ok && text.contains(": OK"), "{text}");
    let resp = bed.dir.join("ocsp.der");
    let text = openssl_ocsp(&bed.base, &issuing, &chain, &["-cert", p(&bed.leaf)], &resp);
    assert!(text.contains(": good"), "{text}");

    // Every private key is in the token and cannot leave it: sensitive and never
    // extractable (the root, the issuing CA and the OCSP responder).
    let (ok, listing) = hsm.tool(&["--list-objects"]);
    assert!(ok, "{listing}");
    let keys = private_keys(&listing);
    for prefix in ["e-seikyuu-root-", "e-seikyuu-issuing-", "e-seikyuu-ocsp-"] {
        let (label, access) = keys
            .iter()
            .find(|(l, _)| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} key in the token:\n{listing}"));
        let flags: Vec<&str> = access.split(',').map(str::trim).collect();
        assert!(
            flags.contains(&"sensitive")
                && flags.contains(&"always sensitive")
                && flags.contains(&"never extractable")
                && !flags.contains(&"extractable"),
            "{label}: {access}"
        );
    }
    let out = bed.dir.join("exported.der");
    let issuing_label = reference
        .lines()
        .find_map(|l| l.strip_prefix("label="))
        .unwrap();
    let _ = hsm.tool(&[
        "--read-object",
        "--type",
        "privkey",
        "--label",
        issuing_label,
        "--output-file",
        p(&out),
    ]);
    assert!(!out.exists(), "a private key was read out of the token");

    // A revocation: the next CRL, signed in the token, lists the certificate.
    bed.revoke("keyCompromise");
    let serial = bed.serial.to_uppercase();
    let mut listed = String::new();
    for _ in 0..40 {
        let (_, _, der) = get(&format!("{}/ca/e-seikyuu-ca.crl", bed.base)).await;
        let crl = common::write(&bed.dir, "after.crl", &der);
        let (ok, text) = run(
            "openssl",
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                p(&crl),
                "-noout",
                "-text",
                "-CAfile",
                p(&chain),
            ],
        );
        listed = text;
        if ok && listed.contains(&serial) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(listed.contains(&serial), "{listed}");
    assert!(listed.contains("verify OK"), "{listed}");

    // The token's key store vanishes while serving (a removed token, a lost HSM partition):
    // the readiness probe says so within its one-second cache, and the server keeps running.
    let tokens = hsm.conf.parent().unwrap().join("tokens");
    for entry in std::fs::read_dir(&tokens).unwrap() {
        std::fs::remove_dir_all(entry.unwrap().path()).unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (status, _, body) = get(&format!("{}/readyz", bed.base)).await;
    let body = String::from_utf8_lossy(&body).into_owned();
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("database: ok") && body.contains("signer: unavailable"),
        "{body}"
    );
    assert!(
        !body.contains("PKCS11"),
        "no internals in the public answer: {body}"
    );
    let (status, _, _) = get(&format!("{}/healthz", bed.base)).await;
    assert_eq!(status, 200, "alive, though not ready");
}

#[test]
fn a_token_that_cannot_be_used_stops_init_and_serve_with_what_to_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let hsm = SoftHsm::new(&tmp.path().join("hsm"));
    let data = tmp.path().join("data");
    let o = kaigo_with(&data, &["init"], &hsm.env(PIN));
    assert!(o.status.success(), "{}", stderr(&o));

    let serve =
        |env: &[(&str, &str)]| kaigo_with(&data, &["serve", "--listen", "127.0.0.1:0"], env);
    // Wrong PIN.
    let o = serve(&hsm.env("000000"));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("wrong PIN"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("000000"), "the PIN is never printed");
    // Missing module.
    let mut env = hsm.env(PIN);
    env[1] = ("KAIGO_PKI_HSM_MODULE", "/usr/lib/no-such-pkcs11.so");
    let o = serve(&env);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("/usr/lib/no-such-pkcs11.so") && stderr(&o).contains("does not exist"),
        "{}",
        stderr(&o)
    );
    // Another token label.
    let mut env = hsm.env(PIN);
    env[2] = ("KAIGO_PKI_HSM_TOKEN", "no-such-token");
    let o = serve(&env);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no token labelled \"no-such-token\""),
        "{}",
        stderr(&o)
    );
    // No HSM configured for a data dir whose keys are in the token: named, not a crash. The
    // data dir's config.toml names the module, so unset it through the environment.
    let o = serve(&[("SOFTHSM2_CONF", hsm.conf()), ("KAIGO_PKI_HSM_MODULE", "")]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("are in the PKCS#11 token \"kaigo-ca-test\""),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}
