//! Rolling over to a new issuing CA (docs/KEY-CEREMONY.md §6), through the CLI and the running
//! server: an office holds a certificate of the first issuing CA; the node makes a new key,
//! the root certifies it, the node installs it and restarts. New certificates come from the
//! new CA at its own URLs; the old certificate still verifies against its own chain and CRL,
//! can still be revoked, and both CRLs and both OCSP answers are checked by OpenSSL.

mod common;

use std::time::Duration;

use common::pki::{get, issue_dx, p};
use common::{Server, kaigo_with, run, stderr, stdout, write};
use kaigo_pki::walk::Walker;

/// Fetches a DER file from the server and writes it as PEM for OpenSSL.
async fn fetch_pem(
    base: &str,
    path: &str,
    dir: &std::path::Path,
    name: &str,
    kind: &str,
) -> std::path::PathBuf {
    let (status, _, der) = get(&format!("{base}{path}")).await;
    assert_eq!(status, 200, "{path}");
    let der_path = write(dir, &format!("{name}.der"), &der);
    let out = dir.join(format!("{name}.pem"));
    let (ok, text) = run(
        "openssl",
        &[kind, "-inform", "DER", "-in", p(&der_path), "-out", p(&out)],
    );
    assert!(ok, "{text}");
    out
}

