//! Secret settings from files (`NAME_FILE`), as container platforms mount secrets: the CA
//! passphrase given so opens the CA; a file others can read, an empty one, or both forms at
//! once are refused with the variable named.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{kaigo_with, stderr, stdout};

const PASS: &str = "a passphrase kept in a mounted secret";

fn secret_file(dir: &std::path::Path, name: &str, text: &str, mode: u32) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_ca_passphrase_can_come_from_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let good = secret_file(tmp.path(), "pass", &format!("{PASS}\n"), 0o600);
    let env = [("KAIGO_PKI_CA_PASSPHRASE_FILE", good.as_str())];
    let o = kaigo_with(&data, &["init"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("KAIGO_PKI_CA_PASSPHRASE_FILE"),
        "{}",
        stdout(&o)
    );
    assert!(
        !data.join("ca-passphrase").exists(),
        "no generated passphrase file"
    );

    // The file's passphrase opens the CA (a checkpoint needs the CA's audit key).
    let o = kaigo_with(&data, &["audit", "checkpoint"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    // Without it the CA cannot be opened.
    let o = kaigo_with(&data, &["audit", "checkpoint"], &[]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("KAIGO_PKI_CA_PASSPHRASE"),
        "{}",
        stderr(&o)
    );

    let open = secret_file(tmp.path(), "open", PASS, 0o644);
    let o = kaigo_with(
        &data,
        &["audit", "checkpoint"],
        &[("KAIGO_PKI_CA_PASSPHRASE_FILE", &open)],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("readable by others"), "{}", stderr(&o));

    let empty = secret_file(tmp.path(), "empty", "\n", 0o600);
    let o = kaigo_with(
        &data,
        &["audit", "checkpoint"],
        &[("KAIGO_PKI_CA_PASSPHRASE_FILE", &empty)],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is empty"), "{}", stderr(&o));

    let o = kaigo_with(
        &data,
        &["audit", "checkpoint"],
        &[
            ("KAIGO_PKI_CA_PASSPHRASE_FILE", &good),
            ("KAIGO_PKI_CA_PASSPHRASE", PASS),
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("both KAIGO_PKI_CA_PASSPHRASE and KAIGO_PKI_CA_PASSPHRASE_FILE"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(PASS), "the secret is never printed");
}

#[test]
fn the_database_url_can_come_from_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let db = tmp.path().join("elsewhere.db");
    let url = secret_file(
        tmp.path(),
        "db-url",
        &format!("sqlite://{}?mode=rwc\n", db.display()),
        0o600,
    );
    let env = [("KAIGO_PKI_DATABASE_URL_FILE", url.as_str())];
    let o = kaigo_with(&data, &["init"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(db.exists(), "the database named in the file was created");
    // config.toml keeps the file's path, never the URL.
    let config = std::fs::read_to_string(data.join("config.toml")).unwrap();
    assert!(!config.contains("elsewhere.db"), "{config}");
    assert!(
        config.contains(&format!("url_file = \"{url}\"")),
        "{config}"
    );
    // So a later command without the variable still reaches that database.
    let o = kaigo_with(&data, &["cert", "list", "--json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !data.join("kaigo.db").exists(),
        "no stray embedded database"
    );
}
