//! The command-line contract: names, flags, refusals and exit codes.

mod common;

use common::{kaigo, stderr, stdout};

#[test]
fn init_creates_ca_and_refuses_a_second_time() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("e-seikyuu CA"), "{out}");
    assert!(
        out.contains("readable only by its owner"),
        "the output says where the passphrase is: {out}"
    );
    for f in [
        "config.toml",
        "kaigo.db",
        "ca/issuing.crt.pem",
        "ca/root.crt.pem",
        "ca-passphrase",
        "server.key",
    ] {
        assert!(data.join(f).exists(), "{f} missing");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data.join("ca-passphrase"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let key = std::fs::read_to_string(data.join("ca/issuing.key.pem")).unwrap();
    assert!(
        key.contains("ENCRYPTED PRIVATE KEY"),
        "the CA key is stored encrypted"
    );

    let before = std::fs::read(data.join("ca/issuing.crt.pem")).unwrap();
    let again = kaigo(&data, &["init"]);
    assert!(!again.status.success());
    let err = stderr(&again);
    assert!(err.contains("already initialised"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");
    assert_eq!(
        std::fs::read(data.join("ca/issuing.crt.pem")).unwrap(),
        before,
        "nothing changed"
    );
}

#[test]
fn init_with_passphrase_from_environment_writes_no_passphrase_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .arg("init")
        .env("KAIGO_PKI_CA_PASSPHRASE", "correct horse battery staple 42")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!data.join("ca-passphrase").exists());
    assert!(stdout(&o).contains("KAIGO_PKI_CA_PASSPHRASE"));
}

#[test]
fn data_dir_option_may_stand_before_or_after_the_subcommand_and_comes_from_env() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("viaenv");
    let o = std::process::Command::new(common::BIN)
        .arg("init")
        .env("KAIGO_PKI_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(data.join("config.toml").exists());
    let after = tmp.path().join("after");
    let o = std::process::Command::new(common::BIN)
        .arg("init")
        .arg("--data-dir")
        .arg(&after)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(after.join("config.toml").exists());
}

#[test]
fn commands_on_a_missing_data_dir_fail_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("nothing-here");
    for args in [
        vec![
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "1310000001",
            "--name",
            "A",
            "--kind",
            "kaigo",
        ],
        vec!["serve", "--listen", "127.0.0.1:0"],
    ] {
        let o = kaigo(&data, &args);
        assert!(!o.status.success(), "{args:?} must fail");
        let err = stderr(&o);
        assert!(err.contains("kaigo-pki init"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!data.exists(), "nothing was created");
    }
}

#[test]
fn office_add_validates_refuses_duplicates_and_prints_json() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", Some("a@example.jp"));
    let user_id = j["user_id"].as_str().unwrap();
    assert_eq!(user_id.len(), 14);
    assert!(user_id.starts_with("KJ") && user_id.chars().all(|c| c.is_ascii_alphanumeric()));
    let pw = j["login_password"].as_str().unwrap();
    assert!((8..=16).contains(&pw.len()));
    assert!(pw.chars().any(|c| c.is_ascii_digit()) && pw.chars().any(|c| c.is_ascii_alphabetic()));
    assert!(!j["issuance_password"].as_str().unwrap().is_empty());

    let dup = kaigo(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "1310000001",
            "--name",
            "B",
            "--kind",
            "careplan",
        ],
    );
    assert!(!dup.status.success());
    assert!(
        stderr(&dup).contains("既に登録されています"),
        "{}",
        stderr(&dup)
    );

    for (number, kind, expect) in [
        ("131000001", "kaigo", "事業所番号"),
        ("13100000ab", "kaigo", "事業所番号"),
        ("1310000002", "nurse", "invalid value"),
    ] {
        let o = kaigo(
            &data,
            &[
                "office",
                "add",
                "--postal-code",
                "100-0001",
                "--address",
                "東京都千代田区千代田1-1",
                "--number",
                number,
                "--name",
                "C",
                "--kind",
                kind,
            ],
        );
        assert!(!o.status.success(), "{number} {kind}");
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    }
    let bad_mail = kaigo(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "1310000003",
            "--name",
            "C",
            "--kind",
            "kaigo",
            "--email",
            "nope",
        ],
    );
    assert!(!bad_mail.status.success());
    assert!(stderr(&bad_mail).contains("メールアドレス"));
    // The console's rule holds here too: the number begins with the prefecture's code.
    let other = kaigo(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "2710000004",
            "--name",
            "C",
            "--kind",
            "kaigo",
            "--prefecture",
            "13",
        ],
    );
    assert!(!other.status.success());
    assert!(
        stderr(&other).contains("事業所番号の先頭2桁（27）が都道府県 13 と一致しません"),
        "{}",
        stderr(&other)
    );

    // Several problems at once are still one line, and a malformed number is named once.
    let many = kaigo(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "1",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "13x",
            "--name",
            "C",
            "--kind",
            "kaigo",
            "--email",
            "nope",
        ],
    );
    assert!(!many.status.success());
    let err = stderr(&many);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("事業所番号") && err.contains("メールアドレス"),
        "{err}"
    );
    assert!(
        !err.contains("都道府県"),
        "no second error for the derived prefecture: {err}"
    );

    // The passwords are printed once: no sealed letter batch keeps them for the console.
    let batches: i64 = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = common::pool(&data).await;
        sqlx::query_scalar("SELECT COUNT(*) FROM letter_batches")
            .fetch_one(&pool)
            .await
            .unwrap()
    });
    assert_eq!(batches, 0, "office add leaves no letter batch");

    // No password reaches the database in clear.
    let mut db = std::fs::read(data.join("kaigo.db")).unwrap();
    db.extend(std::fs::read(data.join("kaigo.db-wal")).unwrap_or_default());
    let hay = String::from_utf8_lossy(&db);
    assert!(!hay.contains(pw), "login password stored in clear");
    assert!(
        !hay.contains(j["issuance_password"].as_str().unwrap()),
        "issuance password stored in clear"
    );
}

#[test]
fn a_wrong_argument_gives_one_line_and_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        vec!["office", "add", "--number"],
        vec!["frobnicate"],
        vec!["serve", "--listen", "not-an-address"],
    ] {
        let o = kaigo(tmp.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{err}");
    }
}
