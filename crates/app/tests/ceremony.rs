//! The key ceremony with the root kept offline (docs/KEY-CEREMONY.md), through the CLI as an
//! operator runs it: the root is made alone on the "offline machine" (a directory this test
//! never gives the server), the serving data dir makes the issuing CA's key inside SoftHSM2
//! and its request, the root certifies it, the node installs it and issues an office
//! certificate that OpenSSL chains to the offline root's own file. The yearly root CRL and
//! the OCSP responder are renewed as steps, and every step is on record: the offline ones in
//! the root directory's ceremony.log, the serving ones in a verified audit trail.

mod common;

use common::pki::{fetch_public, issue_dx_after, openssl_ocsp, p};
use common::softhsm::{PIN, SoftHsm, private_keys};
use common::{kaigo_with, run, stderr, stdout};

const ROOT_PASS: &str = "offline root passphrase 2026";

/// What a step printed after `label` up to the end of the line or a closing parenthesis.
fn field(text: &str, label: &str) -> String {
    let start = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{text}"))
        + label.len();
    text[start..]
        .split([')', '\n', ';'])
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_root_certifies_an_issuing_ca_whose_key_is_in_the_token() {
    let tmp = tempfile::tempdir().unwrap();
    let hsm = SoftHsm::new(&tmp.path().join("hsm"));
    let offline = tmp.path().join("offline");
    let root_dir = offline.join("root");
    let root_env = [("KAIGO_PKI_CA_PASSPHRASE", ROOT_PASS)];
    // The root's own machine: no data dir, no database.
    let nowhere = offline.join("no-data-dir");

    let o = kaigo_with(
        &nowhere,
        &["ca", "root-init", "--out", p(&root_dir)],
        &root_env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let root_sha = field(&stdout(&o), "SHA-256");
    assert_eq!(root_sha.len(), 64, "{}", stdout(&o));
    // Without a keeper for the root key the step refuses and says what to set.
    let o = kaigo_with(
        &nowhere,
        &["ca", "root-init", "--out", p(&offline.join("r2"))],
        &[],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("KAIGO_PKI_CA_PASSPHRASE"),
        "{}",
        stderr(&o)
    );

    let issuing_pem = offline.join("issuing.crt.pem");
    let bed = {
        let (root_dir, issuing_pem, nowhere, root_sha) = (
            root_dir.clone(),
            issuing_pem.clone(),
            nowhere.clone(),
            root_sha.clone(),
        );
        issue_dx_after(tmp, &hsm.env(PIN), move |data, env| {
            let o = kaigo_with(
                data,
                &[
                    "init",
                    "--root-cert",
                    p(&root_dir.join("root.crt.pem")),
                    "--root-crl",
                    p(&root_dir.join("root.crl.der")),
                ],
                env,
            );
            assert!(o.status.success(), "{}", stderr(&o));
            let printed = stdout(&o);
            assert!(printed.contains(&root_sha), "{printed}");
            let key_sha = field(&printed, "key SHA-256");
            let csr = data.join("ca/issuing-next.csr.pem");
            // The figure is OpenSSL's own: SHA-256 of the request's SubjectPublicKeyInfo.
            let (ok, text) = run(
                "sh",
                &[
                    "-c",
                    &format!(
                        "openssl req -in '{}' -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum",
                        p(&csr)
                    ),
                ],
            );
            assert!(ok && text.starts_with(&key_sha), "{text} vs {key_sha}");
            assert!(printed.contains(p(&csr)), "{printed}");
            assert!(printed.contains("tls.cert_file"), "{printed}");
            // The root cannot issue the HTTPS listener's certificate here: the operator
            // configures one (a public one in production).
            let tls = data.join("tls-own");
            std::fs::create_dir_all(&tls).unwrap();
            let (ok, text) = run(
                "openssl",
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    "-keyout",
                    p(&tls.join("key.pem")),
                    "-out",
                    p(&tls.join("cert.pem")),
                ],
            );
            assert!(ok, "{text}");
            let config = std::fs::read_to_string(data.join("config.toml")).unwrap();
            let config = config.replacen(
                "[tls]\ncert_file = \"\"\nkey_file = \"\"",
                &format!(
                    "[tls]\ncert_file = \"{}\"\nkey_file = \"{}\"",
                    p(&tls.join("cert.pem")),
                    p(&tls.join("key.pem"))
                ),
                1,
            );
            assert!(config.contains("tls-own/cert.pem"));
            std::fs::write(data.join("config.toml"), config).unwrap();

            // Until the certificate is installed the node says what is missing.
            let o = kaigo_with(data, &["serve", "--listen", "127.0.0.1:0"], env);
            assert!(!o.status.success());
            assert!(
                stderr(&o).contains("the issuing CA is not installed yet"),
                "{}",
                stderr(&o)
            );

            let url = env
                .iter()
                .find(|(k, _)| *k == "KAIGO_PKI_PUBLIC_URL")
                .unwrap()
                .1;
            let o = kaigo_with(
                &nowhere,
                &[
                    "ca",
                    "sign-issuing",
                    "--root-dir",
                    p(&root_dir),
                    "--csr",
                    p(&csr),
                    "--out",
                    p(&issuing_pem),
                    "--public-url",
                    url,
                ],
                &root_env,
            );
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(
                stdout(&o).contains(&key_sha),
                "the same key on both screens"
            );

            let o = kaigo_with(
                data,
                &["ca", "install-issuing", "--cert", p(&issuing_pem)],
                env,
            );
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(
                stdout(&o).contains("Installed the issuing CA"),
                "{}",
                stdout(&o)
            );
        })
        .await
    };

    // The serving node has no root key, in a file or in its token; the issuing key is in the
    // token, sensitive and never extractable.
    let ca = bed.data.join("ca");
    for name in [
        "root.key.pem",
        "root-key.pkcs11",
        "issuing.key.pem",
        "issuing-next-key.pkcs11",
    ] {
        assert!(!ca.join(name).exists(), "{name} must not be on the node");
    }
    let (ok, listing) = hsm.tool(&["--list-objects"]);
    assert!(ok, "{listing}");
    let keys = private_keys(&listing);
    assert!(
        keys.iter().all(|(l, _)| !l.starts_with("e-seikyuu-root-")),
        "{listing}"
    );
    let (_, access) = keys
        .iter()
        .find(|(l, _)| l.starts_with("e-seikyuu-issuing-"))
        .unwrap_or_else(|| panic!("no issuing key in the token:\n{listing}"));
    assert!(
        access.contains("never extractable") && access.contains("sensitive"),
        "{access}"
    );

    // The office's certificate chains to the offline root's own file, CRLs checked.
    let (issuing, _served_root, chain, crls) = fetch_public(&bed.base, &bed.dir).await;
    let (ok, text) = run(
        "openssl",
        &[
            "verify",
            "-crl_check_all",
            "-CRLfile",
            p(&crls),
            "-CAfile",
            p(&root_dir.join("root.crt.pem")),
            "-untrusted",
            p(&issuing_pem),
            "-purpose",
            "sslclient",
            p(&bed.leaf),
        ],
    );
    assert!(ok && text.contains(": OK"), "{text}");

    // The OCSP responder certificate as a ceremony step; OCSP still answers.
    let env = bed.env();
    let o = kaigo_with(&bed.data, &["ca", "ocsp-responder"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Issued OCSP responder certificate"),
        "{}",
        stdout(&o)
    );
    let resp = bed.dir.join("ocsp.der");
    let text = openssl_ocsp(&bed.base, &issuing, &chain, &["-cert", p(&bed.leaf)], &resp);
    assert!(text.contains(": good"), "{text}");

    // A year on: the root CRL is signed offline and installed on the node, once.
    let o = kaigo_with(
        &nowhere,
        &["ca", "root-crl", "--root-dir", p(&root_dir)],
        &root_env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("number 2"), "{}", stdout(&o));
    let crl = root_dir.join("root.crl.der");
    let o = kaigo_with(
        &bed.data,
        &["ca", "install-root-crl", "--crl", p(&crl)],
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kaigo_with(
        &bed.data,
        &["ca", "install-root-crl", "--crl", p(&crl)],
        &env,
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not newer"), "{}", stderr(&o));
    // The same certificate again: no key waits for it, nothing moves.
    let o = kaigo_with(
        &bed.data,
        &["ca", "install-issuing", "--cert", p(&issuing_pem)],
        &env,
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no issuing CA key is waiting"),
        "{}",
        stderr(&o)
    );

    // The record: the offline machine's log, and the node's verified trail.
    let log = std::fs::read_to_string(root_dir.join("ceremony.log")).unwrap();
    let steps: Vec<&str> = log.lines().map(|l| l.split('\t').nth(1).unwrap()).collect();
    assert_eq!(
        steps,
        ["root.create", "issuing.certify", "root.crl"],
        "{log}"
    );
    let o = kaigo_with(&bed.data, &["audit", "verify"], &env);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let export = bed.dir.join("audit-export");
    let o = kaigo_with(&bed.data, &["audit", "export", "--out", p(&export)], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    let records = std::fs::read_to_string(export.join("records.jsonl")).unwrap();
    let actions: Vec<serde_json::Value> = records
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |action: &str| {
        actions
            .iter()
            .find(|r| r["action"] == action)
            .unwrap_or_else(|| panic!("no {action} record:\n{records}"))
            .clone()
    };
    let init = find("ca.init");
    assert!(
        init["detail"].as_str().unwrap().contains("root=offline")
            && init["detail"].as_str().unwrap().contains(&root_sha),
        "{init}"
    );
    let installed = find("ca.issuing_install");
    assert_eq!(installed["actor"], "cli", "{installed}");
    find("ca.root_crl_install");
    let responder = actions
        .iter()
        .find(|r| r["action"] == "ca.ocsp_responder_issue" && r["actor"] == "cli");
    assert!(responder.is_some(), "{records}");
}