fn cat(dir: &std::path::Path, name: &str, parts: &[&std::path::Path]) -> std::path::PathBuf {
    let out = dir.join(name);
    let bytes: Vec<u8> = parts
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    std::fs::write(&out, bytes).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollover_keeps_the_first_issuing_ca_valid_and_revocable() {
    let mut bed = issue_dx().await;
    let env = bed
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect::<Vec<_>>();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let dir = bed.dir.clone();
    let ca = bed.data.join("ca");
    let old_issuing = fetch_pem(
        &bed.base,
        "/ca/e-seikyuu-ca.crt",
        &dir,
        "issuing-g1",
        "x509",
    )
    .await;
    let root = fetch_pem(&bed.base, "/ca/e-seikyuu-root.crt", &dir, "root", "x509").await;

    // The ceremony: the root of this data dir signs the node's request.
    let o = kaigo_with(&bed.data, &["ca", "request-issuing"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    let pass = std::fs::read_to_string(bed.data.join("ca-passphrase")).unwrap();
    let new_pem = dir.join("issuing-g2.crt.pem");
    let o = kaigo_with(
        &dir.join("nowhere"),
        &[
            "ca",
            "sign-issuing",
            "--root-dir",
            p(&ca),
            "--csr",
            p(&ca.join("issuing-next.csr.pem")),
            "--out",
            p(&new_pem),
            "--public-url",
            &bed.base,
        ],
        &[("KAIGO_PKI_CA_PASSPHRASE", pass.trim())],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kaigo_with(
        &bed.data,
        &["ca", "install-issuing", "--cert", p(&new_pem)],
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stdout(&o);
    assert!(
        said.contains("generation 2") && said.contains("Rolled over: generation 1"),
        "{said}"
    );
    assert!(ca.join("previous/1/issuing.crt.pem").exists());

    // Every node restarts with the new ca/ directory.
    let _ = bed.server.child.kill();
    let _ = bed.server.child.wait();
    let port = bed.base.rsplit(':').next().unwrap().to_owned();
    bed.server = Server::start_args(
        &bed.data,
        &["serve", "--listen", &format!("127.0.0.1:{port}")],
        &env,
    );

    // Both chains are published; the first generation's URLs serve the first CA still.
    let old_served = fetch_pem(
        &bed.base,
        "/ca/e-seikyuu-ca.crt",
        &dir,
        "issuing-g1-again",
        "x509",
    )
    .await;
    assert_eq!(
        std::fs::read(&old_served).unwrap(),
        std::fs::read(&old_issuing).unwrap()
    );
    let new_served = fetch_pem(
        &bed.base,
        "/ca/e-seikyuu-ca-g2.crt",
        &dir,
        "issuing-g2",
        "x509",
    )
    .await;
    assert_eq!(
        std::fs::read(&new_served).unwrap(),
        std::fs::read(&new_pem).unwrap()
    );
    let (status, _, page) = get(&format!("{}/ca/e-seikyuu-ca-g3.crl", bed.base)).await;
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&page));

    // A new office's certificate comes from the new CA and names its URLs.
    let o = kaigo_with(
        &bed.data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "1310000002",
            "--name",
            "請求事業所B",
            "--kind",
            "kaigo",
            "--prefecture",
            "13",
            "--email",
            "office-b@example.jp",
            "--json",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let office: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = |k: &str| office[k].as_str().unwrap().to_owned();
    let w = Walker::new(&bed.base).unwrap();
    w.login(&s("user_id"), &s("login_password")).await.unwrap();
    let changed = w
        .change_password(&s("login_password"), "KaigoRevoke2026")
        .await
        .unwrap();
    assert_ne!(changed.path, "/password/change", "{}", changed.html);
    w.apply_dx(&s("issuance_password")).await.unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    let file = w.download_dx().await.unwrap();
    let p12 = write(&dir, "office-b.p12", &file.bytes);
    let new_leaf = dir.join("leaf-b.pem");
    let (ok, text) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            p(&p12),
            "-passin",
            &format!("pass:{}", s("issuance_password")),
            "-nokeys",
            "-clcerts",
            "-out",
            p(&new_leaf),
        ],
    );
    assert!(ok, "{text}");
    let (_, text) = run("openssl", &["x509", "-in", p(&new_leaf), "-noout", "-text"]);
    for url in ["/ca/e-seikyuu-ca-g2.crl", "/ca/e-seikyuu-ca-g2.crt"] {
        assert!(
            text.contains(&format!("{}{url}", bed.base)),
            "{url} not in:\n{text}"
        );
    }

    // The old certificate is revoked after the rollover: its own CA's CRL lists it.
    bed.revoke("superseded");
    let old_serial = bed.serial.to_uppercase();
    let mut old_crl = dir.join("missing");
    for attempt in 0..40 {
        old_crl = fetch_pem(
            &bed.base,
            "/ca/e-seikyuu-ca.crl",
            &dir,
            &format!("crl-g1-{attempt}"),
            "crl",
        )
        .await;
        let (_, text) = run("openssl", &["crl", "-in", p(&old_crl), "-noout", "-text"]);
        if text.contains(&old_serial) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (_, text) = run(
        "openssl",
        &[
            "crl",
            "-in",
            p(&old_crl),
            "-noout",
            "-text",
            "-CAfile",
            p(&cat(&dir, "chain-g1.pem", &[&old_issuing, &root])),
        ],
    );
    assert!(
        text.contains(&old_serial) && text.contains("verify OK"),
        "{text}"
    );
    let new_crl = fetch_pem(&bed.base, "/ca/e-seikyuu-ca-g2.crl", &dir, "crl-g2", "crl").await;
    let (_, text) = run(
        "openssl",
        &[
            "crl",
            "-in",
            p(&new_crl),
            "-noout",
            "-text",
            "-CAfile",
            p(&cat(&dir, "chain-g2.pem", &[&new_served, &root])),
        ],
    );
    assert!(
        text.contains("verify OK") && !text.contains(&old_serial),
        "{text}"
    );

    // A relying party holding both chains and both CRLs: the old certificate is revoked,
    // the new one is good.
    let root_crl = fetch_pem(&bed.base, "/ca/e-seikyuu-root.crl", &dir, "root-crl", "crl").await;
    let crls = cat(&dir, "crls.pem", &[&old_crl, &new_crl, &root_crl]);
    let both = cat(&dir, "both-issuing.pem", &[&old_issuing, &new_served]);
    let verify = |leaf: &std::path::Path| {
        run(
            "openssl",
            &[
                "verify",
                "-crl_check_all",
                "-CRLfile",
                p(&crls),
                "-CAfile",
                p(&root),
                "-untrusted",
                p(&both),
                p(leaf),
            ],
        )
    };
    let (ok, text) = verify(&new_leaf);
    assert!(ok && text.contains(": OK"), "{text}");
    let (ok, text) = verify(&bed.leaf);
    assert!(!ok && text.contains("certificate revoked"), "{text}");

    // OCSP answers for each generation, each signed by a responder that generation certified.
    let ocsp =
        |issuer: &std::path::Path, chain: &std::path::Path, leaf: &std::path::Path, out: &str| {
            let url = format!("{}/ocsp", bed.base);
            let (ok, text) = run(
                "openssl",
                &[
                    "ocsp",
                    "-issuer",
                    p(issuer),
                    "-cert",
                    p(leaf),
                    "-url",
                    &url,
                    "-CAfile",
                    p(chain),
                    "-respout",
                    p(&dir.join(out)),
                ],
            );
            assert!(ok && text.contains("Response verify OK"), "{text}");
            text
        };
    let text = ocsp(
        &old_issuing,
        &cat(&dir, "c1.pem", &[&old_issuing, &root]),
        &bed.leaf,
        "o1.der",
    );
    assert!(text.contains(": revoked"), "{text}");
    let text = ocsp(
        &new_served,
        &cat(&dir, "c2.pem", &[&new_served, &root]),
        &new_leaf,
        "o2.der",
    );
    assert!(text.contains(": good"), "{text}");
    // Asked of the wrong issuer, a serial is not vouched for.
    let url = format!("{}/ocsp", bed.base);
    let (_, text) = run(
        "openssl",
        &[
            "ocsp",
            "-issuer",
            p(&new_served),
            "-cert",
            p(&bed.leaf),
            "-url",
            &url,
            "-CAfile",
            p(&cat(&dir, "c3.pem", &[&new_served, &root])),
        ],
    );
    assert!(text.contains(": unknown"), "{text}");

    // `kaigo-pki verify` against the server finds both generations' chains.
    let o = kaigo_with(
        &bed.data,
        &["verify", "--url", &bed.base, p(&new_leaf)],
        &env,
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = kaigo_with(
        &bed.data,
        &["verify", "--url", &bed.base, p(&bed.leaf)],
        &env,
    );
    assert!(!o.status.success());
    assert!(
        format!("{}{}", stdout(&o), stderr(&o)).contains("失効"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );

    // The rollover is on record.
    let o = kaigo_with(&bed.data, &["audit", "verify"], &env);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let export = dir.join("audit");
    let o = kaigo_with(&bed.data, &["audit", "export", "--out", p(&export)], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    let records = std::fs::read_to_string(export.join("records.jsonl")).unwrap();
    assert!(
        records
            .lines()
            .any(|l| l.contains("ca.issuing_install") && l.contains("retired_generation=1")),
        "{records}"
    );
    assert!(records.contains("ca.issuing_request"), "{records}");
}
